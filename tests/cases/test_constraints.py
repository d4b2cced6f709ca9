"""The rules the database holds by itself, even for code that bypasses the services."""

import pytest
from django.db import IntegrityError, transaction

from agencies.models import Agency, AgencyMembership
from cases.models import CloseoutDecision, ReviewCase
from firms.models import FirmMembership
from tests import builders
from tests.builders import days
from workflow.services import closeout_decide, closeout_request


def orm_case(liaison, *, reference, access_offset, sharing_offset):
    return ReviewCase.objects.create(
        model=builders.make_model(liaison),
        reference=reference,
        access_date=days(access_offset),
        sharing_date=days(sharing_offset),
        created_by=liaison,
    )


def test_the_database_refuses_a_31_day_window(alex):
    with pytest.raises(IntegrityError, match="case_review_window_at_most_30_days"), transaction.atomic():
        orm_case(alex, reference="CP-1999-0001", access_offset=1, sharing_offset=32)
    assert orm_case(alex, reference="CP-1999-0002", access_offset=1, sharing_offset=31).pk


def test_the_database_refuses_a_sharing_date_not_after_the_access_date(alex):
    with pytest.raises(IntegrityError, match="case_review_window_at_most_30_days"), transaction.atomic():
        orm_case(alex, reference="CP-1999-0001", access_offset=5, sharing_offset=5)


def test_the_database_refuses_a_widened_window_on_update(alex):
    case = builders.make_case(alex, days_to_sharing=20, window_days=30)
    with pytest.raises(IntegrityError, match="case_review_window_at_most_30_days"), transaction.atomic():
        ReviewCase.objects.filter(pk=case.pk).update(sharing_date=days(21))


def test_the_database_refuses_a_duplicate_reference(alex):
    case = builders.make_case(alex)
    with pytest.raises(IntegrityError, match="reference"), transaction.atomic():
        orm_case(alex, reference=case.reference, access_offset=1, sharing_offset=10)


def test_the_database_refuses_a_second_decision_of_one_agency_on_a_closeout(
    alex, coordinator, dod_reviewer, dod_supervisor, treasury_supervisor
):
    case = builders.make_case(alex, state="in_review", agencies=("dod", "treasury"), coordinator=coordinator)
    closeout = closeout_request(case=case, actor=dod_reviewer, summary="Done.")
    closeout_decide(closeout=closeout, actor=dod_supervisor, approve=True, statement="The review is concluded.")
    with pytest.raises(IntegrityError, match="closeout_one_decision_per_agency"), transaction.atomic():
        CloseoutDecision.objects.create(
            closeout=closeout,
            agency=Agency.objects.get(code="dod"),
            supervisor=treasury_supervisor,
            decision="returned",
            reason="Bypassing the service",
        )
    assert closeout.decisions.count() == 1


def test_the_database_refuses_a_return_without_reason(alex, coordinator, dod_reviewer, dod_supervisor):
    case = builders.make_case(alex, state="in_review", coordinator=coordinator)
    closeout = closeout_request(case=case, actor=dod_reviewer, summary="Done.")
    with pytest.raises(IntegrityError, match="decision_return_needs_reason"), transaction.atomic():
        CloseoutDecision.objects.create(
            closeout=closeout, agency=Agency.objects.get(code="dod"), supervisor=dod_supervisor, decision="returned"
        )


def test_the_database_refuses_a_second_pending_closeout(alex, coordinator, dod_reviewer):
    case = builders.make_case(alex, state="in_review", coordinator=coordinator)
    closeout_request(case=case, actor=dod_reviewer, summary="Done.")
    with pytest.raises(IntegrityError, match="closeout_one_pending_per_case"), transaction.atomic():
        case.closeouts.create(requested_by=dod_reviewer, summary="Again")


def test_the_database_refuses_a_second_firm_membership(alex, lumen):
    with pytest.raises(IntegrityError, match="user_id"), transaction.atomic():
        FirmMembership.objects.create(user=alex, firm=lumen)
    assert FirmMembership.objects.filter(user=alex).count() == 1


def test_the_database_refuses_a_second_agency_membership(dod_reviewer):
    with pytest.raises(IntegrityError, match="user_id"), transaction.atomic():
        AgencyMembership.objects.create(user=dod_reviewer, agency=Agency.objects.get(code="cisa"), role="reviewer")
