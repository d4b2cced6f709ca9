"""Review window closing: 7, 3 and 1 days before the sharing date and on it, to the assigned
reviewers and the supervisors of the assigned agencies, at the send hour in America/New_York."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from cases import services as case_services
from core import formats
from notifications.models import Notification, Reminder
from tests import builders
from tests.notifications.conftest import UTC, inbox, local, reminders, sent_to
from workflow import services as workflow_services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_event_notices")]

SHARING = datetime.date(2026, 6, 17)  # a Wednesday


@pytest.fixture
def case(clock, alex, dod_reviewer, dod_supervisor, coordinator):
    clock(local(2026, 6, 1, 10))
    return builders.make_case(
        alex,
        state="in_review",
        sharing_date=SHARING,
        coordinator=coordinator,
        reviewers={dod_supervisor: dod_reviewer},
    )


def test_each_threshold_goes_out_once_on_the_morning_of_its_day(clock, sweep, case, dod_reviewer, dod_supervisor):
    expected = [
        (datetime.date(2026, 6, 10), "closes in 7 days, on Jun 17, 2026"),
        (datetime.date(2026, 6, 14), "closes in 3 days, on Jun 17, 2026"),
        (datetime.date(2026, 6, 16), "closes tomorrow, Jun 17, 2026"),
        (datetime.date(2026, 6, 17), "closes today, Jun 17, 2026"),
    ]
    for number, (day, words) in enumerate(expected, start=1):
        clock(local(day.year, day.month, day.day, 7, 59))
        sweep()
        assert len(sent_to(dod_reviewer.email)) == number - 1, f"nothing before 8:00 on {day}"
        clock(local(day.year, day.month, day.day, 8, 0))
        sweep()
        sweep()  # a second run in the same minute sends nothing more
        for person in (dod_reviewer, dod_supervisor):
            subjects = sent_to(person.email)
            assert len(subjects) == number
            assert subjects[-1] == f"[Checkpoint] {case.reference}: the review window {words}"
            assert inbox(person)[-1] == f"{case.reference}: the review window {words}."
    assert reminders(kind="window_closing") == sorted(
        ("window_closing", t, person.email, "sent")
        for t in (-7, -3, -1, 0)
        for person in (dod_reviewer, dod_supervisor)
    )
    clock(local(2026, 6, 18, 9))
    sweep()
    window = [message for message in mail.outbox if "review window" in message.subject]
    assert len(window) == 8, "nothing once the window has closed"


def test_a_missed_sweep_sends_only_the_most_urgent_reminder_still_due(clock, sweep, case, dod_reviewer):
    # The broker and workers were down from before the 7-day reminder until the sharing day.
    clock(local(2026, 6, 17, 9, 30))
    sweep()
    assert sent_to(dod_reviewer.email) == [
        f"[Checkpoint] {case.reference}: the review window closes today, Jun 17, 2026"
    ]
    assert reminders(recipient=dod_reviewer) == [("window_closing", 0, dod_reviewer.email, "sent")]


def test_a_sweep_that_missed_the_whole_sharing_day_sends_nothing_late(clock, sweep, case):
    clock(local(2026, 6, 18, 8))
    sweep()
    # (The firm's sharing attestation, asked for from the sharing date on, is not a window reminder.)
    assert [message for message in mail.outbox if "review window" in message.subject] == []
    assert not Reminder.objects.exclude(kind="attestation_request").exists()


@pytest.mark.parametrize(
    ("before", "at"),
    [
        # Daylight saving time starts on Mar 8, 2026: 8:00 is 12:00 UTC that day, 13:00 UTC the day before.
        (datetime.datetime(2026, 3, 8, 11, 59, tzinfo=UTC), datetime.datetime(2026, 3, 8, 12, 0, tzinfo=UTC)),
        # It ends on Nov 1, 2026: 8:00 is 13:00 UTC that day, 12:00 UTC the day before.
        (datetime.datetime(2026, 11, 1, 12, 59, tzinfo=UTC), datetime.datetime(2026, 11, 1, 13, 0, tzinfo=UTC)),
    ],
    ids=["march", "november"],
)
def test_the_morning_is_local_across_daylight_saving_changes(
    clock, sweep, before, at, alex, dod_reviewer, dod_supervisor, coordinator
):
    # The sharing date is three days after the change, so "3 days before" falls on the changeover Sunday.
    sharing = at.date() + datetime.timedelta(days=3)
    clock(at - datetime.timedelta(days=10))
    case = builders.make_case(
        alex,
        state="in_review",
        sharing_date=sharing,
        coordinator=coordinator,
        reviewers={dod_supervisor: dod_reviewer},
    )
    clock(before - datetime.timedelta(days=4))  # the 7-day reminder, out of the way
    sweep()
    clock(before)
    sweep()
    assert [s for s in sent_to(dod_reviewer.email) if "3 days" in s] == []
    clock(at)
    sweep()
    assert [s for s in sent_to(dod_reviewer.email) if "3 days" in s] == [
        f"[Checkpoint] {case.reference}: the review window closes in 3 days, on {formats.day(sharing)}"
    ]


def test_moving_the_sharing_date_re_arms_the_window_reminders(clock, sweep, case, alex, dod_reviewer):
    clock(local(2026, 6, 14, 8))
    sweep()
    assert len(sent_to(dod_reviewer.email)) == 1
    # The firm moves its sharing date five days later; the window's reminders follow it.
    new_date = datetime.date(2026, 6, 22)
    case_services.case_move_sharing_date(case=case, new_sharing_date=new_date, reason="Partner delayed", actor=alex)
    clock(local(2026, 6, 14, 9))
    sweep()
    assert len(sent_to(dod_reviewer.email)) == 1, "nothing is due for the new date yet"
    clock(local(2026, 6, 15, 8))
    sweep()
    clock(local(2026, 6, 19, 8))  # three days before the new date: "3 days" again, for the new date
    sweep()
    assert sent_to(dod_reviewer.email)[1:] == [
        f"[Checkpoint] {case.reference}: the review window closes in 7 days, on Jun 22, 2026",
        f"[Checkpoint] {case.reference}: the review window closes in 3 days, on Jun 22, 2026",
    ]
    ledger = Reminder.objects.filter(recipient=dod_reviewer).order_by("claimed_at")
    assert [(r.threshold, r.deadline, r.sent_at is not None) for r in ledger] == [
        (-3, SHARING, True),
        (-7, new_date, True),
        (-3, new_date, True),
    ]


@pytest.mark.parametrize("ending", ["withdrawn", "closed"])
def test_closed_and_withdrawn_cases_send_nothing(clock, sweep, case, ending, alex, dod_reviewer, dod_supervisor):
    if ending == "withdrawn":
        case_services.case_withdraw(case=case, actor=alex, reason="Not ready")
    else:
        closeout = workflow_services.closeout_request(case=case, actor=dod_reviewer, summary="Nothing found")
        workflow_services.closeout_decide(
            closeout=closeout, actor=dod_supervisor, approve=True, statement="The review is concluded."
        )
    for day in (10, 14, 16, 17):
        clock(local(2026, 6, day, 9))
        sweep()
    assert [message for message in mail.outbox if "review window" in message.subject] == []
    assert not Reminder.objects.filter(kind="window_closing").exists()
    # A closed case's firm is still asked, on the sharing date, what it shares; a withdrawn one's is not.
    asked = set(Reminder.objects.filter(kind="attestation_request").values_list("recipient__email", flat=True))
    assert asked == ({alex.email} if ending == "closed" else set())


def test_a_reminder_claimed_but_not_yet_emailed_is_cancelled_when_the_case_is_withdrawn(
    clock, sweep, case, alex, dod_reviewer, settings
):
    settings.EMAIL_BACKEND = "tests.notifications.backends.RefusingBackend"
    clock(local(2026, 6, 14, 8))
    sweep()
    assert reminders(recipient=dod_reviewer) == [("window_closing", -3, dod_reviewer.email, "owed")]
    case_services.case_withdraw(case=case, actor=alex, reason="Not ready")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    clock(local(2026, 6, 14, 8, 1))
    sweep()
    assert mail.outbox == []
    assert reminders(recipient=dod_reviewer) == [("window_closing", -3, dod_reviewer.email, "cancelled")]
    assert Reminder.objects.get(recipient=dod_reviewer).cancel_reason == "no longer due"


def test_only_active_people_of_the_assigned_agencies_are_reminded(
    clock, sweep, case, dod_reviewer, dod_supervisor, treasury_supervisor, kim, coordinator
):
    other_reviewer = builders.make_agency_member("dod", role="reviewer")  # of the agency, not on the case
    dod_supervisor.is_active = False
    dod_supervisor.save(update_fields=["is_active"])
    clock(local(2026, 6, 14, 8))
    sweep()
    assert {r for m in mail.outbox for r in m.to} == {dod_reviewer.email}
    for outsider in (dod_supervisor, other_reviewer, treasury_supervisor, kim, coordinator):
        assert not Notification.objects.filter(recipient=outsider).exists()


def test_a_reminder_that_could_not_be_emailed_in_time_is_superseded_not_sent_late(
    clock, sweep, case, dod_reviewer, settings
):
    settings.EMAIL_BACKEND = "tests.notifications.backends.RefusingBackend"
    clock(local(2026, 6, 10, 8))
    sweep()  # "7 days" claimed, but the mail server is down until after the "3 days" morning
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    clock(local(2026, 6, 14, 8))
    sweep()
    assert sent_to(dod_reviewer.email) == [
        f"[Checkpoint] {case.reference}: the review window closes in 3 days, on Jun 17, 2026"
    ]
    ledger = {r.threshold: r for r in Reminder.objects.filter(recipient=dod_reviewer)}
    assert ledger[-7].sent_at is None
    assert ledger[-7].cancel_reason == "superseded by the reminder 3 days before"
    assert ledger[-3].sent_at is not None
    assert len(inbox(dod_reviewer)) == 2, "both notices stay in the portal"
