"""Finding response due, closeout awaiting decision and case awaiting triage: each threshold, to
the people docs/design.md's table names, and nothing once the condition is gone."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from findings import services as finding_services
from notifications.models import Reminder
from tests import builders
from tests.builders import released
from tests.notifications.conftest import inbox, local, reminders, sent_to
from workflow import services as workflow_services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_event_notices")]

# --- finding response due --------------------------------------------------------------------


@pytest.fixture
def finding(clock, alex, sam, dod_reviewer, dod_supervisor, coordinator):
    clock(local(2026, 4, 1, 10))
    case = builders.make_case(
        alex,
        state="in_review",
        sharing_date=datetime.date(2026, 4, 28),
        coordinator=coordinator,
        reviewers={dod_supervisor: dod_reviewer},
    )
    return released(case, dod_reviewer, dod_supervisor, visibility="firm", response_due=datetime.date(2026, 4, 10))


def test_response_due_reminds_the_firms_liaisons_3_and_1_days_before_and_once_overdue(
    clock, sweep, finding, alex, sam, kim, dod_reviewer
):
    ref = finding.case.reference
    steps = [
        (7, f"{ref}: the firm's response to finding #{finding.pk} is due in 3 days, on Apr 10, 2026"),
        (9, f"{ref}: the firm's response to finding #{finding.pk} is due tomorrow, Apr 10, 2026"),
        (11, f"{ref}: the firm's response to finding #{finding.pk} was due on Apr 10, 2026 and is overdue"),
    ]
    for number, (day, text) in enumerate(steps, start=1):
        clock(local(2026, 4, day, 7, 59))
        sweep()
        clock(local(2026, 4, day, 8))
        sweep()
        for liaison in (alex, sam):
            assert len(sent_to(liaison.email)) == number
            assert sent_to(liaison.email)[-1] == f"[Checkpoint] {text}"
            assert inbox(liaison)[-1] == f"{text}."
    clock(local(2026, 4, 20, 8))  # still overdue days later: "once" means once
    sweep()
    assert len(mail.outbox) == 6
    assert reminders(kind="response_due") == sorted(
        ("response_due", t, liaison.email, "sent") for t in (-3, -1, 1) for liaison in (alex, sam)
    )
    assert sent_to(kim.email) == []
    assert sent_to(dod_reviewer.email) == []


def test_no_response_reminder_once_the_firm_has_answered(clock, sweep, finding, alex):
    clock(local(2026, 4, 7, 8))
    sweep()
    finding_services.finding_respond(finding=finding, actor=alex, choice="acknowledged", text="We are on it")
    clock(local(2026, 4, 9, 8))
    sweep()
    clock(local(2026, 4, 11, 8))
    sweep()
    assert len(sent_to(alex.email)) == 1  # the 3-day reminder only


def test_no_response_reminder_for_a_finding_the_firm_cannot_see(clock, sweep, alex, dod_reviewer, coordinator):
    clock(local(2026, 4, 1, 10))
    case = builders.make_case(alex, state="in_review", sharing_date=datetime.date(2026, 4, 28), coordinator=coordinator)
    released(case, dod_reviewer, dod_reviewer, visibility="agency", response_due=datetime.date(2026, 4, 10))
    clock(local(2026, 4, 11, 8))
    sweep()
    assert not Reminder.objects.filter(kind="response_due").exists()


# --- closeout awaiting decision --------------------------------------------------------------


@pytest.fixture
def closeout(clock, alex, dod_reviewer, dod_supervisor, treasury_reviewer, treasury_supervisor, coordinator):
    clock(local(2026, 4, 1, 10))
    case = builders.make_case(
        alex,
        state="in_review",
        sharing_date=datetime.date(2026, 4, 28),
        coordinator=coordinator,
        agencies=("dod", "treasury"),
        reviewers={dod_supervisor: dod_reviewer, treasury_supervisor: treasury_reviewer},
    )
    clock(local(2026, 4, 6, 16, 30))  # requested on Monday afternoon
    return workflow_services.closeout_request(case=case, actor=dod_reviewer, summary="Review complete")


def test_closeout_awaiting_reminds_supervisors_of_agencies_that_have_not_decided(
    clock, sweep, closeout, dod_supervisor, treasury_supervisor, dod_reviewer
):
    ref = closeout.case.reference
    clock(local(2026, 4, 8, 7, 59))
    sweep()
    assert [m for m in mail.outbox if "closeout" in m.subject] == []
    clock(local(2026, 4, 8, 8))
    sweep()
    text = f"[Checkpoint] {ref}: the closeout requested on Apr 6, 2026 has awaited your agency's decision"
    for supervisor in (dod_supervisor, treasury_supervisor):
        assert sent_to(supervisor.email)[-1] == f"{text} for 2 days"
    # Treasury decides; DoD still has not by the fifth day.
    workflow_services.closeout_decide(
        closeout=closeout, actor=treasury_supervisor, approve=True, statement="The review is concluded."
    )
    clock(local(2026, 4, 11, 8))
    sweep()
    assert sent_to(dod_supervisor.email)[-1] == f"{text} for 5 days"
    assert [s for s in sent_to(treasury_supervisor.email) if "5 days" in s] == []
    assert sent_to(dod_reviewer.email) == [], "the requester and reviewers are not asked to decide"
    assert reminders(kind="closeout_awaiting") == sorted(
        [
            ("closeout_awaiting", 2, dod_supervisor.email, "sent"),
            ("closeout_awaiting", 2, treasury_supervisor.email, "sent"),
            ("closeout_awaiting", 5, dod_supervisor.email, "sent"),
        ]
    )


def test_no_closeout_reminder_once_it_is_returned(clock, sweep, closeout, dod_supervisor):
    workflow_services.closeout_decide(closeout=closeout, actor=dod_supervisor, approve=False, reason="Finding 3 open")
    clock(local(2026, 4, 11, 8))
    sweep()
    assert not Reminder.objects.filter(kind="closeout_awaiting").exists()


# --- case awaiting triage --------------------------------------------------------------------


def test_triage_reminds_coordinators_the_morning_after_submission_while_unassigned(clock, sweep, alex, coordinator):
    other_coordinator = builders.make_coordinator()
    clock(local(2026, 4, 6, 23, 30))  # submitted late on Monday
    case = builders.make_case(alex, state="submitted")
    clock(local(2026, 4, 7, 7, 59))
    sweep()
    assert [m for m in mail.outbox if "triage" in m.subject] == []
    clock(local(2026, 4, 7, 8))
    sweep()
    text = (
        f"[Checkpoint] {case.reference} was submitted on Apr 6, 2026 and still awaits triage: no agency is assigned yet"
    )
    assert [s for s in sent_to(coordinator.email) if "triage" in s] == [text]
    assert [s for s in sent_to(other_coordinator.email) if "triage" in s] == [text]
    assert sent_to(alex.email) == []
    clock(local(2026, 4, 9, 8))
    sweep()
    assert len([m for m in mail.outbox if "still awaits triage" in m.subject]) == 2, "once only"


def test_no_triage_reminder_once_agencies_are_assigned(clock, sweep, alex, coordinator, dod_supervisor):
    from agencies.models import Agency

    clock(local(2026, 4, 6, 10))
    case = builders.make_case(alex, state="submitted")
    workflow_services.case_assign_agencies(case=case, agencies=Agency.objects.filter(code="dod"), actor=coordinator)
    clock(local(2026, 4, 7, 8))
    sweep()
    assert not Reminder.objects.filter(kind="triage_awaiting").exists()
