"""The audit log's hash chain and ``manage.py verify_audit``: an altered or removed event is named."""

import datetime
import decimal
import itertools
import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit.actions import AuditAction
from audit.context import current_ip
from audit.models import AuditEvent
from audit.services import GENESIS_HASH, audit_record, compute_hash, verify_chain

pytestmark = pytest.mark.django_db

AN_ACTION = AuditAction.REMINDERS_SWEPT  # any member: these tests are about the chain


def _record_some(count: int, actor=None) -> list[AuditEvent]:
    return [audit_record(actor=actor, action=AN_ACTION, data={"n": i}) for i in range(count)]


def _verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def _as_attacker(sql: str, params: list) -> None:
    """A database superuser who switches triggers off, edits the table, and switches them back."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(sql, params)
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")


def test_each_event_links_to_the_one_before_it(coordinator):
    before = list(AuditEvent.objects.order_by("id"))  # the fixtures' own events
    events = _record_some(4, actor=coordinator)
    chain = list(AuditEvent.objects.order_by("id"))
    assert chain[-4:] == events
    assert chain[0].prev_hash == GENESIS_HASH
    for previous, event in itertools.pairwise(chain):
        assert event.prev_hash == previous.hash
    assert len({e.hash for e in chain}) == len(chain) == len(before) + 4
    assert events[0].actor == coordinator
    assert events[0].actor_label == "coordinator@checkpoint.test"


def test_verify_audit_passes_on_an_intact_chain_and_prints_the_count(coordinator):
    _record_some(5)
    total = AuditEvent.objects.count()
    assert total >= 5
    assert f"Audit chain intact: {total} events verified." in _verify()


def test_verify_audit_on_an_empty_log():
    assert AuditEvent.objects.count() == 0
    assert "Audit chain intact: 0 events verified." in _verify()


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("data", '{"n": 999}'),
        ("action", "test.something_else"),
        ("actor_label", "someone-else@example.test"),
    ],
)
def test_verify_audit_names_the_first_altered_row(column, value):
    events = _record_some(6)
    altered = events[2]
    _as_attacker(f"UPDATE audit_auditevent SET {column} = %s WHERE id = %s", [value, altered.pk])

    with pytest.raises(CommandError, match=rf"^Audit event {altered.pk} was altered"):
        _verify()


def test_verify_audit_names_a_row_whose_actor_was_swapped(coordinator, alex):
    events = _record_some(3, actor=coordinator)
    _as_attacker("UPDATE audit_auditevent SET actor_id = %s WHERE id = %s", [alex.pk, events[1].pk])

    with pytest.raises(CommandError, match=rf"^Audit event {events[1].pk} was altered"):
        _verify()


def test_a_rewritten_row_with_a_recomputed_hash_is_still_caught_by_the_next_row():
    events = _record_some(4)
    forged = AuditEvent.objects.get(pk=events[1].pk)
    forged.data = {"n": "forged"}
    _as_attacker(
        "UPDATE audit_auditevent SET data = %s, hash = %s WHERE id = %s",
        ['{"n": "forged"}', compute_hash(forged), forged.pk],
    )

    with pytest.raises(CommandError) as refusal:
        _verify()
    message = str(refusal.value)
    assert f"between event {events[1].pk} and event {events[2].pk}" in message
    assert f"event {events[1].pk} was rewritten" in message


def test_verify_audit_names_the_place_where_a_row_was_deleted():
    events = _record_some(5)
    _as_attacker("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])

    with pytest.raises(CommandError) as refusal:
        _verify()
    assert f"between event {events[1].pk} and event {events[3].pk}" in str(refusal.value)
    assert "removed" in str(refusal.value)


def test_verify_audit_notices_the_first_rows_were_deleted():
    events = _record_some(3)
    _as_attacker("DELETE FROM audit_auditevent WHERE id <= %s", [events[0].pk])

    problem = verify_chain()
    assert problem is not None
    assert problem.event_id == events[1].pk
    assert "events before it were removed" in problem.message


def test_audit_record_stores_exactly_what_it_hashes():
    token = current_ip.set("2001:DB8:0:0::1")
    try:
        event = audit_record(
            actor=None,
            action=AN_ACTION,
            data={
                "date": datetime.date(2026, 12, 1),
                "when": datetime.datetime(2026, 12, 1, 9, 30, 15, 123456, tzinfo=datetime.UTC),
                "amount": decimal.Decimal("12.50"),
                "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
                "ratio": 0.1,
                "nested": {"b": [1, 2], "a": "é"},
            },
        )
    finally:
        current_ip.reset(token)

    # What the service returns is already what the database holds: dates as strings.
    assert event.data["date"] == "2026-12-01"
    assert event.data["when"] == "2026-12-01T09:30:15.123Z"
    assert event.data["amount"] == "12.50"
    assert event.data["id"] == "12345678-1234-5678-1234-567812345678"
    assert event.ip == "2001:db8::1"

    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.data == event.data
    assert stored.ip == event.ip
    assert stored.at == event.at
    assert compute_hash(stored) == stored.hash == event.hash
    assert verify_chain() is None


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("::FFFF:192.0.2.1", "::ffff:192.0.2.1"),
        ("2001:0db8:0000::0001", "2001:db8::1"),
        ("not an address", None),
        ("fe80::1%eth0", None),
    ],
)
def test_the_client_address_is_stored_as_the_database_reads_it_back(raw, stored):
    token = current_ip.set(raw)
    try:
        event = audit_record(actor=None, action=AN_ACTION)
    finally:
        current_ip.reset(token)
    reread = AuditEvent.objects.get(pk=event.pk)
    assert reread.ip == stored
    assert compute_hash(reread) == reread.hash
    assert verify_chain() is None


def test_data_that_json_cannot_hold_is_refused_and_nothing_is_written():
    count = AuditEvent.objects.count()
    with pytest.raises(ValueError):
        audit_record(actor=None, action=AN_ACTION, data={"x": float("nan")})
    with pytest.raises(TypeError):
        audit_record(actor=None, action=AN_ACTION, data={"x": object()})
    assert AuditEvent.objects.count() == count


# --- refused accesses: counted, never lost, never a flood of rows -----------------------------


def test_a_scanner_adds_one_event_a_minute_and_the_count_is_never_lost(alex, sam):
    import datetime

    import time_machine
    from django.utils import timezone

    from audit.models import RefusalTally
    from audit.services import flush_refusal_tallies, verify_chain
    from core.permissions import refuse_access

    start = timezone.now().replace(second=5, microsecond=0)
    before = AuditEvent.objects.count()
    with time_machine.travel(start, tick=False):
        for pk in range(1000):
            refuse_access(alex, "findings.view_finding", pk)
        refuse_access(sam, "findings.view_finding", 1)  # another person has a window of their own
        assert flush_refusal_tallies() == 0  # the minute is not over: nothing to log yet
    assert AuditEvent.objects.count() == before + 2

    later = start + datetime.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        refuse_access(alex, "findings.view_finding", 5000)  # a new window: a new first event
        assert flush_refusal_tallies() == 1
        assert flush_refusal_tallies() == 0  # run twice: nothing twice
    [repeated] = AuditEvent.objects.filter(action="access.refused_repeated")
    assert (repeated.actor, repeated.data["count"], repeated.data["window_seconds"]) == (alex, 999, 60)
    assert AuditEvent.objects.filter(action="access.refused", actor=alex).count() == 2
    assert RefusalTally.objects.count() == 1  # alex's open window; sam's ended with nothing repeated
    assert verify_chain() is None


def test_the_checkers_text_form_is_the_canonical_form(db):
    """verify_audit on PostgreSQL rebuilds each row's bytes from text columns: they are the very
    bytes the hash was computed over, whatever the row holds."""
    from audit.services import _PG_CHAIN_SQL, _canonical_from_text, canonical_form

    if connection.vendor != "postgresql":
        pytest.skip("the text form is PostgreSQL's")
    token = current_ip.set("2001:DB8:0::1")
    try:
        event = audit_record(
            actor=None,
            action="case.created",
            data={"name": 'Zoë "quoted" \\ \n', "nested": {"b": [1, 2.5, None], "a": "é"}, "n": 10**20},
        )
    finally:
        current_ip.reset(token)
    with connection.cursor() as cursor:
        cursor.execute(_PG_CHAIN_SQL, [event.pk - 1, event.pk, 1])
        row = cursor.fetchone()
    stored = AuditEvent.objects.get(pk=event.pk)
    assert _canonical_from_text(*row[2:]) == canonical_form(stored)
