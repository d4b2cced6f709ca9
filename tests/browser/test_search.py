"""Search in the browser: the header's box leads to the results page, grouped by kind, checked
with axe like every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import builders

pytestmark = pytest.mark.browser


def test_a_reviewer_searches_from_the_header(open_page, check_page, alex, coordinator, dod_reviewer, dod_supervisor):
    case = builders.make_case(
        alex, state="in_review", agencies=("dod",), coordinator=coordinator, reviewers={dod_supervisor: dod_reviewer}
    )
    builders.released(case, dod_reviewer, dod_supervisor, title="Jailbreak through role play")
    builders.comment(case, alex, body="The jailbreak was fixed in the staging build.")

    page = open_page(dod_reviewer)
    check_page(page, "reviewer-dashboard-with-search-box")
    page.get_by_role("search").get_by_label("Search Checkpoint").fill("jailb")
    page.get_by_role("search").get_by_role("button", name="Search").click()
    main = page.get_by_role("main")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    expect(main.get_by_role("heading", name="Findings 1")).to_be_visible()
    expect(main.get_by_role("link", name="Jailbreak through role play")).to_be_visible()
    expect(main.locator("mark").first).to_be_visible()
    check_page(page, "search-results")
    page.get_by_label("Kind").select_option("comment")
    page.get_by_role("button", name="Search", exact=True).last.click()
    expect(main.get_by_role("heading", name="Comments 1")).to_be_visible()
    check_page(page, "search-one-kind")

    page.get_by_label("Name of the search").fill("Jailbreaks")
    page.get_by_text("Share it with my organisation").click()
    page.get_by_role("button", name="Save the search").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Saved searches")
    expect(main.get_by_role("link", name="Jailbreaks")).to_be_visible()
    check_page(page, "saved-searches")
