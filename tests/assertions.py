"""What a refusal must leave behind: nothing.

- ``refused(message, *, code=None)``: the block raises DomainError with exactly ``message`` (and
  ``code``), and no row of any table changed;
- ``rows_unchanged()``: the block (requests to pages, say) changed no row of any table;
- ``database_digest()``: one digest per table, what both compare;
- ``audit_events(action, ...)`` and ``audit_actions(target)``: what the audit log says happened.

"Any table" is every table of every installed app except the sessions (Django's and the portal's
``accounts.SignedInSession``) and content types, which a
request may write without changing anything a person sees. A refusal is itself recorded
(``REFUSAL_ACTIONS`` in the audit log, and the per-minute refusal tally): those records are left out
of the digest, so that "nothing changed" means nothing but the record of the refusal.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.db import connection

from audit.models import AuditEvent
from core.errors import DomainError

# The audit actions a refused request writes: the refusal itself, nothing else.
REFUSAL_ACTIONS = ("access.refused", "document.upload_refused", "api.token_refused")
# Tables a request may write without changing anything: the refusal tally counts refusals, as the
# refusal events do.
_LEFT_OUT_APPS = ("sessions", "contenttypes")
_LEFT_OUT_MODELS = ("audit.RefusalTally", "accounts.SignedInSession")


def database_digest() -> dict[str, str]:
    """An md5 of the rows of every table (see the module's docstring for what is left out), by
    model label; one query."""
    selects, params = [], []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in _LEFT_OUT_APPS or model._meta.label in _LEFT_OUT_MODELS:
            continue
        table = connection.ops.quote_name(model._meta.db_table)
        where = ""
        if model is AuditEvent:
            where = " WHERE t.action <> ALL(%s)"
            params.append(list(REFUSAL_ACTIONS))
        selects.append(
            f"SELECT '{model._meta.label}', md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "
            f"FROM {table} t{where}"
        )
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), params)
        return dict(cursor.fetchall())


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(label for label in before.keys() | after.keys() if before.get(label) != after.get(label))


@contextlib.contextmanager
def rows_unchanged(note: str = "") -> Iterator[None]:
    """The block adds, changes or removes no row of any table. ``note`` names the attempt in a
    failure report."""
    before = database_digest()
    yield
    changed = changed_tables(before, database_digest())
    assert not changed, f"{note + ': ' if note else ''}rows of {changed} changed"


@contextlib.contextmanager
def refused(message: str, *, code: str | None = None, note: str = "") -> Iterator[pytest.ExceptionInfo[DomainError]]:
    """The block raises DomainError with exactly ``message`` (and ``code``, when given) and changes
    no row of any table. ``note`` names the attempt in a failure report (for checks made in a
    loop)."""
    before = database_digest()
    try:
        with pytest.raises(DomainError) as caught:
            yield caught
        assert caught.value.message == message, f"refused with {caught.value.message!r}, expected {message!r}"
        if code is not None:
            assert caught.value.code == code, f"refused with code {caught.value.code!r}, expected {code!r}"
        changed = changed_tables(before, database_digest())
        assert not changed, f"the refused action changed rows of {changed}"
    except BaseException as failure:  # pytest.raises fails with an OutcomeException
        if note:
            failure.add_note(f"while trying: {note}")
        raise


def audit_events(action: str, **filters: Any) -> list[AuditEvent]:
    """The audit events of ``action`` (and ``filters``), oldest first."""
    return list(AuditEvent.objects.filter(action=action, **filters).order_by("id"))


def audit_actions(target: Any) -> list[str]:
    """The actions the audit log recorded on ``target``, oldest first."""
    return list(
        AuditEvent.objects.filter(target_type=target._meta.label_lower, target_id=str(target.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
