"""Concluding a review: a reviewer requests the closeout; a supervisor of each assigned agency
approves it or returns it with a reason; the case closes when every agency approved."""

import pytest

from cases.models import CarriedForwardFinding, CaseState, Closeout, CloseoutState, Decision
from cases.permissions import CHANGE_CASE, REVIEW_CASE, VIEW_CASE
from cases.selectors import cases_for
from core.permissions import has
from findings.services import finding_resolve, finding_withdraw
from tests import builders
from tests.assertions import audit_events, refused
from tests.builders import released
from workflow.services import closeout_decide, closeout_request


@pytest.fixture
def case(alex, coordinator):
    """A Northwind case under review by DoD and the Treasury."""
    return builders.make_case(alex, state="in_review", agencies=("dod", "treasury"), coordinator=coordinator)


def request(case, reviewer, **kwargs):
    return closeout_request(case=case, actor=reviewer, summary="Two findings, both addressed.", **kwargs)


# --- request -----------------------------------------------------------------------------------


def test_a_reviewer_requests_the_closeout(case, dod_reviewer):
    closeout = request(case, dod_reviewer)

    case.refresh_from_db()
    assert case.state == CaseState.CLOSEOUT_REQUESTED
    assert (closeout.state, closeout.requested_by, closeout.summary) == (
        CloseoutState.PENDING,
        dod_reviewer,
        "Two findings, both addressed.",
    )
    [event] = audit_events("closeout.requested", case=case)
    assert event.actor == dod_reviewer
    assert event.data == {"closeout": closeout.pk, "carried_forward": []}


def test_resolved_and_withdrawn_findings_do_not_hold_up_the_closeout(case, dod_reviewer, dod_supervisor):
    resolved = released(case, dod_reviewer, dod_supervisor, visibility="firm")
    finding_resolve(finding=resolved, actor=dod_reviewer, note="Mitigation verified.")
    withdrawn = released(case, dod_reviewer, dod_supervisor, visibility="firm")
    finding_withdraw(finding=withdrawn, actor=dod_reviewer, reason="Could not reproduce.")

    closeout = request(case, dod_reviewer)
    assert closeout.state == CloseoutState.PENDING


def test_open_released_findings_must_be_carried_forward_with_a_reason(case, dod_reviewer, dod_supervisor):
    finding = released(case, dod_reviewer, dod_supervisor, visibility="firm")
    message = f"Findings #{finding.pk} are still open: resolve or withdraw them, or carry them forward with a reason."
    with refused(message):
        request(case, dod_reviewer)
    with refused(message):
        request(case, dod_reviewer, carried_forward={finding.pk: "  "})

    closeout = request(case, dod_reviewer, carried_forward={finding.pk: "The firm declined to act; its right."})

    [carried] = CarriedForwardFinding.objects.filter(closeout=closeout)
    assert (carried.finding, carried.reason) == (finding, "The firm declined to act; its right.")
    [event] = audit_events("closeout.requested", case=case)
    assert event.data["carried_forward"] == [finding.pk]


def test_only_open_findings_of_the_case_are_carried_forward(case, dod_reviewer, dod_supervisor):
    finding = released(case, dod_reviewer, dod_supervisor, visibility="firm")
    finding_resolve(finding=finding, actor=dod_reviewer, note="Mitigation verified.")
    with refused("Only open released findings of this case can be carried forward."):
        request(case, dod_reviewer, carried_forward={finding.pk: "Already resolved"})


def test_a_closeout_request_needs_a_summary(case, dod_reviewer):
    with refused("Write a summary of the review for the closeout."):
        closeout_request(case=case, actor=dod_reviewer, summary=" ")


def test_only_an_assigned_agency_requests_a_closeout(case, alex, coordinator, cisa_reviewer):
    for someone in (alex, coordinator, cisa_reviewer):
        with refused(
            f"Only reviewers of an agency assigned to {case.reference} can request a closeout.", code="forbidden"
        ):
            request(case, someone)


def test_a_closeout_is_requested_once_at_a_time(case, dod_reviewer, treasury_reviewer):
    request(case, dod_reviewer)
    with refused(f"Case {case.reference} is closeout requested; you can request a closeout only when it is in review."):
        request(case, treasury_reviewer)


# --- decide ------------------------------------------------------------------------------------


def test_the_case_closes_only_when_every_assigned_agency_approved(
    case, alex, coordinator, dod_reviewer, dod_supervisor, treasury_reviewer, treasury_supervisor
):
    closeout = request(case, dod_reviewer)

    first = closeout_decide(closeout=closeout, actor=dod_supervisor, approve=True, statement="The review is concluded.")

    case.refresh_from_db()
    closeout.refresh_from_db()
    assert (first.agency.code, first.decision, first.supervisor) == ("dod", Decision.APPROVED, dod_supervisor)
    assert case.state == CaseState.CLOSEOUT_REQUESTED
    assert closeout.state == CloseoutState.PENDING
    assert audit_events("case.closed") == []

    closeout_decide(closeout=closeout, actor=treasury_supervisor, approve=True, statement="The review is concluded.")

    case.refresh_from_db()
    closeout.refresh_from_db()
    assert case.state == CaseState.CLOSED
    assert case.closed_at is not None
    assert closeout.state == CloseoutState.APPROVED
    approvals = audit_events("closeout.approved", case=case)
    assert [(e.actor, e.data["agency"], e.data["outcome"]) for e in approvals] == [
        (dod_supervisor, "dod", "approved"),
        (treasury_supervisor, "treasury", "closed"),
    ]
    [closed] = audit_events("case.closed", case=case)
    assert closed.actor == treasury_supervisor
    assert closed.data["record"].startswith("Review concluded.")
    assert "not a permission to deploy" in closed.data["record"]
    # Read-only for everyone; still visible to all who saw it.
    for viewer in (alex, coordinator, dod_reviewer, treasury_reviewer):
        assert list(cases_for(viewer)) == [case]
    assert not has(alex, CHANGE_CASE, case)
    assert not has(dod_reviewer, REVIEW_CASE, case)
    assert not has(treasury_supervisor, REVIEW_CASE, case)


