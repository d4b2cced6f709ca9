"""The review calendar: each person's windows on a month, and a secret, revocable iCalendar feed
that carries case references and dates only."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine

from audit.models import AuditEvent
from planning.models import CalendarFeed
from planning.services import calendar_feed_create, calendar_feed_revoke
from tests import builders
from tests.assertions import refused

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 3, 10, 15, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def cases(alex, kim, coordinator):
    northwind = builders.make_case(
        alex, state="in_review", coordinator=coordinator, sharing_date=datetime.date(2026, 3, 20), window_days=14
    )
    lumen = builders.make_case(kim, state="draft", sharing_date=datetime.date(2026, 3, 25), window_days=10)
    return northwind, lumen


def test_the_month_shows_ones_own_windows(client_for, alex, cases):
    northwind, lumen = cases
    page = client_for(alex).get("/calendar/", {"month": "2026-03"}).content.decode()

    assert "March 2026" in page
    assert f"Opens: {northwind.reference}" in page  # Mar 6
    assert f"Sharing: {northwind.reference}" in page  # Mar 20
    assert lumen.reference not in page  # another firm's
    assert "Mar 6, 2026" in page
    assert "Mar 20, 2026" in page


def test_an_agency_sees_the_windows_of_its_cases(client_for, dod_reviewer, cisa_reviewer, cases):
    northwind, _ = cases
    assert northwind.reference in client_for(dod_reviewer).get("/calendar/?month=2026-03").content.decode()
    assert northwind.reference not in client_for(cisa_reviewer).get("/calendar/?month=2026-03").content.decode()


def test_other_months_and_a_bad_month(client_for, alex, cases):
    northwind, _ = cases
    client = client_for(alex)
    assert northwind.reference not in client.get("/calendar/?month=2026-05").content.decode()
    assert "March 2026" in client.get("/calendar/?month=nonsense").content.decode()  # this month


def _feed_url(page: str) -> str:
    return re.search(r'value="http://[^"]+(/calendar/[^"]+\.ics)"', page).group(1)


def test_the_feed_answers_only_with_its_secret_and_only_references_and_dates(client, client_for, alex, cases):
    northwind, lumen = cases
    response = client_for(alex).post("/calendar/feed/")
    page = response.content.decode()
    assert "shown only once" in page
    url = _feed_url(page)

    feed = client.get(url)  # no session: a calendar application

    assert feed.status_code == 200
    assert feed["Content-Type"] == "text/calendar; charset=utf-8"
    body = feed.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    assert f"SUMMARY:{northwind.reference} review window" in body
    assert "DTSTART;VALUE=DATE:20260306" in body
    assert "DTEND;VALUE=DATE:20260321" in body  # the sharing date included
    assert lumen.reference not in body
    summaries = re.findall(r"^SUMMARY:(.*)\r$", body, re.M)
    assert summaries == [f"{northwind.reference} review window", f"{northwind.reference} sharing date"]
    for content in (northwind.model.name, "Northwind", northwind.evaluator_access, northwind.trusted_partners):
        assert content not in body
    # Anything else than the secret: not found.
    assert client.get(url.replace(".ics", "x.ics")).status_code == 404
    assert client.get("/calendar/not-a-token.ics").status_code == 404
    assert CalendarFeed.objects.get(user=alex).token_hash not in page  # only the hash is kept, never shown
    assert AuditEvent.objects.filter(action="calendar.feed_created", actor=alex).exists()


def test_a_new_address_ends_the_old_one_and_revoking_ends_it(client, client_for, alex, cases):
    person = client_for(alex)
    first = _feed_url(person.post("/calendar/feed/").content.decode())
    second = _feed_url(person.post("/calendar/feed/").content.decode())

    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200

    page = person.post("/calendar/feed/revoke/", follow=True).content.decode()
    assert "revoked" in page
    assert client.get(second).status_code == 404
    assert AuditEvent.objects.filter(action="calendar.feed_revoked", actor=alex).count() == 1


def test_a_deactivated_persons_feed_answers_not_found(client, client_for, alex, coordinator, cases):
    from accounts.services import user_deactivate

    url = _feed_url(client_for(alex).post("/calendar/feed/").content.decode())
    user_deactivate(user=alex, actor=coordinator)

    assert client.get(url).status_code == 404


def test_revoking_without_a_feed_is_refused_and_changes_nothing(alex):
    with refused("You have no calendar feed to revoke."):
        calendar_feed_revoke(actor=alex)


def test_a_person_without_an_organisation_has_no_feed(db):
    from accounts.models import User

    nobody = User.objects.create_user("nobody@example.test", "x" * 16)
    with refused("Only a member of a firm, an agency or the program office has a review calendar."):
        calendar_feed_create(actor=nobody)


def test_a_busy_month_names_a_days_first_windows_counts_them_all_and_pages_the_list(
    client_for, alex, monkeypatch, cases
):
    """At program scale a reviewer has a thousand windows in a month: a day names its first windows
    (by reference) and counts the others; the list below comes a page at a time, and the shading
    still counts every window open."""
    from planning import selectors

    monkeypatch.setattr(selectors, "DAY_NAMES", 1)
    monkeypatch.setattr(selectors, "PAGE_ROWS", 2)
    northwind, _ = cases  # Mar 6 to Mar 20
    same_day = [builders.make_case(alex, sharing_date=datetime.date(2026, 3, 20), window_days=14) for _ in range(2)]
    earlier = builders.make_case(alex, sharing_date=datetime.date(2026, 3, 3), window_days=20)  # Feb 11 to Mar 3
    first, *others = sorted([northwind, *same_day], key=lambda case: case.reference)
    client = client_for(alex)

    page = client.get("/calendar/?month=2026-03").content.decode()

    grid = page.split('<h2 id="windows">')[0]
    assert f"Opens: {first.reference}" in grid
    assert f"Sharing: {first.reference}" in grid
    for case in others:
        assert case.reference not in grid
    assert "Opens: 2 more" in grid  # Mar 6
    assert "Sharing: 2 more" in grid  # Mar 20
    cell = re.search(r"<td class=\"[^\"]*\">\s*<span class=\"cp-calendar__date\">4<span.*?</td>", grid, re.S).group(0)
    assert "open." not in cell  # Mar 4: the window that closed on Mar 3 is shut, the others not open yet
    cell = re.search(r"<td class=\"[^\"]*\">\s*<span class=\"cp-calendar__date\">6<span.*?</td>", grid, re.S).group(0)
    assert "3 windows open." in cell
    cell = re.search(r"<td class=\"[^\"]*\">\s*<span class=\"cp-calendar__date\">3<span.*?</td>", grid, re.S).group(0)
    assert "1 window open." in cell
    assert f"Sharing: {earlier.reference}" in cell
    listed = page.split('<h2 id="windows">')[1]
    assert "4 review windows touch March 2026; 1 to 2 below" in listed
    assert earlier.reference in listed  # the earliest access date first
    rest = client.get("/calendar/?month=2026-03&page=2").content.decode().split('<h2 id="windows">')[1]
    assert "3 to 4 below" in rest
    assert sum(case.reference in rest for case in (northwind, *same_day)) == 2
