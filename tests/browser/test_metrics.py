"""The metrics page in the browser: charts with text alternatives and tables, checked with axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import builders

pytestmark = pytest.mark.browser


def test_a_supervisor_reads_their_agencys_metrics(
    open_page, check_page, alex, coordinator, dod_reviewer, dod_supervisor
):
    case = builders.make_case(
        alex, state="in_review", agencies=("dod",), coordinator=coordinator, reviewers={dod_supervisor: dod_reviewer}
    )
    builders.released(case, dod_reviewer, dod_supervisor, visibility="firm", category="cbrn")
    page = open_page(dod_supervisor)
    check_page(page, "supervisor-dashboard")
    page.get_by_role("link", name="Metrics").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Program metrics")
    expect(page.get_by_role("img", name="Findings by category")).to_be_visible()
    expect(page.get_by_role("table", name="Findings by category: the data")).to_be_visible()
    check_page(page, "supervisor-metrics")
