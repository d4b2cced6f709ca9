"""The sweep as a whole: idempotent, a fixed number of queries, emails that carry no content,
a mail server that fails and recovers, and the daily digest."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from audit.models import AuditEvent
from cases.permissions import VIEW_CASE
from core import permissions
from notifications import sweep as sweep_module
from notifications.models import EmailState, Notification, Reminder
from notifications.services import notification_preference_set
from tests import builders
from tests.builders import released
from tests.notifications.backends import FlakyBackend
from tests.notifications.conftest import local, reminders, sent_to

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("without_event_notices")]

# Words of a finding that must never leave the portal in an email.
SECRET = "Step by step instructions that must never leave the portal."


@pytest.fixture
def team(alex, dod_reviewer, dod_supervisor, coordinator):
    return {"liaison": alex, "coordinator": coordinator, "reviewers": {dod_supervisor: dod_reviewer}}


def make_cases(team, count: int, *, sharing: datetime.date) -> list:
    return [
        builders.make_case(
            team["liaison"],
            state="in_review",
            sharing_date=sharing,
            coordinator=team["coordinator"],
            reviewers=team["reviewers"],
        )
        for _ in range(count)
    ]


def test_running_the_sweep_twice_sends_each_reminder_once(clock, sweep, team, dod_reviewer, dod_supervisor):
    clock(local(2026, 5, 4, 10))
    cases = make_cases(team, 2, sharing=datetime.date(2026, 5, 11))
    clock(local(2026, 5, 4, 8, 30))
    first, second = sweep(), sweep()
    assert (first.claimed, first.notices_sent.sent) == (4, 4)
    assert (second.due, second.claimed, second.notices_sent.sent) == (4, 0, 0)
    assert len(mail.outbox) == 4
    assert Notification.objects.count() == 4
    assert {(m.to[0], m.subject.split(":")[0]) for m in mail.outbox} == {
        (person.email, f"[Checkpoint] {case.reference}") for person in (dod_reviewer, dod_supervisor) for case in cases
    }


def test_claiming_the_same_reminders_again_claims_nothing(clock, team):
    clock(local(2026, 5, 4, 10))
    make_cases(team, 1, sharing=datetime.date(2026, 5, 11))
    due = sweep_module.due_reminders()
    assert sweep_module.claim(due) == 2
    assert sweep_module.claim(due) == 0
    assert Reminder.objects.count() == Notification.objects.count() == 2


def test_the_sweeps_queries_do_not_grow_with_the_number_of_cases(clock, team, django_assert_num_queries, dod_reviewer):
    """Targets, recipients and permissions are read in a fixed number of queries, claiming takes
    three per batch of 500, and each email sent its own few (lock, mark sent): the same number of
    due reminders costs the same number of queries among 4 cases or among 14."""
    clock(local(2026, 5, 4, 10))
    make_cases(team, 2, sharing=datetime.date(2026, 5, 11))  # due: 7, then 3 days before
    make_cases(team, 2, sharing=datetime.date(2026, 5, 25))  # nothing due
    permissions.visible(dod_reviewer, VIEW_CASE)  # guardian caches the permission's content type once
    clock(local(2026, 5, 4, 8, 30))
    with django_assert_num_queries(SWEEP_QUERIES_FOR_4_EMAILS):
        small = sweep_module.run_sweep()
    assert (small.claimed, small.notices_sent.sent) == (4, 4)

    clock(local(2026, 5, 4, 10))
    make_cases(team, 10, sharing=datetime.date(2026, 5, 26))  # nothing due on 8 May either
    clock(local(2026, 5, 8, 8, 30))
    with django_assert_num_queries(SWEEP_QUERIES_FOR_4_EMAILS):
        large = sweep_module.run_sweep()
    assert (large.claimed, large.notices_sent.sent) == (4, 4)


# Inside a test's transaction each short transaction of the sweep adds a SAVEPOINT and a RELEASE.
# 51 since the low-access notice and the sharing attestation (5 more to find their targets).
SWEEP_QUERIES_FOR_4_EMAILS = 51


def test_reading_and_claiming_cost_the_same_for_2_or_20_due_reminders(
    clock, team, django_assert_num_queries, dod_reviewer
):
    clock(local(2026, 5, 4, 10))
    make_cases(team, 1, sharing=datetime.date(2026, 5, 11))
    permissions.visible(dod_reviewer, VIEW_CASE)  # guardian caches the permission's content type once
    now = local(2026, 5, 4, 8, 30)
    with django_assert_num_queries(CLAIM_QUERIES):
        assert sweep_module.claim(sweep_module.due_reminders(now), now) == 2
    clock(local(2026, 5, 4, 10))
    make_cases(team, 10, sharing=datetime.date(2026, 5, 11))
    with django_assert_num_queries(CLAIM_QUERIES):
        assert sweep_module.claim(sweep_module.due_reminders(now), now) == 20


CLAIM_QUERIES = 21  # 16, and 5 to find the low-access and sharing-attestation targets


def test_emails_carry_the_reference_what_is_due_and_a_link_but_no_finding_content(
    clock, sweep, team, settings, alex, dod_reviewer, dod_supervisor
):
    settings.SITE_URL = "https://checkpoint.example.gov"
    clock(local(2026, 5, 4, 10))
    case = make_cases(team, 1, sharing=datetime.date(2026, 5, 25))[0]
    finding = released(
        case,
        dod_reviewer,
        dod_supervisor,
        visibility="firm",
        response_due=datetime.date(2026, 5, 7),
        title="Jailbreak through the image channel",
        description=SECRET,
        target_kind="safeguard",
        target_component="input classifier",
    )
    clock(local(2026, 5, 4, 8))
    sweep()
    [message] = [m for m in mail.outbox if m.to == [alex.email]]
    notification = Notification.objects.get(recipient=alex)
    html = message.alternatives[0].content
    assert message.alternatives[0].mimetype == "text/html"
    for body in (message.body, html):
        assert case.reference in body
        assert f"finding #{finding.pk} is due in 3 days, on May 7, 2026" in body
        assert f"https://checkpoint.example.gov/notifications/{notification.pk}/" in body
        assert finding.title not in body
        assert "image channel" not in body
        assert finding.description not in body
        assert "Step by step" not in body
        assert "input classifier" not in body
    assert finding.title not in message.subject


def test_a_mail_server_that_is_down_leaves_reminders_owed_until_it_is_back(
    clock, sweep, team, settings, dod_reviewer, dod_supervisor
):
    clock(local(2026, 5, 4, 10))
    make_cases(team, 1, sharing=datetime.date(2026, 5, 11))
    settings.EMAIL_BACKEND = "tests.notifications.backends.RefusingBackend"
    clock(local(2026, 5, 4, 8))
    report = sweep()
    assert report.notices_sent.server_down
    assert reminders() == [
        ("window_closing", -7, dod_reviewer.email, "owed"),
        ("window_closing", -7, dod_supervisor.email, "owed"),
    ]
    assert set(Notification.objects.values_list("email_state", "email_attempts")) == {(EmailState.PENDING, 0)}
    clock(local(2026, 5, 4, 8, 1))
    sweep()  # still down
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    clock(local(2026, 5, 4, 8, 2))
    sweep()
    sweep()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([dod_reviewer.email, dod_supervisor.email])
    assert reminders() == [
        ("window_closing", -7, dod_reviewer.email, "sent"),
        ("window_closing", -7, dod_supervisor.email, "sent"),
    ]
    assert Notification.objects.count() == 2


def test_a_message_the_server_refuses_for_now_is_retried_by_the_next_sweep(clock, sweep, team, settings):
    clock(local(2026, 5, 4, 10))
    make_cases(team, 1, sharing=datetime.date(2026, 5, 11))
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
    FlakyBackend.refusals, FlakyBackend.refused = 3, []
    clock(local(2026, 5, 4, 8))
    first = sweep()
    assert (first.notices_sent.sent, first.notices_sent.failed) == (0, 2)
    second = sweep()
    assert (second.notices_sent.sent, second.notices_sent.failed) == (1, 1)
    third = sweep()
    assert (third.notices_sent.sent, third.notices_sent.failed) == (1, 0)
    assert len(mail.outbox) == 2
    assert len(FlakyBackend.refused) == 3
    assert sorted(Notification.objects.values_list("email_attempts", flat=True)) == [2, 3]
    assert {r[3] for r in reminders()} == {"sent"}


def test_the_daily_digest_sends_one_email_a_day_for_those_who_chose_it(
    clock, sweep, team, alex, sam, dod_reviewer, dod_supervisor
):
    notification_preference_set(actor=sam, email_mode="digest")
    clock(local(2026, 5, 4, 10))
    case = make_cases(team, 1, sharing=datetime.date(2026, 5, 25))[0]
    released(case, dod_reviewer, dod_supervisor, visibility="firm", response_due=datetime.date(2026, 5, 7))
    clock(local(2026, 5, 4, 8))
    sweep()
    clock(local(2026, 5, 6, 8))
    sweep()
    assert len(sent_to(alex.email)) == 2
    # Sam's first notice went into that morning's digest; the second arrived at the same sweep.
    assert len(sent_to(sam.email)) == 2
    digest = [m for m in mail.outbox if m.to == [sam.email]][-1]
    assert digest.subject == "[Checkpoint] Your daily digest: 1 notice"
    assert "is due tomorrow, May 7, 2026" in digest.body
    assert set(Reminder.objects.filter(recipient=sam).values_list("sent_at", flat=True)) != {None}
    clock(local(2026, 5, 6, 15))
    sweep()
    assert len(sent_to(sam.email)) == 2, "one digest a day"


def test_the_sweep_records_what_it_did_in_the_audit_log(clock, sweep, team):
    clock(local(2026, 5, 4, 10))
    make_cases(team, 1, sharing=datetime.date(2026, 5, 11))
    clock(local(2026, 5, 4, 8))
    sweep()
    sweep()
    events = AuditEvent.objects.filter(action="reminders.swept")
    assert [(e.actor_label, e.data["claimed"], e.data["emails_sent"]) for e in events] == [("system", 2, 2)]


def test_a_digest_the_mail_server_could_not_take_goes_out_once_when_it_can(clock, sweep, team, settings, dod_reviewer):
    notification_preference_set(actor=dod_reviewer, email_mode="digest")
    clock(local(2026, 5, 4, 10))
    make_cases(team, 2, sharing=datetime.date(2026, 5, 11))
    settings.EMAIL_BACKEND = "tests.notifications.backends.RefusingBackend"
    clock(local(2026, 5, 4, 8))
    report = sweep()
    assert (report.digests_claimed, report.digests_sent.sent, report.digests_sent.server_down) == (1, 0, True)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    clock(local(2026, 5, 4, 8, 1))
    sweep()
    sweep()
    [digest] = [m for m in mail.outbox if m.to == [dod_reviewer.email]]
    assert digest.subject == "[Checkpoint] Your daily digest: 2 notices"
    assert set(Reminder.objects.filter(recipient=dod_reviewer).values_list("sent_at", flat=True)) != {None}


def test_beat_runs_the_sweep_every_minute():
    from portal.celery import app

    entry = app.conf.beat_schedule["reminder-sweep"]
    assert entry["task"] == "notifications.tasks.sweep_reminders"
    assert entry["schedule"] == 60.0
    app.loader.import_default_modules()  # what a worker does on start: autodiscover the tasks
    assert "notifications.tasks.sweep_reminders" in app.tasks
