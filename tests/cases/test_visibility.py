"""Who sees a case (docs/design.md, "Who sees what"), and a closed or withdrawn case being read-only
for everyone: still visible to those who saw it, changed by no one."""

import pytest
from django.http import Http404

from agencies.models import Agency
from cases.models import CaseState, ReviewCase
from cases.permissions import CHANGE_CASE, REVIEW_CASE, VIEW_CASE
from cases.selectors import cases_for, get_case_for
from cases.services import case_assign_reviewers, case_edit, case_move_sharing_date, case_withdraw
from core.permissions import has, visible
from documents.permissions import VIEW_DOCUMENT
from tests import builders
from tests.assertions import refused
from tests.builders import days
from workflow.services import case_assign_agencies, case_submit, closeout_decide, closeout_request


def test_an_unassigned_agency_sees_nothing_of_a_case(
    alex, coordinator, dod_reviewer, treasury_reviewer, treasury_supervisor
):
    case = builders.make_case(alex, state="in_review", coordinator=coordinator)
    assert list(cases_for(dod_reviewer)) == [case]

    for outsider in (treasury_reviewer, treasury_supervisor):
        assert list(cases_for(outsider)) == []
        assert list(cases_for(outsider, REVIEW_CASE)) == []
        assert not visible(outsider, VIEW_DOCUMENT).filter(case=case).exists()
        with pytest.raises(Http404):
            get_case_for(outsider, case.pk)


def test_a_missing_case_and_a_forbidden_one_answer_alike(alex, kim):
    case = builders.make_case(alex)
    with pytest.raises(Http404) as forbidden:
        get_case_for(kim, case.pk)
    with pytest.raises(Http404) as missing:
        get_case_for(kim, case.pk + 1000)
    assert str(forbidden.value) == str(missing.value)


def test_a_draft_is_seen_by_its_firm_alone(alex, sam, kim, coordinator, dod_reviewer, dod_supervisor):
    case = builders.make_case(alex)
    assert get_case_for(sam, case.pk) == case
    for outsider in (kim, coordinator, dod_reviewer, dod_supervisor):
        assert list(cases_for(outsider)) == []
        with pytest.raises(Http404):
            get_case_for(outsider, case.pk)


def test_a_submitted_case_is_seen_by_coordinators_not_yet_by_agencies(alex, coordinator, dod_reviewer):
    case = builders.make_case(alex, state="submitted")
    assert list(cases_for(coordinator)) == [case]
    assert get_case_for(coordinator, case.pk) == case
    assert not has(coordinator, CHANGE_CASE, case)
    assert list(cases_for(dod_reviewer)) == []


def test_firms_never_see_each_others_cases(alex, kim, coordinator):
    ours = builders.make_case(alex, state="in_review", coordinator=coordinator)
    theirs = builders.make_case(kim, state="in_review", coordinator=coordinator)
    assert list(cases_for(alex)) == [ours]
    assert list(cases_for(kim)) == [theirs]
    assert set(cases_for(coordinator)) == {ours, theirs}


def test_a_deactivated_liaison_sees_nothing(alex, sam):
    case = builders.make_case(alex)
    sam.is_active = False
    sam.save(update_fields=["is_active"])
    assert list(cases_for(sam)) == []
    with pytest.raises(Http404):
        get_case_for(sam, case.pk)


# --- read-only after closed or withdrawn --------------------------------------------------------


@pytest.fixture
def other_dod_supervisor(db):
    return builders.make_agency_member("dod", role="supervisor")


def _closed_case(alex, coordinator, dod_reviewer, dod_supervisor):
    case = builders.make_case(alex, state="in_review", coordinator=coordinator)
    closeout = closeout_request(case=case, actor=dod_reviewer, summary="Done.")
    closeout_decide(closeout=closeout, actor=dod_supervisor, approve=True, statement="The review is concluded.")
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    return case, closeout


def _withdrawn_case(alex, coordinator, dod_reviewer, dod_supervisor):
    case = builders.make_case(alex, state="in_review", coordinator=coordinator)
    closeout = closeout_request(case=case, actor=dod_reviewer, summary="Done.")
    case_withdraw(case=case, actor=alex, reason="Not sharing this version.")
    case.refresh_from_db()
    return case, closeout


@pytest.mark.parametrize("make", [_closed_case, _withdrawn_case], ids=["closed", "withdrawn"])
def test_a_finished_case_stays_visible_but_nobody_can_change_it(
    make, alex, sam, coordinator, dod_reviewer, dod_supervisor, other_dod_supervisor
):
    case, closeout = make(alex, coordinator, dod_reviewer, dod_supervisor)
    read_only = f"Case {case.reference} is {case.get_state_display().lower()}: it is read-only."

    for viewer in (alex, sam, coordinator, dod_reviewer, dod_supervisor):
        assert list(cases_for(viewer)) == [case]
        assert get_case_for(viewer, case.pk) == case
        assert has(viewer, VIEW_CASE, case)
        assert not has(viewer, CHANGE_CASE, case)
        assert not has(viewer, REVIEW_CASE, case)

    with refused(read_only):
        case_edit(case=case, actor=sam, trusted_partners="Someone new")
    with refused(read_only):
        case_submit(case=case, actor=alex)
    with refused(read_only):
        case_move_sharing_date(case=case, actor=alex, new_sharing_date=days(25), reason="Later")
    with refused(read_only):
        case_withdraw(case=case, actor=alex)
    with refused(read_only):
        case_assign_agencies(case=case, agencies=Agency.objects.filter(code="cisa"), actor=coordinator)
    with refused(read_only):
        case_assign_reviewers(case=case, reviewers=[dod_reviewer], actor=dod_supervisor)
    with refused(read_only):
        closeout_request(case=case, actor=dod_reviewer, summary="Once more")
    with refused(read_only):
        closeout_decide(closeout=closeout, actor=other_dod_supervisor, approve=False, reason="Reopen")


def test_withdraw_after_close_is_refused(alex, coordinator, dod_reviewer, dod_supervisor):
    case, _ = _closed_case(alex, coordinator, dod_reviewer, dod_supervisor)
    with refused(f"Case {case.reference} is closed (review concluded): it is read-only."):
        case_withdraw(case=case, actor=alex, reason="Too late")


def test_a_stale_copy_of_a_closed_case_is_still_refused_as_read_only(alex, coordinator, dod_reviewer, dod_supervisor):
    case = builders.make_case(alex, state="in_review", coordinator=coordinator)
    stale = ReviewCase.objects.get(pk=case.pk)
    closeout = closeout_request(case=case, actor=dod_reviewer, summary="Done.")
    closeout_decide(closeout=closeout, actor=dod_supervisor, approve=True, statement="The review is concluded.")
    assert stale.state == CaseState.IN_REVIEW
    with refused(f"Case {case.reference} is closed (review concluded): it is read-only."):
        case_withdraw(case=stale, actor=alex)


def test_outsiders_learn_nothing_about_a_finished_case(alex, kim, coordinator, dod_reviewer, dod_supervisor):
    case, _ = _closed_case(alex, coordinator, dod_reviewer, dod_supervisor)
    with refused("Only a liaison of the case's firm can withdraw it.", code="forbidden"):
        case_withdraw(case=case, actor=kim)
