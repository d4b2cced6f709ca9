"""What was tested, and for how long, in the browser: the firm adds a configuration, a reviewer
records an access period and an interruption and reads the effective days on the ledger, the case
page and the dashboard; each page passes axe-core."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests import builders
from tests.browser.conftest import choose, field

pytestmark = pytest.mark.browser


@pytest.fixture
def northwind_case(alex, coordinator, dod_reviewer, dod_supervisor):
    return builders.make_case(
        alex,
        state="in_review",
        agencies=("dod", "treasury"),
        coordinator=coordinator,
        reviewers={dod_supervisor: dod_reviewer},
        lead=dod_reviewer,
        days_to_sharing=10,
        window_days=20,
    )


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_reviewer_records_a_period_and_an_interruption_and_reads_the_effective_days(
    open_page, check_page, northwind_case, alex, dod_reviewer
):
    case = northwind_case
    # --- the firm adds the configuration it offers with reduced safeguards ----------------------
    firm = open_page(alex)
    firm.goto(f"/cases/{case.pk}/configurations/")
    check_page(firm, "configurations")
    firm.get_by_role("link", name="Add a configuration").click()
    check_page(firm, "configuration-form")
    field(firm, "Name").fill("Agent sandbox")
    field(firm, "Snapshot identifier").fill("atlas-sandbox-7")
    field(firm, "Safeguard version").fill("refusal v3 only")
    choose(firm, "Reduced safeguards")
    field(firm, "Access method").fill("Sandbox with tools")
    firm.get_by_role("button", name="Add the configuration").click()
    expect(firm.get_by_role("main")).to_contain_text("Agent sandbox (v1) is added")
    check_page(firm, "configurations-added")
    firm.goto(f"/cases/{case.pk}/attestation/")
    expect(firm.get_by_role("main")).to_contain_text("asked for on the sharing date")
    check_page(firm, "attestation-not-yet")

    # --- the reviewer records six days of access, and a day's outage -----------------------------
    page = open_page(dod_reviewer)
    page.goto(f"/cases/{case.pk}/access/")
    check_page(page, "ledger-empty")
    started = timezone.now() - datetime.timedelta(days=6)
    period = page.locator("form", has=page.get_by_role("button", name="Record the period"))
    period.get_by_label("Configuration").select_option(label="Agent sandbox (v1)")
    field(period, "Started").fill(_local(started))
    field(period, "Confirmed by").fill("Northwind access desk")
    choose(period, "All assigned agencies (and the firm)")
    period.get_by_role("button", name="Record the period").click()
    expect(page.get_by_role("main")).to_contain_text("The access period is recorded.")
    check_page(page, "ledger-period")

    cut = page.locator("form", has=page.get_by_role("button", name="Record the interruption"))
    cut.get_by_label("Configuration").select_option(label="Agent sandbox (v1)")
    field(cut, "Started").fill(_local(started + datetime.timedelta(days=2)))
    field(cut, "How long (hours)").fill("24")
    cut.get_by_label("Cause").select_option(label="Outage")
    cut.get_by_role("button", name="Record the interruption").click()
    expect(page.get_by_role("main")).to_contain_text("The interruption is recorded.")
    expect(page.locator('[data-agency="dod"]')).to_have_text("5.0")
    expect(page.get_by_role("img", name="Effective access per agency across the review window")).to_be_visible()
    check_page(page, "ledger-effective-days")

    page.goto(f"/cases/{case.pk}/")
    expect(page.locator('[data-agency="dod"]')).to_have_text("5.0")
    check_page(page, "case-effective-days")
    page.goto("/")
    expect(page.get_by_role("main")).to_contain_text("5.0 days")
    check_page(page, "dashboard-effective-days")

    # --- the firm reads the entry and comments on the outage -----------------------------------
    firm.goto(f"/cases/{case.pk}/access/")
    expect(firm.locator('[data-agency="dod"]')).to_have_text("5.0")
    firm.locator("summary", has_text="on this interruption").click()
    firm.get_by_label("Comment on this interruption").fill("A certificate rotation failed; fixed that day.")
    firm.get_by_role("button", name="Add comment").last.click()
    expect(firm.get_by_role("main")).to_contain_text("A certificate rotation failed; fixed that day.")
    check_page(firm, "ledger-firm-comment")
