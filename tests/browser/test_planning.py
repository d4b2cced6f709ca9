"""The review calendar and its feed, and an agency's workload, in the browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import builders

pytestmark = pytest.mark.browser


def test_calendar_feed_only_with_its_secret_and_only_references_and_dates(open_page, check_page, alex, coordinator):
    case = builders.make_case(alex, state="in_review", coordinator=coordinator, days_to_sharing=10, window_days=20)

    page = open_page(alex)
    check_page(page, "dashboard")
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Calendar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review calendar")
    expect(page.get_by_role("main")).to_contain_text(case.reference)
    check_page(page, "calendar", docs="review-calendar.png")

    page.get_by_role("button", name="Make my feed address").click()
    address = page.get_by_label("Your feed address (shown only now)")
    expect(address).to_be_visible()
    check_page(page, "calendar-feed-made")
    url = address.input_value()
    assert re.fullmatch(r"http://[^/]+/calendar/[A-Za-z0-9_-]{40,}\.ics", url)

    # A calendar application: no session, the address alone.
    application = open_page()
    feed = application.request.get(url)
    assert feed.status == 200
    body = feed.text()
    assert case.reference in body
    assert f"DTSTART;VALUE=DATE:{case.access_date:%Y%m%d}" in body
    for content in (case.model.name, "Northwind", case.trusted_partners, case.evaluator_access):
        assert content not in body
    assert application.request.get(url.replace(".ics", "0.ics")).status == 404

    # Revoked: the address answers "not found".
    page.get_by_role("button", name="Revoke my feed address").click()
    expect(page.get_by_role("main")).to_contain_text("Your calendar feed address is revoked")
    check_page(page, "calendar-feed-revoked")
    assert application.request.get(url).status == 404


def test_agency_workload(open_page, check_page, alex, coordinator, dod_supervisor, dod_reviewer):
    builders.make_case(
        alex, state="in_review", coordinator=coordinator, reviewers={dod_supervisor: dod_reviewer}, lead=dod_reviewer
    )
    unstaffed = builders.make_case(alex, state="in_review", coordinator=coordinator)

    page = open_page(dod_supervisor)
    check_page(page, "dashboard")
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Workload").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("DoD workload")
    expect(page.get_by_role("main")).to_contain_text("1 case assigned to DoD has no DoD reviewer.")
    expect(page.get_by_role("link", name=unstaffed.reference).first).to_be_visible()
    check_page(page, "workload", docs="agency-workload.png")
