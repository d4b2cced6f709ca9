"""A case from draft to review, and its withdrawal: create, edit, submit, assign agencies, assign
reviewers, withdraw. Each success shows what a user notices; each refusal changes nothing."""

import re

import pytest
from django.http import Http404

from agencies.models import Agency
from cases.models import CaseState, Closeout, CloseoutState, ReviewerAssignment
from cases.permissions import CHANGE_CASE, REVIEW_CASE, VIEW_CASE
from cases.selectors import cases_for, get_case_for
from cases.services import case_assign_reviewers, case_create, case_edit, case_move_sharing_date, case_withdraw
from core.permissions import has
from tests import builders
from tests.assertions import audit_events, refused
from tests.builders import days, released
from workflow.services import case_assign_agencies, case_submit, closeout_request


def agencies(*codes):
    return Agency.objects.filter(code__in=codes)


# --- create ------------------------------------------------------------------------------------


def test_a_liaison_opens_a_draft_only_their_firm_can_list(alex, sam, kim, dod_reviewer, coordinator):
    model = builders.make_model(alex)

    case = case_create(
        model=model,
        actor=alex,
        access_date=days(5),
        sharing_date=days(30),
        trusted_partners=" Example Bank ",
        evaluator_access="API keys",
    )

    assert re.fullmatch(rf"CP-{days(0).year}-\d{{4}}", case.reference)
    assert case.state == CaseState.DRAFT
    assert (case.access_date, case.sharing_date, case.trusted_partners) == (days(5), days(30), "Example Bank")
    assert list(cases_for(alex)) == [case]
    assert list(cases_for(sam)) == [case]
    for outsider in (kim, dod_reviewer, coordinator):
        assert list(cases_for(outsider)) == []
    assert has(sam, CHANGE_CASE, case)
    [event] = audit_events("case.created", case=case)
    assert event.actor == alex
    assert event.data["reference"] == case.reference
    assert event.data["sharing_date"] == days(30).isoformat()


def test_a_case_may_start_without_dates(alex):
    case = case_create(model=builders.make_model(alex), actor=alex)
    assert (case.access_date, case.sharing_date) == (None, None)


def test_only_the_models_firm_opens_a_case_for_it(alex, kim, dod_reviewer, coordinator):
    model = builders.make_model(alex)
    for outsider in (kim, dod_reviewer, coordinator):
        with refused("Only a liaison of the model's firm can open a case for it.", code="forbidden"):
            case_create(model=model, actor=outsider, access_date=days(1), sharing_date=days(10))


# --- edit --------------------------------------------------------------------------------------


def test_the_firm_edits_its_draft_dates_and_the_audit_keeps_before_and_after(alex, sam):
    case = builders.make_case(alex)
    old_sharing = case.sharing_date

    case_edit(case=case, actor=sam, sharing_date=days(22), model_snapshot=" ckpt-7 ")

    case.refresh_from_db()
    assert (case.sharing_date, case.model_snapshot) == (days(22), "ckpt-7")
    [event] = audit_events("case.edited", case=case)
    assert event.actor == sam
    assert event.data["fields"] == ["model_snapshot", "sharing_date"]
    assert event.data["sharing_date"] == {"from": old_sharing.isoformat(), "to": days(22).isoformat()}


def test_an_edit_that_changes_nothing_writes_no_audit_event(alex):
    case = builders.make_case(alex)
    case_edit(case=case, actor=alex, trusted_partners="Example partner ")
    assert audit_events("case.edited") == []


def test_after_submission_the_dates_are_not_edited_but_the_description_is(alex, coordinator):
    case = builders.make_case(alex, state="submitted")
    with refused(
        "Once a case is submitted its access date is fixed and its sharing date moves only "
        "through 'Move the sharing date', with a reason."
    ):
        case_edit(case=case, actor=alex, sharing_date=days(21))
    with refused("These fields cannot be edited: state."):
        case_edit(case=case, actor=alex, state=CaseState.CLOSED)

    case_edit(case=case, actor=alex, safeguard_configuration="Output filter v3")
    case.refresh_from_db()
    assert case.safeguard_configuration == "Output filter v3"
    assert case.state == CaseState.SUBMITTED


# --- submit ------------------------------------------------------------------------------------


def test_submitting_hands_the_case_to_the_coordinators_but_not_yet_to_agencies(alex, coordinator, dod_reviewer):
    case = builders.make_case(alex)
    builders.attach_document(case, alex, "system_card")
    builders.attach_document(case, alex, "access_instructions")
    assert list(cases_for(coordinator)) == []

    case_submit(case=case, actor=alex)

    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED
    assert case.submitted_at is not None
    assert list(cases_for(coordinator)) == [case]
    assert get_case_for(coordinator, case.pk) == case
    assert list(cases_for(dod_reviewer)) == []
    [event] = audit_events("case.submitted", case=case)
    assert event.actor == alex


def test_submit_needs_a_system_card(alex):
    case = builders.make_case(alex)
    builders.attach_document(case, alex, "access_instructions")
    with refused(f"Before submitting {case.reference}, add a system card."):
        case_submit(case=case, actor=alex)


