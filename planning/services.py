"""Changes to a person's calendar feed: made (replacing any earlier one) and revoked, audited."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction

from accounts.models import User
from audit.actions import AuditAction
from audit.services import audit_record
from core.policy import require
from planning import policy
from planning.models import CalendarFeed


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_create(*, actor: User) -> str:
    """Make ``actor`` a new secret feed address and return its token (shown once; only its hash is
    kept). An earlier address of theirs stops working."""
    require(policy.calendar_feed_create_refusal(actor))
    replaced, _ = CalendarFeed.objects.filter(user=actor).delete()
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.create(user=actor, token_hash=feed_token_hash(token))
    audit_record(actor=actor, action=AuditAction.CALENDAR_FEED_CREATED, target=actor, data={"replaced": bool(replaced)})
    return token


@transaction.atomic
def calendar_feed_revoke(*, actor: User) -> None:
    """End ``actor``'s feed address: it answers "not found" from now on."""
    feeds = CalendarFeed.objects.select_for_update().filter(user=actor)
    require(policy.calendar_feed_revoke_refusal(actor, has_feed=feeds.exists()))
    feeds.delete()
    audit_record(actor=actor, action=AuditAction.CALENDAR_FEED_REVOKED, target=actor, data={})
