"""The coordinators' audit log: days, a known action, objects named as people read them, and the
filtered view exported as CSV (audited)."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
import time_machine

from audit.models import AuditEvent
from tests import builders

pytestmark = pytest.mark.django_db


def _at(day: datetime.date) -> datetime.datetime:
    # Noon in New York on ``day``.
    return datetime.datetime.combine(day, datetime.time(17, 0), tzinfo=datetime.UTC)


@pytest.fixture
def three_days(alex, coordinator):
    """A case submitted on Mar 2, another on Mar 3, a firm created on Mar 4 (2026)."""
    with time_machine.travel(_at(datetime.date(2026, 3, 2)), tick=False):
        first = builders.make_case(alex, state="submitted")
    with time_machine.travel(_at(datetime.date(2026, 3, 3)), tick=False):
        second = builders.make_case(alex, state="submitted")
    with time_machine.travel(_at(datetime.date(2026, 3, 4)), tick=False):
        builders.make_firm("Orbital Labs")
    return first, second


def _page(client, **query):
    return client.get("/audit/", query).content.decode()


def test_the_log_filters_by_days_in_the_program_time_zone_and_by_a_known_action(client_for, coordinator, three_days):
    first, second = three_days
    client = client_for(coordinator)

    page = _page(client, since="2026-03-03", until="2026-03-03", action="case.submitted")

    assert second.reference in page
    assert first.reference not in page
    assert "1 event." in page
    assert '<option value="case.submitted" selected>case.submitted</option>' in page
    assert '<optgroup label="auth">' in page


def test_an_unknown_action_or_a_backwards_range_shows_an_error_and_no_rows(client_for, coordinator, three_days):
    client = client_for(coordinator)

    unknown = _page(client, action="case.")  # the old free-text prefix is no longer accepted
    backwards = _page(client, since="2026-03-04", until="2026-03-02")

    assert "Select a valid choice." in unknown
    assert "No event matches." in unknown
    assert "The last day must not be before the first." in backwards
    assert "No event matches." in backwards


def test_objects_are_named_as_people_read_them(client_for, coordinator, three_days):
    first, _ = three_days
    client = client_for(coordinator)
    page = _page(client, case=first.reference)

    assert f"case {first.reference}" in page
    assert "cases.reviewcase" not in page
    assert "firm Orbital Labs" in _page(client, action="firm.created")


def test_the_export_is_the_filtered_view_in_iso_8601_and_is_audited(client_for, coordinator, three_days):
    _, second = three_days
    client = client_for(coordinator)

    response = client.get(
        "/audit/export.csv", {"since": "2026-03-03", "until": "2026-03-03", "action": "case.submitted"}
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["at", "actor", "action", "case", "object", "address", "data"]
    assert len(rows) == 2
    at, _actor, action, case, obj, *_ = rows[1]
    assert (action, case, obj) == ("case.submitted", second.reference, f"case {second.reference}")
    assert at == "2026-03-03T12:00:00-05:00"
    event = AuditEvent.objects.get(action="audit.exported")
    assert event.actor == coordinator
    assert event.data == {
        "format": "csv",
        "rows": 1,
        "filters": {"since": "2026-03-03", "until": "2026-03-03", "action": "case.submitted"},
    }


def test_the_export_neutralises_spreadsheet_formulas(client_for, coordinator, alex):
    # A firm's name is typed by a person: a spreadsheet must not run it.
    builders.make_firm("=HYPERLINK(1)")
    response = client_for(coordinator).get("/audit/export.csv", {"action": "firm.created"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][4] == "firm =HYPERLINK(1)"
    assert all(not cell.startswith("=") for row in rows for cell in row)


def test_only_coordinators_read_or_export_the_log(client_for, alex, dod_supervisor):
    for person in (alex, dod_supervisor):
        client = client_for(person)
        assert client.get("/audit/").status_code == 403
        assert client.get("/audit/export.csv").status_code == 403
    assert not AuditEvent.objects.filter(action="audit.exported").exists()


def test_a_cases_own_audit_log_names_its_objects_too(client_for, coordinator, three_days):
    first, _ = three_days
    page = client_for(coordinator).get(f"/cases/{first.pk}/audit/").content.decode()

    assert f"case {first.reference}" in page
    assert "cases.reviewcase" not in page
