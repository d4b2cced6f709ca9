"""An agency's workload, for its supervisors: active cases with their reviewers, the cases without
one, each reviewer's load and nearest deadline."""

from __future__ import annotations

import re

import pytest

from tests import builders

pytestmark = pytest.mark.django_db


def test_a_supervisor_sees_cases_reviewers_and_loads(client_for, alex, coordinator, dod_supervisor, dod_reviewer):
    staffed = builders.make_case(
        alex,
        state="in_review",
        coordinator=coordinator,
        reviewers={dod_supervisor: dod_reviewer},
        lead=dod_reviewer,
        days_to_sharing=5,
    )
    unstaffed = builders.make_case(alex, state="in_review", coordinator=coordinator, days_to_sharing=9)
    builders.make_case(alex, state="in_review", coordinator=coordinator, agencies=("cisa",))  # not DoD's

    page = client_for(dod_supervisor).get("/workload/").content.decode()

    assert "<h1>DoD workload</h1>" in page
    assert "1 case assigned to DoD has no DoD reviewer." in page
    unassigned = page.split("<h2>Cases without a reviewer</h2>")[1].split("<h2>")[0]
    assert unstaffed.reference in unassigned
    assert staffed.reference not in unassigned
    reviewers = page.split("<h2>Reviewers</h2>")[1].split("<h2>")[0]
    row = re.search(rf"<tr><td>{re.escape(dod_reviewer.get_full_name())}</td>.*?</tr>", reviewers, re.S).group(0)
    assert "<td>1</td><td>1</td>" in row  # one case, leading it
    assert "5 days left" in row
    cases = page.split("<h2>Open cases</h2>")[1]
    assert f"{dod_reviewer.get_full_name()} (lead)" in cases
    assert cases.count("CP-") == 2


def test_the_workload_is_a_supervisors_page(client_for, dod_reviewer, alex, coordinator):
    for person in (dod_reviewer, alex, coordinator):
        assert client_for(person).get("/workload/").status_code == 403


def test_the_supervisors_dashboard_and_header_lead_to_it(client_for, dod_supervisor, dod_reviewer):
    assert 'href="/workload/"' in client_for(dod_supervisor).get("/").content.decode()
    assert 'href="/workload/"' not in client_for(dod_reviewer).get("/").content.decode()


def test_a_large_workload_counts_everything_and_names_a_page(
    client_for, alex, coordinator, dod_supervisor, dod_reviewer, monkeypatch
):
    """An agency has thousands of active cases: the counts and each reviewer's load take them all,
    the page names the first few without a reviewer (with a link to all of them) and lists the
    cases a page at a time."""
    from planning import selectors

    monkeypatch.setattr(selectors, "UNASSIGNED_NAMED", 1)
    monkeypatch.setattr(selectors, "PAGE_ROWS", 2)
    staffed = [
        builders.make_case(
            alex,
            state="in_review",
            coordinator=coordinator,
            reviewers={dod_supervisor: dod_reviewer},
            days_to_sharing=n,
        )
        for n in (4, 6)
    ]
    unstaffed = [
        builders.make_case(alex, state="in_review", coordinator=coordinator, days_to_sharing=n) for n in (3, 5)
    ]
    client = client_for(dod_supervisor)

    page = client.get("/workload/").content.decode()

    unassigned = page.split("<h2>Cases without a reviewer</h2>")[1].split("<h2>")[0]
    assert "2 cases assigned to DoD have no DoD reviewer." in unassigned
    assert unstaffed[0].reference in unassigned
    assert unstaffed[1].reference not in unassigned
    assert 'href="?show=unassigned#cases"' in unassigned
    reviewers = page.split("<h2>Reviewers</h2>")[1].split("<h2>")[0]
    row = re.search(rf"<tr><td>{re.escape(dod_reviewer.get_full_name())}</td>.*?</tr>", reviewers, re.S).group(0)
    assert "<td>2</td><td>0</td>" in row
    assert "4 days left" in row
    cases = page.split("<h2>Open cases</h2>")[1]
    assert "4 open cases; 1 to 2 below" in cases
    assert [unstaffed[0].reference, staffed[0].reference] == re.findall(r"CP-[\w-]+", cases)[:2]
    assert unstaffed[1].reference not in cases
    rest = client.get("/workload/?page=2").content.decode().split("<h2>Open cases</h2>")[1]
    assert unstaffed[1].reference in rest
    assert staffed[1].reference in rest

    only = client.get("/workload/?show=unassigned").content.decode().split("<h2>Open cases without a reviewer</h2>")[1]
    assert unstaffed[0].reference in only
    assert unstaffed[1].reference in only
    assert all(case.reference not in only for case in staffed)


def test_the_workload_counts_only_the_supervisors_agency(
    client_for, alex, coordinator, cisa_supervisor, dod_supervisor
):
    builders.make_case(alex, state="in_review", coordinator=coordinator, agencies=("cisa",))
    page = client_for(dod_supervisor).get("/workload/").content.decode()
    assert "Every case has a reviewer." in page
    assert "DoD has no active case." in page
    assert "CP-" not in page.split("<h2>Open cases</h2>")[1]
