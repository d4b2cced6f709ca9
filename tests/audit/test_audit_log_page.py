"""The coordinators' audit log: days, a known action, objects named as people read them, and the
filtered view exported as CSV (audited)."""

from __future__ import annotations

import csv
import datetime
import html
import io
import re

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


# --- paging: newest first, 50 to a page, older and newer from the events shown (never counted) ---


@pytest.fixture
def sixty_firms(db):
    """Firms 01 to 60 registered in that order: 60 ``firm.created`` events, the newest Firm 60's."""
    for number in range(1, 61):
        builders.make_firm(f"Firm {number:02d}")


def _firms_shown(page: str) -> list[str]:
    return re.findall(r"<td>firm (Firm \d\d)</td>", page)


def _link(page: str, text: str) -> str | None:
    """The address of the pagination link that reads ``text``, or None."""
    nav = re.search(r'<nav aria-label="Pagination".*?</nav>', page, re.S)
    found = nav and re.search(r'href="([^"]*)"[^>]*><span[^>]*>' + text + "<", nav.group(0))
    return html.unescape(found.group(1)) if found else None


def _follow(client, link: str) -> str:
    response = client.get("/audit/" + link)
    assert response.status_code == 200
    return response.content.decode()


def test_the_log_pages_newest_first_older_and_back_newer_keeping_the_filters(client_for, coordinator, sixty_firms):
    client = client_for(coordinator)

    first = _page(client, action="firm.created")

    assert _firms_shown(first) == [f"Firm {n:02d}" for n in range(60, 10, -1)]
    assert "Newest first, 50 to a page." in first
    assert "60 events" not in first
    assert _link(first, "Newer events") is None
    assert _link(first, "Newest events") is None
    older_link = _link(first, "Older events")
    assert "action=firm.created" in older_link

    older = _follow(client, older_link)

    assert _firms_shown(older) == [f"Firm {n:02d}" for n in range(10, 0, -1)]
    assert _link(older, "Older events") is None
    assert "action=firm.created" in _link(older, "Newest events")
    newer_link = _link(older, "Newer events")
    assert "action=firm.created" in newer_link

    back = _follow(client, newer_link)

    assert _firms_shown(back) == _firms_shown(first)
    assert _link(back, "Newer events") is None
    assert _link(back, "Older events") == older_link


def test_the_unfiltered_log_shows_the_newest_50_events_and_a_link_to_older_ones(client_for, coordinator, sixty_firms):
    client = client_for(coordinator)
    builders.make_firm("Newest Labs")

    page = _page(client)

    assert page.count('<tr><td class="cp-nowrap">') == 50
    assert "firm Newest Labs" in page
    assert "Firm 01" not in page
    assert _link(page, "Older events") is not None
    assert "Newest first, 50 to a page." in page


def test_a_view_that_fits_on_one_page_says_how_many_events_it_holds(client_for, coordinator):
    for number in range(1, 13):
        builders.make_firm(f"Firm {number:02d}")
    page = _page(client_for(coordinator), action="firm.created")

    assert "12 events." in page
    assert '<nav aria-label="Pagination"' not in page


@pytest.mark.parametrize(
    "cursor",
    [
        {"before": "abc"},
        {"before": "-5"},
        {"after": "0"},
        {"before": "99999999999999999999999999"},
        {"before": "12", "after": "3"},
        {"after": "9223372036854775807"},  # beyond the newest event: an empty page
    ],
)
def test_a_bad_page_link_says_so_and_shows_the_newest_events(client_for, coordinator, sixty_firms, cursor):
    response = client_for(coordinator).get("/audit/", {"action": "firm.created", **cursor})

    assert response.status_code == 200
    page = response.content.decode()
    assert re.search(r'<p class="usa-alert__text">[^<]*: here are the newest events\.</p>', page)
    assert _firms_shown(page)[:2] == ["Firm 60", "Firm 59"]
    assert "action=firm.created" in _link(page, "Older events")


def test_a_page_past_the_newest_event_offers_no_newer_page(client_for, coordinator, sixty_firms):
    page = _page(client_for(coordinator), action="firm.created", before="9223372036854775807")

    assert _firms_shown(page)[0] == "Firm 60"
    assert _link(page, "Newer events") is None
    assert _link(page, "Older events") is not None
    assert "here are the newest events" not in page


def test_the_export_link_carries_the_filters_not_the_page(client_for, coordinator, sixty_firms):
    client = client_for(coordinator)
    older = _follow(client, _link(_page(client, action="firm.created"), "Older events"))

    export = re.search(r'href="(/audit/export\.csv[^"]*)"', older).group(1)

    assert html.unescape(export) == "/audit/export.csv?action=firm.created"
