"""Writing and checking the audit log's hash chain."""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import json
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, connections, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.ipv6 import clean_ipv6_address

from audit.actions import AuditAction
from audit.context import current_ip
from audit.head import check_head, note_append
from audit.models import AuditEvent, RefusalTally

GENESIS_HASH = "0" * 64
# Any constant: the advisory lock that serialises appends, so the chain has one order.
_CHAIN_LOCK_KEY = 0x43_50_41_55  # "CPAU"


# The fields the hash covers, in the order ``_canonical`` takes them.
CHAIN_FIELDS = (
    "prev_hash",
    "actor_id",
    "actor_label",
    "action",
    "target_type",
    "target_id",
    "case_id",
    "at",
    "ip",
    "data",
)


def _canonical(
    prev_hash: str,
    actor_id: int | None,
    actor_label: str,
    action: str,
    target_type: str,
    target_id: str,
    case_id: int | None,
    at: datetime.datetime,
    ip: str | None,
    data: Any,
) -> bytes:
    payload = {
        "prev_hash": prev_hash,
        "actor_id": actor_id,
        "actor_label": actor_label,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "case_id": case_id,
        "at": at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "ip": ip,
        "data": data,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def canonical_form(event: AuditEvent) -> bytes:
    """The bytes the hash covers: every field but the id and the hash itself, in a fixed order."""
    return _canonical(*(getattr(event, name) for name in CHAIN_FIELDS))


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(canonical_form(event)).hexdigest()


def hash_of(*fields: Any) -> str:
    """The hash of an event given as its ``CHAIN_FIELDS`` values (bulk writers and the checker)."""
    return hashlib.sha256(_canonical(*fields)).hexdigest()


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
        # The head goes outside the database once the batch commits (audit.head).
        note_append(event.id, event.hash)
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


@dataclass(frozen=True)
class _Row:
    """One event as the checker reads it: plain values, no model instance."""

    id: int
    hash: str
    fields: tuple[Any, ...]

    @property
    def prev_hash(self) -> str:
        return str(self.fields[0])


CHAIN_CHUNK = 20_000


def _stored_rows(chunk: int = CHAIN_CHUNK) -> Iterator[_Row]:
    """Every event in id order, as tuples read a chunk at a time (keyset: ``id > last``), so that
    memory stays flat and no ORM object is built."""
    last = 0
    while True:
        batch = list(
            AuditEvent.objects.filter(id__gt=last).order_by("id").values_list("id", "hash", *CHAIN_FIELDS)[:chunk]
        )
        for row in batch:
            yield _Row(row[0], row[1], row[2:])
        if len(batch) < chunk:
            return
        last = batch[-1][0]


def _event_rows(events: Iterable[AuditEvent]) -> Iterator[_Row]:
    for event in events:
        yield _Row(event.id, event.hash, tuple(getattr(event, name) for name in CHAIN_FIELDS))


# PostgreSQL hands the time already in the canonical form's words, the address as text and the data
# as JSON text: the checker builds no datetime, no model and no ORM conversion per row.
_PG_CHAIN_SQL = """
    SELECT id, hash, prev_hash, actor_id, actor_label, action, target_type, target_id, case_id,
           to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'), host(ip), data::text
    FROM audit_auditevent WHERE id > %s AND id <= %s ORDER BY id LIMIT %s
"""


def _canonical_from_text(
    prev_hash: str,
    actor_id: int | None,
    actor_label: str,
    action: str,
    target_type: str,
    target_id: str,
    case_id: int | None,
    at: str,
    ip: str | None,
    data: str,
) -> bytes:
    """``_canonical``'s bytes, written out key by key (in sorted order) from the text columns."""
    quote = _quote
    data_json = (
        "{}"
        if data == "{}"
        else json.dumps(json.loads(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    )
    return (
        f'{{"action":{quote(action)},"actor_id":{"null" if actor_id is None else actor_id},'
        f'"actor_label":{quote(actor_label)},"at":"{at}","case_id":{"null" if case_id is None else case_id},'
        f'"data":{data_json},"ip":{"null" if ip is None else quote(ip)},"prev_hash":{quote(prev_hash)},'
        f'"target_id":{quote(target_id)},"target_type":{quote(target_type)}}}'
    ).encode()


_quote = json.encoder.encode_basestring  # what json.dumps(..., ensure_ascii=False) writes for a string


# verify_audit's processes take the log in spans of this many ids, checked in order.
PARALLEL_SPAN = 50_000
PARALLEL_FROM = 100_000  # events: fewer are checked in one process (default_workers)
_LAST_ID = 2**63 - 1  # the largest id PostgreSQL's bigint holds


def default_workers(events: int) -> int:
    """How many processes ``verify_audit`` checks a log of ``events`` with when not told: one per
    core, at most 4, from ``PARALLEL_FROM`` events (below it one process is quicker than starting
    others)."""
    return min(4, os.cpu_count() or 1) if events >= PARALLEL_FROM else 1


def _check_postgresql(on_row: Callable[[int], None] | None = None, workers: int = 1) -> ChainReport:
    if workers <= 1 or connection.in_atomic_block:
        # One process (rows written in an open transaction are visible to this connection only).
        return _joined([_check_span((0, _LAST_ID), on_row=on_row)], None)
    bounds = AuditEvent.objects.aggregate(low=models.Min("id"), high=models.Max("id"))
    if bounds["low"] is None:
        return ChainReport(0, None)
    spans = [
        (after, min(after + PARALLEL_SPAN, bounds["high"]))
        for after in range(bounds["low"] - 1, bounds["high"], PARALLEL_SPAN)
    ]
    # Each process opens its own connection: none may inherit this one.
    connections.close_all()
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    try:
        # In id order, each span as soon as it and those before it are checked: the first problem
        # found in that order is the one reported, and the spans not started are dropped. A process
        # that dies (killed, out of memory) raises BrokenProcessPool: nothing is concluded.
        return _joined(pool.map(_check_span_alone, spans), on_row)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass(frozen=True)
class _Span:
    """What checking the events of one span of ids found: how many were checked (up to and
    including the first problem), the first event and the hash it follows, the last event and its
    hash, and the first problem inside the span (an altered event, or an event that does not follow
    the one before it in the span; whether the first follows the span before is for the caller)."""

    checked: int
    first_id: int | None
    first_prev: str | None
    last_id: int | None
    last_hash: str | None
    problem: ChainProblem | None


def _check_span(bounds: tuple[int, int], *, on_row: Callable[[int], None] | None = None) -> _Span:
    """The events with ``bounds[0] < id <= bounds[1]``, read ``CHAIN_CHUNK`` at a time."""
    chunk = CHAIN_CHUNK
    after, upto = bounds
    first_id: int | None = None
    first_prev: str | None = None
    expected_prev: str | None = None
    previous_id: int | None = None
    checked = 0
    sha256 = hashlib.sha256
    with connection.cursor() as cursor:
        while True:
            cursor.execute(_PG_CHAIN_SQL, [after, upto, chunk])
            batch = cursor.fetchall()
            if on_row is not None:
                on_row(len(batch))
            for row in batch:
                event_id, stored = row[0], row[1]
                checked += 1
                if first_id is None:
                    first_id, first_prev = event_id, row[2]
                if sha256(_canonical_from_text(*row[2:])).hexdigest() != stored:
                    # Ask the model's own form before calling the row altered.
                    event = AuditEvent.objects.get(pk=event_id)
                    if compute_hash(event) != stored:
                        return _Span(checked, first_id, first_prev, previous_id, expected_prev, _altered(event_id))
                if expected_prev is not None and row[2] != expected_prev:
                    broken = _broken(previous_id, event_id)
                    return _Span(checked, first_id, first_prev, previous_id, expected_prev, broken)
                expected_prev = stored
                previous_id = event_id
            if len(batch) < chunk:
                return _Span(checked, first_id, first_prev, previous_id, expected_prev, None)
            after = batch[-1][0]


def _check_span_alone(bounds: tuple[int, int]) -> _Span:
    """``_check_span`` in a process of its own, which closes its connection after each span."""
    try:
        return _check_span(bounds)
    finally:
        connection.close()


def _joined(spans: Iterable[_Span], on_row: Callable[[int], None] | None) -> ChainReport:
    """The spans in id order as one chain: each span's first event must follow the last event of
    the span before (the first of all, the genesis)."""
    expected_prev: str | None = GENESIS_HASH
    previous_id: int | None = None
    checked = 0
    for span in spans:
        if on_row is not None:
            on_row(span.checked)
        if span.first_id is None:
            continue  # no event in the span
        if span.problem is not None and span.problem.event_id == span.first_id:
            return ChainReport(checked + span.checked, span.problem)  # the first event was altered
        if span.first_prev != expected_prev:
            return ChainReport(checked + 1, _broken(previous_id, span.first_id))
        if span.problem is not None:
            return ChainReport(checked + span.checked, span.problem)
        checked += span.checked
        expected_prev, previous_id = span.last_hash, span.last_id
    return ChainReport(checked, None)


def _altered(event_id: int) -> ChainProblem:
    return ChainProblem(event_id, f"Audit event {event_id} was altered: its contents no longer match its hash.")


def _broken(previous_id: int | None, event_id: int) -> ChainProblem:
    if previous_id is None:
        where = f"before event {event_id}, the first one left: the events before it were removed."
    else:
        where = (
            f"between event {previous_id} and event {event_id}: events between them were removed, "
            f"or event {previous_id} was rewritten."
        )
    return ChainProblem(event_id, f"The audit chain is broken {where}")


def check_chain(
    events: Iterable[AuditEvent] | None = None, *, on_row: Callable[[int], None] | None = None, workers: int = 1
) -> ChainReport:
    """Walk the chain in id order; stop at the first row that was altered or does not follow its
    predecessor. (Removing the newest rows leaves no trace in the chain itself: that is the limit
    of a hash chain without an outside copy of its head.) ``workers``: on PostgreSQL, processes
    that check spans of the log side by side (the report is the same as one process's)."""
    if events is None and connection.vendor == "postgresql":
        return _check_postgresql(on_row=on_row, workers=workers)
    rows = _stored_rows() if events is None else _event_rows(events)
    expected_prev = GENESIS_HASH
    previous_id: int | None = None
    checked = 0
    sha256 = hashlib.sha256
    for row in rows:
        checked += 1
        if on_row is not None:
            on_row(1)
        if sha256(_canonical(*row.fields)).hexdigest() != row.hash:
            return ChainReport(checked, _altered(row.id))
        if row.prev_hash != expected_prev:
            return ChainReport(checked, _broken(previous_id, row.id))
        expected_prev = row.hash
        previous_id = row.id
    return ChainReport(checked, None)


def check_head_outside() -> ChainProblem | None:
    """The chain against its head recorded outside the database (audit.head): deleting the newest
    rows leaves an intact chain, but not the event the head names."""

    def hash_of(event_id: int) -> str | None:
        return AuditEvent.objects.filter(pk=event_id).values_list("hash", flat=True).first()

    last_id = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    message = check_head(hash_of, last_id)
    return None if message is None else ChainProblem(last_id or 0, message)


def verify_chain(events: Iterable[AuditEvent] | None = None) -> ChainProblem | None:
    """The first break in the chain, or None when every row is as it was written."""
    return check_chain(events).problem


def audit_log_export_record(*, actor: Any, filters: dict[str, Any], rows: int) -> AuditEvent:
    """Audit an export of the audit log, like a download: who, with which filters, how many rows."""
    kept = {name: str(value) for name, value in filters.items() if value not in (None, "")}
    return audit_record(
        actor=actor, action=AuditAction.AUDIT_LOG_EXPORTED, data={"format": "csv", "filters": kept, "rows": rows}
    )
