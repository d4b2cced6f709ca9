"""``verify_audit --workers N``: processes check spans of the log side by side, and report exactly
what one process reports (the same first problem, the same count), wherever the problem falls:
inside a span, on a span's first event, or between two spans. The rows must be committed for the
other processes to read them, so these tests commit (``transactional_db``)."""

import os
import signal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit import services
from audit.models import AuditEvent
from audit.services import check_chain, compute_hash
from tests.audit.test_chain import _as_attacker, _record_some

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the processes read PostgreSQL")

SPAN = 4  # ids per span: 22 events make six spans


@pytest.fixture
def events(transactional_db, monkeypatch):
    monkeypatch.setattr(services, "PARALLEL_SPAN", SPAN)
    return _record_some(22)


def _both() -> tuple[services.ChainReport, services.ChainReport]:
    return check_chain(workers=1), check_chain(workers=2)


def _first_of_a_span(events: list) -> int:
    """The index of an event that begins a span (past the first span)."""
    low = events[0].pk
    return next(i for i, event in enumerate(events) if i > SPAN and (event.pk - low) % SPAN == 0)


def test_an_intact_log_checked_by_two_processes_counts_every_event(events):
    one, two = _both()
    assert one.problem is None
    assert two == one
    assert two.checked == AuditEvent.objects.count() == 22


def test_the_command_with_two_workers_prints_the_count(events):
    out = StringIO()
    call_command("verify_audit", workers=2, stdout=out)
    assert "Audit chain intact: 22 events verified." in out.getvalue()


def test_the_command_refuses_fewer_than_one_worker(events):
    with pytest.raises(CommandError, match="at least 1"):
        call_command("verify_audit", workers=0)


@pytest.mark.parametrize("where", ["inside a span", "first of a span"])
def test_an_altered_event_is_named_as_one_process_names_it(events, where):
    index = 9 if where == "inside a span" else _first_of_a_span(events)
    if where == "inside a span":
        assert (events[index].pk - events[0].pk) % SPAN != 0
    _as_attacker("UPDATE audit_auditevent SET data = %s WHERE id = %s", ['{"n": 999}', events[index].pk])
    one, two = _both()
    assert one.problem is not None
    assert one.problem.event_id == events[index].pk
    assert two == one
    with pytest.raises(CommandError, match=rf"^Audit event {events[index].pk} was altered"):
        call_command("verify_audit", workers=2)


@pytest.mark.parametrize("where", ["inside a span", "last of a span", "first of a span"])
def test_a_removed_event_is_named_as_one_process_names_it(events, where):
    first = _first_of_a_span(events)
    index = {"inside a span": first + 1, "last of a span": first - 1, "first of a span": first}[where]
    _as_attacker("DELETE FROM audit_auditevent WHERE id = %s", [events[index].pk])
    one, two = _both()
    assert one.problem is not None
    assert f"between event {events[index - 1].pk} and event {events[index + 1].pk}" in one.problem.message
    assert two == one


def test_a_rewritten_event_at_the_end_of_a_span_is_caught_by_the_next_span(events):
    index = _first_of_a_span(events) - 1
    forged = AuditEvent.objects.get(pk=events[index].pk)
    forged.data = {"n": "forged"}
    _as_attacker(
        "UPDATE audit_auditevent SET data = %s, hash = %s WHERE id = %s",
        ['{"n": "forged"}', compute_hash(forged), forged.pk],
    )
    one, two = _both()
    assert one.problem is not None
    assert f"event {forged.pk} was rewritten" in one.problem.message
    assert two == one


def test_removed_first_events_are_noticed_by_two_processes(events):
    _as_attacker("DELETE FROM audit_auditevent WHERE id <= %s", [events[0].pk])
    one, two = _both()
    assert one.problem is not None
    assert "events before it were removed" in one.problem.message
    assert two == one


def _killed(bounds):
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_checking_process_killed_concludes_nothing(events, monkeypatch):
    monkeypatch.setattr(services, "_check_span_alone", _killed)
    out = StringIO()
    with pytest.raises(CommandError, match=r"stopped before it finished.*nothing is concluded"):
        call_command("verify_audit", workers=2, stdout=out)
    assert "intact" not in out.getvalue()


@pytest.mark.parametrize(
    ("events", "cores", "expected"), [(99_999, 8, 1), (100_000, 8, 4), (100_000, 2, 2), (10**6, None, 1)]
)
def test_a_long_log_is_checked_by_one_process_per_core_at_most_four(monkeypatch, events, cores, expected):
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    assert services.default_workers(events) == expected


@pytest.mark.parametrize("long_log", [True, False])
def test_the_command_chooses_processes_for_a_long_log_only(events, monkeypatch, long_log):
    """The processes are seen by their absence: each one dies, which only matters if there are any."""
    monkeypatch.setattr(services, "PARALLEL_FROM", 22 if long_log else 23)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(services, "_check_span_alone", _killed)
    if long_log:
        with pytest.raises(CommandError, match="stopped before it finished"):
            call_command("verify_audit", stdout=StringIO())
    else:
        out = StringIO()
        call_command("verify_audit", stdout=out)
        assert "Audit chain intact: 22 events verified." in out.getvalue()
