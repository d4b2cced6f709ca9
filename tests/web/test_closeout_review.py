"""The closeout page shows the review it concludes, agency by agency; each agency's supervisor
writes its own statement; firms read agencies, not government reviewers' names."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import builders
from tests.assertions import refused
from tests.web.support import text, words
from workflow.services import closeout_decide


@pytest.fixture
def review(alex, coordinator, dod_reviewer, dod_supervisor, treasury_supervisor, cisa_supervisor):
    """A case reviewed by DoD (a reviewer on it), Treasury (a reviewer put on it, then taken off)
    and CISA (no reviewer ever): a DoD finding resolved, a DoD finding carried forward."""
    case = builders.make_case(
        alex,
        state="in_review",
        agencies=("dod", "treasury", "cisa"),
        coordinator=coordinator,
        reviewers={dod_supervisor: dod_reviewer},
    )
    treasury_reviewer = builders.make_agency_member("treasury", email="once@treasury.example")
    from cases.services import case_assign_reviewers

    case_assign_reviewers(case=case, reviewers=[treasury_reviewer], actor=treasury_supervisor)
    case_assign_reviewers(case=case, reviewers=[], actor=treasury_supervisor)
    resolved = builders.released(
        case, dod_reviewer, dod_supervisor, visibility="firm", title="Resolved one", severity="low"
    )
    from findings.services import finding_resolve

    finding_resolve(finding=resolved, actor=dod_reviewer, note="Verified.")
    open_one = builders.released(
        case, dod_reviewer, dod_supervisor, visibility="firm", title="Declined one", severity="critical"
    )
    agency_only = builders.released(case, dod_reviewer, dod_supervisor, title="DoD-only one", severity="medium")
    closeout = builders.request_closeout(
        case,
        dod_reviewer,
        carried_forward={
            open_one.pk: "The firm declined to act, as is its right.",
            agency_only.pk: "DoD keeps watching this one.",
        },
    )
    return case, closeout, {"resolved": resolved, "open": open_one, "agency_only": agency_only}


def test_the_closeout_page_shows_each_agencys_review(client_for, review, dod_supervisor):
    _case, closeout, findings = review
    page = words(client_for(dod_supervisor).get(reverse("cases:closeout", args=[closeout.pk])))
    # The agencies in the order of their names: CISA, DoD, Treasury.
    cisa = page[page.index("CISA Reviewers") : page.index("DoD (your agency)")]
    dod = page[page.index("DoD (your agency)") : page.index("Treasury Reviewers")]
    treasury = page[page.index("Treasury Reviewers") : page.index("Your agency's decision")]
    assert f"#{findings['open'].pk} Declined one" in dod
    assert f"#{findings['agency_only'].pk} DoD-only one" in dod
    assert dod.index("Declined one") < dod.index("DoD-only one") < dod.index("Resolved one")  # most severe first
    assert "By state: 2 released, 1 resolved. By severity: 1 critical, 1 medium, 1 low." in dod
    assert "Carried forward, and why" in dod
    assert "The firm declined to act, as is its right." in dod
    assert "Awaiting DoD's decision" in dod
    assert "earlier:" in treasury  # a reviewer was put on the case, then taken off
    assert "No reviewer was ever assigned" not in treasury
    assert "No reviewer was ever assigned" in cisa


def test_each_supervisor_writes_their_agencys_statement(
    client_for, review, dod_supervisor, treasury_supervisor, cisa_supervisor, alex
):
    _case, closeout, _ = review
    with refused("Write DoD's statement on the review: the firm and the other agencies read it."):
        closeout_decide(closeout=closeout, actor=dod_supervisor, approve=True, statement="  ")
    closeout_decide(closeout=closeout, actor=dod_supervisor, approve=True, statement="DoD concludes its review.")
    closeout_decide(closeout=closeout, actor=cisa_supervisor, approve=True, statement="CISA had no reviewer.")
    closeout_decide(closeout=closeout, actor=treasury_supervisor, approve=False, reason="Treasury is not done.")
    firm = words(client_for(alex).get(reverse("cases:closeout", args=[closeout.pk])))
    assert "DoD's statement DoD concludes its review." in firm
    assert "CISA's statement CISA had no reviewer." in firm
    assert "Treasury is not done." not in firm  # a return's reason stays among the agencies
    assert "Treasury is not done." in words(
        client_for(dod_supervisor).get(reverse("cases:closeout", args=[closeout.pk]))
    )


def test_firms_read_agencies_not_reviewers_unless_the_program_turns_names_on(
    client_for, settings, review, alex, dod_reviewer, dod_supervisor
):
    case, closeout, findings = review
    builders.comment(case, dod_supervisor, body="A note for Northwind.", visibility="firm", finding=findings["open"])
    pages = [
        reverse("cases:closeout", args=[closeout.pk]),
        reverse("findings:detail", args=[findings["open"].pk]),
        reverse("cases:detail", args=[case.pk]),
    ]
    names = [dod_reviewer.get_full_name(), dod_supervisor.get_full_name()]
    firm = client_for(alex)
    for url in pages:
        page = text(firm.get(url))
        assert not [name for name in names if name in page], url
    finding_page = words(firm.get(pages[1]))
    assert "Author DoD; released by DoD on" in finding_page
    assert "DoD · " in finding_page  # the comment's author
    # The agencies read names.
    assert dod_supervisor.get_full_name() in text(client_for(dod_reviewer).get(pages[1]))

    settings.CHECKPOINT_FIRMS_SEE_REVIEWER_NAMES = True
    assert dod_supervisor.get_full_name() in text(firm.get(pages[1]))
    assert dod_reviewer.get_full_name() in text(firm.get(pages[0]))
