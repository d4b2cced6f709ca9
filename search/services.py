"""The only way saved searches change, and their daily email goes out.

The email names counts and a link only: never a title, a body, the words searched or the search's
name (the reader signs in and sees what their permissions allow).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from accounts.models import User
from accounts.roles import agency_membership, firm_membership, is_coordinator
from audit.actions import AuditAction
from audit.services import audit_record
from core.errors import DomainError
from core.policy import require
from search import policy
from search.models import SavedSearch
from search.selectors import KIND_LABELS, Filters, filters_of, result_keys, terms_of

logger = logging.getLogger(__name__)
MAX_SEEN = 5000  # the results remembered per saved search


@transaction.atomic
def saved_search_create(
    *, owner: User, name: str, query: str, filters: Filters, share: bool = False, daily_email: bool = False
) -> SavedSearch:
    """Save a search; shared, it is offered to the owner's own organisation (no other)."""
    name, query = (name or "").strip(), (query or "").strip()
    if not name:
        raise DomainError("Name the search, so that you can find it again.", field="name")
    if not terms_of(query):
        raise DomainError("Search for at least one word before saving the search.", field="q")
    saved = SavedSearch(
        owner=owner, name=name[:120], query=query[:200], filters=asdict(filters), daily_email=daily_email
    )
    if share:
        if (firm := firm_membership(owner)) is not None:
            saved.shared_firm_id = firm.firm_id
        elif (membership := agency_membership(owner)) is not None:
            saved.shared_agency_id = membership.agency_id
        elif is_coordinator(owner):
            saved.shared_with_coordinators = True
        else:
            raise DomainError("You belong to no organisation to share the search with.", field="share")
    # What exists now is not new: the first email names what appears after the search was saved.
    saved.seen = _flat(result_keys(owner, saved.query, filters))[:MAX_SEEN]
    saved.save()
    audit_record(
        actor=owner,
        action=AuditAction.SAVED_SEARCH_CREATED,
        target=saved,
        data={"shared": saved.is_shared, "daily_email": daily_email},
    )
    return saved


@transaction.atomic
def saved_search_delete(*, saved: SavedSearch, actor: User) -> int:
    """Delete the owner's saved search; returns its former id."""
    require(policy.saved_search_delete_refusal(actor, saved))
    pk = saved.pk
    audit_record(actor=actor, action=AuditAction.SAVED_SEARCH_DELETED, target=saved, data={"saved_search": pk})
    saved.delete()
    return pk


def _flat(keys: dict[str, list[str]]) -> list[str]:
    return [key for kind in keys for key in keys[kind]]


def saved_searches_email_daily(*, today: datetime.date) -> int:
    """Email each owner whose daily saved search has new results; at most once a day each, so the
    task may run twice or late. Returns the number of emails sent."""
    sent = 0
    ids = list(
        SavedSearch.objects.filter(daily_email=True, owner__is_active=True)
        .exclude(last_emailed_on=today)
        .values_list("pk", flat=True)
    )
    for pk in ids:
        try:
            sent += _email_one(pk, today)
        except Exception:  # one failure must not stop the others; the next run tries again
            logger.exception("saved search %s: the daily email failed", pk)
    return sent


@transaction.atomic
def _email_one(pk: int, today: datetime.date) -> int:
    saved = SavedSearch.objects.select_for_update().select_related("owner").filter(pk=pk).first()
    if saved is None or saved.last_emailed_on == today or not saved.daily_email:
        return 0
    keys = result_keys(saved.owner, saved.query, filters_of(saved))
    seen = set(saved.seen or [])
    new = {kind: [key for key in found if key not in seen] for kind, found in keys.items()}
    counts = {kind: len(found) for kind, found in new.items() if found}
    saved.seen = _flat(keys)[:MAX_SEEN]
    update: dict[str, Any] = {"seen": saved.seen}
    if counts:
        update["last_emailed_on"] = today
    SavedSearch.objects.filter(pk=saved.pk).update(**update)
    if not counts:
        return 0
    link = f"{settings.SITE_URL}{reverse('search:saved_run', args=[saved.pk])}"
    what = ", ".join(f"{n} {kind if n == 1 else KIND_LABELS[kind].lower()}" for kind, n in counts.items())
    body = (
        f"One of your saved searches in Checkpoint has new results since yesterday: {what}.\n\n"
        f"Open it to see them (you will be asked to sign in): {link}\n\n"
        "This email names counts only. To stop these emails, delete the saved search or save it again "
        "without the daily email."
    )
    audit_record(
        actor=None,
        action=AuditAction.SAVED_SEARCH_EMAILED,
        target=saved,
        data={"saved_search": saved.pk, "recipient": saved.owner_id, "counts": counts},
    )
    transaction.on_commit(
        lambda: send_mail(
            "[Checkpoint] New results for a saved search",
            body,
            settings.DEFAULT_FROM_EMAIL,
            [saved.owner.email],
        )
    )
    return 1