def test_submit_needs_access_instructions(alex):
    case = builders.make_case(alex)
    builders.attach_document(case, alex, "system_card")
    with refused(f"Before submitting {case.reference}, add access instructions."):
        case_submit(case=case, actor=alex)


def test_submit_lists_everything_missing(alex):
    case = case_create(model=builders.make_model(alex), actor=alex)
    with refused(
        f"Before submitting {case.reference}, add an access date, a sharing date, a system card "
        "and access instructions."
    ):
        case_submit(case=case, actor=alex)


@pytest.mark.parametrize("days_to_sharing", [0, -3], ids=["today", "past"])
def test_submit_needs_a_sharing_date_in_the_future(alex, days_to_sharing):
    case = builders.make_case(alex, days_to_sharing=days_to_sharing)
    builders.attach_document(case, alex, "system_card")
    builders.attach_document(case, alex, "access_instructions")
    with refused("The sharing date must be in the future to submit the case."):
        case_submit(case=case, actor=alex)


def test_a_case_is_submitted_once(alex):
    case = builders.make_case(alex, state="submitted")
    with refused(f"Case {case.reference} is submitted; you can submit it only when it is draft."):
        case_submit(case=case, actor=alex)


# --- assign agencies -----------------------------------------------------------------------------


def test_assigning_agencies_starts_the_review_and_opens_the_case_to_them(
    alex, coordinator, dod_reviewer, dod_supervisor, treasury_reviewer
):
    case = builders.make_case(alex, state="submitted")

    case_assign_agencies(case=case, agencies=agencies("dod"), actor=coordinator)

    case.refresh_from_db()
    assert case.state == CaseState.IN_REVIEW
    assert list(case.assigned_agencies.values_list("code", flat=True)) == ["dod"]
    for member in (dod_reviewer, dod_supervisor):
        assert list(cases_for(member)) == [case]
        assert has(member, REVIEW_CASE, case)
    assert list(cases_for(treasury_reviewer)) == []
    [event] = audit_events("case.agencies_assigned", case=case)
    assert event.actor == coordinator
    assert event.data == {"added": ["dod"], "removed": [], "state": "in_review"}


def test_a_coordinator_adds_and_removes_agencies_during_the_review(alex, coordinator, treasury_reviewer):
    case = builders.make_case(alex, state="in_review", coordinator=coordinator)

    case_assign_agencies(case=case, agencies=agencies("dod", "treasury"), actor=coordinator)
    assert list(cases_for(treasury_reviewer)) == [case]

    case_assign_agencies(case=case, agencies=agencies("dod"), actor=coordinator)
    assert list(cases_for(treasury_reviewer)) == []
    assert not has(treasury_reviewer, VIEW_CASE, case)
    with pytest.raises(Http404):
        get_case_for(treasury_reviewer, case.pk)
    added, removed = audit_events("case.agencies_assigned", case=case)[1:]
    assert (added.data["added"], removed.data["removed"]) == (["treasury"], ["treasury"])


def test_only_a_coordinator_assigns_agencies(alex, dod_supervisor, coordinator):
    case = builders.make_case(alex, state="submitted")
    for someone in (alex, dod_supervisor):
        with refused("Only a program coordinator can assign agencies.", code="forbidden"):
            case_assign_agencies(case=case, agencies=agencies("dod"), actor=someone)
    with refused("Assign at least one agency."):
        case_assign_agencies(case=case, agencies=[], actor=coordinator)


def test_a_draft_cannot_be_assigned(alex, coordinator):
    case = builders.make_case(alex)
    # A draft is the firm's own: to the program office it does not exist yet.
    with refused("Only a program coordinator can assign agencies.", code="forbidden"):
        case_assign_agencies(case=case, agencies=agencies("dod"), actor=coordinator)


def test_an_agency_with_findings_cannot_be_unassigned(alex, coordinator, treasury_reviewer, treasury_supervisor):
    case = builders.make_case(alex, state="in_review", agencies=("dod", "treasury"), coordinator=coordinator)
    released(case, treasury_reviewer, treasury_supervisor, visibility="agency")
    with refused(f"Treasury has findings or working files on {case.reference} and cannot be unassigned."):
        case_assign_agencies(case=case, agencies=agencies("dod"), actor=coordinator)
    assert list(cases_for(treasury_reviewer)) == [case]


# --- assign reviewers --------------------------------------------------------------------------


def test_a_supervisor_puts_their_reviewers_on_the_case_with_a_lead(alex, coordinator, dod_supervisor, dod_reviewer):
    case = builders.make_case(alex, state="in_review", coordinator=coordinator)
    second = builders.make_agency_member("dod")

    case_assign_reviewers(case=case, reviewers=[dod_reviewer, second], lead=dod_reviewer, actor=dod_supervisor)

    rows = ReviewerAssignment.objects.filter(case=case)
    assert {(r.reviewer, r.is_lead, r.agency.code) for r in rows} == {
        (dod_reviewer, True, "dod"),
        (second, False, "dod"),
    }
    [event] = audit_events("case.reviewers_assigned", case=case)
    assert event.actor == dod_supervisor
    assert event.data["lead"] == dod_reviewer.pk
    assert event.data["added"] == sorted([dod_reviewer.pk, second.pk])

    case_assign_reviewers(case=case, reviewers=[second], actor=dod_supervisor)
    assert list(case.assigned_reviewers.all()) == [second]


