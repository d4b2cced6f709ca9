"""Dashboards list the first rows of each queue with a link to the whole list: a dashboard costs the
same whatever the size of the program."""

from __future__ import annotations

import pytest

from dashboard.views import DASHBOARD_ROWS
from tests import builders
from tests.web.test_queries import clone_cases

pytestmark = pytest.mark.django_db


def test_a_liaisons_open_cases_are_bounded_with_a_link_to_all(client_for, alex, coordinator):
    case = builders.make_case(alex, state="submitted", coordinator=coordinator)
    copies = clone_cases(case, DASHBOARD_ROWS + 2, "B")
    page = client_for(alex).get("/").content.decode()
    shown = [c.reference for c in [case, *copies] if c.reference in page]
    assert len(shown) == DASHBOARD_ROWS
    assert "See all your firm's cases" in page


def test_a_supervisors_queues_are_bounded_with_links(client_for, alex, coordinator, dod_reviewer, dod_supervisor):
    case = builders.make_case(
        alex, state="closeout_requested", coordinator=coordinator, reviewers={dod_supervisor: dod_reviewer}
    )
    clone_cases(case, DASHBOARD_ROWS + 2, "C")
    page = client_for(dod_supervisor).get("/").content.decode()
    assert page.count("/cases/closeouts/") == DASHBOARD_ROWS
    assert "?state=closeout_requested" in page
