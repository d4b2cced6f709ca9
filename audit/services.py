"""Writing and checking the audit log's hash chain."""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from audit.actions import AuditAction
from audit.context import current_ip
from audit.models import AuditEvent, RefusalTally

GENESIS_HASH = "0" * 64
# Any constant: the advisory lock that serialises appends, so the chain has one order.
_CHAIN_LOCK_KEY = 0x43_50_41_55  # "CPAU"


def canonical_form(event: AuditEvent) -> bytes:
    """The bytes the hash covers: every field but the id and the hash itself, in a fixed order."""
    payload = {
        "prev_hash": event.prev_hash,
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "case_id": event.case_id,
        "at": event.at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "ip": event.ip,
        "data": event.data,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(canonical_form(event)).hexdigest()


def _normalise_ip(value: str | None) -> str | None:
    """The address as the database will store it, so that the row read back hashes the same.

    PostgreSQL's ``inet`` rewrites IPv6 addresses (``2001:DB8:0::1`` -> ``2001:db8::1``) and
    refuses what is not an address; the request's address comes from a header, so an unusable
    one is dropped rather than failing the action it records.
    """
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if address.version == 4:
        return str(address)
    if address.scope_id:  # "fe80::1%eth0": inet has no zone ids.
        return None
    return clean_ipv6_address(str(address))


def _json_safe(data: dict[str, Any] | None) -> dict[str, Any]:
    """``data`` as it will read back from the JSON column: dates, decimals and UUIDs become
    strings. NaN and infinities are refused (PostgreSQL's jsonb cannot hold them)."""
    clean: dict[str, Any] = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder, sort_keys=True, allow_nan=False))
    return clean


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    # SQLite (the demo) has a single writer: the write lock orders appends already.


def audit_record(
    *,
    actor: Any | None,
    action: AuditAction,
    target: models.Model | None = None,
    case: Any | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction.

    ``actor`` is a user or None (a task, the system). ``action`` is an ``AuditAction``: any other
    string is refused. ``data`` must not hold finding or document content.
    """
    try:
        action = AuditAction(action)
    except ValueError:
        raise ValueError(f"Unknown audit action {action!r}: list it in audit.actions.AuditAction.") from None
    # Store exactly what the hash covers, so that the row read back from the database hashes the same.
    clean = _json_safe(data)
    with transaction.atomic():
        _lock_chain()
        previous = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        actor_obj = actor if actor is not None and getattr(actor, "pk", None) else None
        event = AuditEvent(
            actor=actor_obj,
            actor_label=actor_obj.email if actor_obj else "system",
            action=action.value,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            case=case,
            at=timezone.now(),
            ip=_normalise_ip(current_ip.get()),
            data=clean,
            prev_hash=previous or GENESIS_HASH,
        )
        event.hash = compute_hash(event)
        event.save(force_insert=True)
    return event


def _refusal_window(moment: datetime.datetime) -> datetime.datetime:
    seconds = settings.AUDIT_REFUSAL_WINDOW_SECONDS
    epoch = int(moment.timestamp())
    return datetime.datetime.fromtimestamp(epoch - epoch % seconds, tz=datetime.UTC)


def audit_refusal(*, actor: Any | None, data: dict[str, Any]) -> None:
    """Record a refused access to an object: who, what, when, from where.

    The first refusal by one person (or one address) in a window of AUDIT_REFUSAL_WINDOW_SECONDS
    is an ``access.refused`` event; the others add to that window's tally, which
    ``flush_refusal_tallies`` writes to the log as one event once the window is over.
    """
    actor_obj = actor if actor is not None and getattr(actor, "pk", None) else None
    ip = _normalise_ip(current_ip.get()) or ""
    key = {
        "window_start": _refusal_window(timezone.now()),
        "actor_key": str(actor_obj.pk if actor_obj else ""),
        "ip": ip,
    }
    with transaction.atomic():
        if RefusalTally.objects.filter(**key).update(count=F("count") + 1):
            return
        event = audit_record(actor=actor_obj, action=AuditAction.ACCESS_REFUSED, data=data)
        try:
            with transaction.atomic():
                RefusalTally.objects.create(actor=actor_obj, first_event=event, **key)
        except IntegrityError:
            # Another request of the same window got there first: its event stands for the window.
            # This one is counted; the event written above stays as well (the chain is append-only).
            RefusalTally.objects.filter(**key).update(count=F("count") + 1)


def flush_refusal_tallies(*, now: datetime.datetime | None = None) -> int:
    """Write each finished window's repeated refusals to the audit log (one event per person and
    window, with the count), then forget the tally. Run by the periodic sweep; safe to run twice
    or on two workers at once (each tally is locked and removed in the transaction that logs it).
    Returns the number of events written."""
    window_end = _refusal_window(now or timezone.now())
    written = 0
    while True:
        with transaction.atomic():
            batch = list(
                RefusalTally.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(window_start__lt=window_end)
                .select_related("actor", "first_event")
                .order_by("window_start", "pk")[:200]
            )
            if not batch:
                return written
            for tally in batch:
                if tally.count:
                    audit_record(
                        actor=tally.actor,
                        action=AuditAction.ACCESS_REFUSED_REPEATED,
                        data={
                            "count": tally.count,
                            "window_start": tally.window_start,
                            "window_seconds": settings.AUDIT_REFUSAL_WINDOW_SECONDS,
                            "ip": tally.ip,
                            "first_event": tally.first_event_id,
                        },
                    )
                    written += 1
            RefusalTally.objects.filter(pk__in=[tally.pk for tally in batch]).delete()


@dataclass(frozen=True)
class ChainProblem:
    event_id: int
    message: str


@dataclass(frozen=True)
class ChainReport:
    checked: int  # events checked, up to and including the first broken one
    problem: ChainProblem | None

    @property
    def intact(self) -> bool:
        return self.problem is None


def check_chain(
    events: Iterable[AuditEvent] | None = None, *, on_row: Callable[[int], None] | None = None
) -> ChainReport:
    """Walk the chain in id order; stop at the first row that was altered or does not follow its
    predecessor. (Removing the newest rows leaves no trace in the chain itself: that is the limit
    of a hash chain without an outside copy of its head.)"""
    rows: Iterator[AuditEvent] = iter(
        events if events is not None else AuditEvent.objects.order_by("id").iterator(chunk_size=2000)
    )
    expected_prev = GENESIS_HASH
    previous_id: int | None = None
    checked = 0
    for event in rows:
        checked += 1
        if on_row is not None:
            on_row(1)
        if compute_hash(event) != event.hash:
            return ChainReport(
                checked,
                ChainProblem(event.id, f"Audit event {event.id} was altered: its contents no longer match its hash."),
            )
        if event.prev_hash != expected_prev:
            if previous_id is None:
                where = f"before event {event.id}, the first one left: the events before it were removed."
            else:
                where = (
                    f"between event {previous_id} and event {event.id}: events between them were removed, "
                    f"or event {previous_id} was rewritten."
                )
            return ChainReport(checked, ChainProblem(event.id, f"The audit chain is broken {where}"))
        expected_prev = event.hash
        previous_id = event.id
    return ChainReport(checked, None)


def verify_chain(events: Iterable[AuditEvent] | None = None) -> ChainProblem | None:
    """The first break in the chain, or None when every row is as it was written."""
    return check_chain(events).problem