def test_assigning_reviewers_is_refused_to_reviewers_and_for_outsiders(
    alex, coordinator, dod_supervisor, dod_reviewer, treasury_reviewer, treasury_supervisor
):
    case = builders.make_case(alex, state="in_review", coordinator=coordinator)
    with refused(
        f"Only a supervisor of an agency assigned to {case.reference} can assign reviewers.", code="forbidden"
    ):
        case_assign_reviewers(case=case, reviewers=[dod_reviewer], actor=dod_reviewer)
    with refused(
        f"Only a supervisor of an agency assigned to {case.reference} can assign reviewers.", code="forbidden"
    ):
        case_assign_reviewers(case=case, reviewers=[treasury_reviewer], actor=treasury_supervisor)
    with refused("Only active members of DoD can be assigned: reviewer@treasury.test."):
        case_assign_reviewers(case=case, reviewers=[dod_reviewer, treasury_reviewer], actor=dod_supervisor)
    with refused("The lead reviewer must be one of the assigned reviewers."):
        case_assign_reviewers(case=case, reviewers=[dod_reviewer], lead=dod_supervisor, actor=dod_supervisor)


def test_reviewers_are_assigned_only_once_the_review_started(alex, coordinator, dod_supervisor, dod_reviewer):
    case = builders.make_case(alex, state="submitted")
    # No agency is assigned yet, so the supervisor's agency has no right on the case.
    with refused(
        f"Only a supervisor of an agency assigned to {case.reference} can assign reviewers.", code="forbidden"
    ):
        case_assign_reviewers(case=case, reviewers=[dod_reviewer], actor=dod_supervisor)


# --- withdraw ----------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["draft", "submitted", "in_review"])
def test_the_firm_withdraws_its_case_before_closeout(alex, sam, coordinator, dod_reviewer, state):
    case = builders.make_case(alex, state=state, coordinator=coordinator)

    case_withdraw(case=case, actor=sam, reason="We are not sharing this version after all.")

    case.refresh_from_db()
    assert case.state == CaseState.WITHDRAWN
    assert case.withdrawn_at is not None
    assert case.withdrawal_reason == "We are not sharing this version after all."
    assert list(cases_for(alex)) == [case]
    assert not has(alex, CHANGE_CASE, case)
    [event] = audit_events("case.withdrawn", case=case)
    assert event.actor == sam
    assert event.data == {"from_state": state}


def test_withdrawing_during_closeout_cancels_the_pending_request(alex, coordinator, dod_reviewer):
    case = builders.make_case(alex, state="in_review", coordinator=coordinator)
    closeout = closeout_request(case=case, actor=dod_reviewer, summary="Nothing further.")

    case_withdraw(case=case, actor=alex)

    closeout.refresh_from_db()
    assert closeout.state == CloseoutState.CANCELLED
    assert closeout.decided_at is not None
    assert not Closeout.objects.filter(case=case, state=CloseoutState.PENDING).exists()
    assert not has(dod_reviewer, REVIEW_CASE, case)


def test_a_withdrawn_case_is_not_withdrawn_again(alex):
    case = builders.make_case(alex, state="submitted")
    case_withdraw(case=case, actor=alex)
    with refused(f"Case {case.reference} is withdrawn by the firm: it is read-only."):
        case_withdraw(case=case, actor=alex)


def test_only_the_firm_withdraws(alex, coordinator, dod_supervisor):
    case = builders.make_case(alex, state="in_review", coordinator=coordinator)
    for someone in (coordinator, dod_supervisor):
        with refused("Only a liaison of the case's firm can withdraw it.", code="forbidden"):
            case_withdraw(case=case, actor=someone)


# --- another firm ------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["draft", "in_review"])
def test_a_lumen_liaison_can_do_nothing_to_a_northwind_case(alex, kim, coordinator, state):
    case = builders.make_case(alex, state=state, coordinator=coordinator)
    builders.attach_document(case, alex, "system_card")
    builders.attach_document(case, alex, "access_instructions")

    assert list(cases_for(kim)) == []
    with pytest.raises(Http404):
        get_case_for(kim, case.pk)
    with refused("Only a liaison of the case's firm can edit it.", code="forbidden"):
        case_edit(case=case, actor=kim, trusted_partners="Lumen's friends")
    with refused("Only a liaison of the case's firm can submit it.", code="forbidden"):
        case_submit(case=case, actor=kim)
    with refused("Only a liaison of the case's firm can move its sharing date.", code="forbidden"):
        case_move_sharing_date(case=case, actor=kim, new_sharing_date=days(19), reason="Because")
    with refused("Only a liaison of the case's firm can withdraw it.", code="forbidden"):
        case_withdraw(case=case, actor=kim)
    with refused("Only a program coordinator can assign agencies.", code="forbidden"):
        case_assign_agencies(case=case, agencies=agencies("cisa"), actor=kim)
