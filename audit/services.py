"""Writing and checking the audit log's hash chain."""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from audit.context import current_ip
from audit.models import AuditEvent

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


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    # SQLite (the demo) has a single writer: the write lock orders appends already.


def audit_record(
    *,
    actor: Any | None,
    action: str,
    target: models.Model | None = None,
    case: Any | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction.

    ``actor`` is a user or None (a task, the system). ``data`` must not hold finding or
    document content.
    """
    # Store exactly what the hash covers: JSON-safe values (dates become strings).
    clean = json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder, sort_keys=True))
    with transaction.atomic():
        _lock_chain()
        previous = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        actor_obj = actor if actor is not None and getattr(actor, "pk", None) else None
        event = AuditEvent(
            actor=actor_obj,
            actor_label=actor_obj.email if actor_obj else "system",
            action=action,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            case=case,
            at=timezone.now(),
            ip=current_ip.get(),
            data=clean,
            prev_hash=previous or GENESIS_HASH,
        )
        event.hash = compute_hash(event)
        event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class ChainProblem:
    event_id: int
    message: str


def verify_chain(events: Iterable[AuditEvent] | None = None) -> ChainProblem | None:
    """The first break in the chain, or None when every row is as it was written."""
    rows: Iterator[AuditEvent] = iter(
        events if events is not None else AuditEvent.objects.order_by("id").iterator(chunk_size=2000)
    )
    expected_prev = GENESIS_HASH
    previous_id: int | None = None
    for event in rows:
        if compute_hash(event) != event.hash:
            return ChainProblem(event.id, f"Audit event {event.id} was altered: its contents no longer match its hash.")
        if event.prev_hash != expected_prev:
            after = f"after event {previous_id}" if previous_id is not None else "at the start of the log"
            return ChainProblem(
                event.id,
                f"Audit event {event.id} does not follow the event before it: "
                f"one or more events {after} and before event {event.id} were removed or altered.",
            )
        expected_prev = event.hash
        previous_id = event.id
    return None
