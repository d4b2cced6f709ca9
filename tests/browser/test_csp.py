"""Under the production Content-Security-Policy (nonces, no unsafe-inline), what runs scripts keeps
working: a comment posted through htmx lands in the thread without a page load, and the checker
of every page (``check_page``) fails on any violation Chromium reports."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import builders

pytestmark = pytest.mark.browser


def test_htmx_posts_a_comment_in_place_under_the_csp(open_page, check_page, alex, dod_reviewer, dod_supervisor):
    case = builders.make_case(alex, state="in_review", reviewers={dod_supervisor: dod_reviewer})
    page = open_page(dod_reviewer)
    check_page(page, "dashboard")
    response = page.goto(f"/cases/{case.pk}/")
    policy = response.headers["content-security-policy"]
    assert "'nonce-" in policy
    assert "unsafe-inline" not in policy
    check_page(page, "case-with-comments")
    loads = []
    page.on("load", lambda _: loads.append(1))
    page.locator("form[hx-post] textarea").fill("Posted through htmx under the CSP.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.locator("#comment-thread")).to_contain_text("Posted through htmx under the CSP.")
    assert loads == []  # swapped in place: no page load
    check_page(page, "comment-added")