def test_a_return_sends_the_case_back_to_review_and_a_new_request_can_follow(
    case, dod_reviewer, dod_supervisor, treasury_reviewer, treasury_supervisor
):
    closeout = request(case, dod_reviewer)
    closeout_decide(closeout=closeout, actor=dod_supervisor, approve=True, statement="The review is concluded.")

    returned = closeout_decide(
        closeout=closeout, actor=treasury_supervisor, approve=False, reason="The payments finding needs a retest."
    )

    case.refresh_from_db()
    closeout.refresh_from_db()
    assert (returned.decision, returned.reason) == (Decision.RETURNED, "The payments finding needs a retest.")
    assert case.state == CaseState.IN_REVIEW
    assert closeout.state == CloseoutState.RETURNED
    assert closeout.decided_at is not None
    assert has(treasury_reviewer, REVIEW_CASE, case)
    [event] = audit_events("closeout.returned", case=case)
    assert (event.actor, event.data["outcome"]) == (treasury_supervisor, "returned")

    again = request(case, treasury_reviewer)
    case.refresh_from_db()
    assert case.state == CaseState.CLOSEOUT_REQUESTED
    assert again.state == CloseoutState.PENDING
    assert list(Closeout.objects.filter(case=case).order_by("pk")) == [closeout, again]


def test_the_requester_cannot_approve_their_own_closeout(case, dod_supervisor):
    closeout = request(case, dod_supervisor)
    with refused("You requested this closeout, so another supervisor must decide it."):
        closeout_decide(closeout=closeout, actor=dod_supervisor, approve=True, statement="The review is concluded.")


def test_a_reviewer_cannot_decide_a_closeout(case, dod_reviewer, treasury_reviewer):
    closeout = request(case, dod_reviewer)
    with refused(
        f"Only a supervisor of an agency assigned to {case.reference} can decide a closeout.", code="forbidden"
    ):
        closeout_decide(closeout=closeout, actor=treasury_reviewer, approve=True, statement="The review is concluded.")


def test_a_supervisor_of_an_unassigned_agency_cannot_decide(case, dod_reviewer, cisa_supervisor):
    closeout = request(case, dod_reviewer)
    with refused(
        f"Only a supervisor of an agency assigned to {case.reference} can decide a closeout.", code="forbidden"
    ):
        closeout_decide(closeout=closeout, actor=cisa_supervisor, approve=True, statement="The review is concluded.")


def test_an_agency_decides_once(case, dod_reviewer, dod_supervisor):
    other_supervisor = builders.make_agency_member("dod", role="supervisor")
    closeout = request(case, dod_reviewer)
    closeout_decide(closeout=closeout, actor=dod_supervisor, approve=True, statement="The review is concluded.")
    with refused("DoD has already decided on this closeout."):
        closeout_decide(closeout=closeout, actor=other_supervisor, approve=False, reason="Second thoughts")


def test_a_return_needs_a_reason(case, dod_reviewer, dod_supervisor):
    closeout = request(case, dod_reviewer)
    with refused("Say why the closeout is returned: the reviewers will see your reason."):
        closeout_decide(closeout=closeout, actor=dod_supervisor, approve=False, reason="  ")


def test_a_returned_closeout_is_not_decided_again(case, dod_reviewer, dod_supervisor, treasury_supervisor):
    closeout = request(case, dod_reviewer)
    closeout_decide(closeout=closeout, actor=dod_supervisor, approve=False, reason="Retest needed")
    with refused("This closeout is returned for more review; there is nothing to decide."):
        closeout_decide(
            closeout=closeout, actor=treasury_supervisor, approve=True, statement="The review is concluded."
        )


def test_a_supervisor_does_not_approve_over_their_agencys_open_findings(
    case, dod_reviewer, treasury_reviewer, treasury_supervisor
):
    # The Treasury's finding is kept within the Treasury: the DoD requester cannot see it, so the
    # Treasury's supervisor answers for it when deciding.
    finding = released(case, treasury_reviewer, treasury_supervisor, visibility="agency")
    closeout = request(case, dod_reviewer)
    with refused(
        f"Treasury's findings #{finding.pk} are open and not carried forward: "
        "return the closeout so they can be addressed."
    ):
        closeout_decide(
            closeout=closeout, actor=treasury_supervisor, approve=True, statement="The review is concluded."
        )

    closeout_decide(
        closeout=closeout, actor=treasury_supervisor, approve=False, reason=f"Finding #{finding.pk} is open"
    )
    case.refresh_from_db()
    assert case.state == CaseState.IN_REVIEW


def test_a_carried_forward_finding_does_not_block_approval(case, dod_reviewer, dod_supervisor, treasury_supervisor):
    other_reviewer = builders.make_agency_member("dod")
    finding = released(case, other_reviewer, dod_supervisor, visibility="firm")
    closeout = request(case, dod_reviewer, carried_forward={finding.pk: "Declined by the firm"})
    closeout_decide(closeout=closeout, actor=dod_supervisor, approve=True, statement="The review is concluded.")
    closeout_decide(closeout=closeout, actor=treasury_supervisor, approve=True, statement="The review is concluded.")
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    assert has(dod_reviewer, VIEW_CASE, case)
