"""Event notices: queued on commit by the services, delivered by a task (eager here), to the
people who may see the object, once; and a broker that is down does not break the action."""

from __future__ import annotations

import logging
import socket
import time

import pytest
from django.core import mail

from agencies.models import Agency
from cases import services as case_services
from findings import services as finding_services
from notifications.events import event_deliver
from notifications.models import Notification, NotificationEvent
from notifications.tasks import deliver_event
from portal.celery import app as celery_app
from tests import builders
from tests.notifications.conftest import inbox, sent_to
from workflow import services as workflow_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what a service queued on commit, as production does after its transaction."""

    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            return call()

    return run


def test_each_step_of_a_review_notifies_the_people_who_may_see_it(
    on_commit,
    alex,
    sam,
    kim,
    coordinator,
    dod_reviewer,
    dod_supervisor,
    treasury_reviewer,
    treasury_supervisor,
):
    other_dod_supervisor = builders.make_agency_member("dod", role="supervisor")
    case = builders.make_case(alex, state="draft")
    ref = case.reference
    builders.attach_document(case, alex, "system_card")
    builders.attach_document(case, alex, "access_instructions")

    on_commit(lambda: workflow_services.case_submit(case=case, actor=alex))
    assert inbox(coordinator) == [f"{ref} was submitted for review and awaits triage."]
    assert sent_to(coordinator.email) == [f"[Checkpoint] {ref} was submitted for review and awaits triage"]
    assert inbox(alex) == [], "not the person who acted"
    assert inbox(dod_supervisor) == [], "not an agency that is not assigned yet"

    on_commit(
        lambda: workflow_services.case_assign_agencies(
            case=case, agencies=Agency.objects.filter(code__in=["dod", "treasury"]), actor=coordinator
        )
    )
    assert inbox(dod_supervisor) == [f"{ref} was assigned to DoD for review."]
    assert inbox(other_dod_supervisor) == [f"{ref} was assigned to DoD for review."]
    assert inbox(treasury_supervisor) == [f"{ref} was assigned to Treasury for review."]
    assert inbox(dod_reviewer) == [], "reviewers hear when their supervisor puts them on the case"

    on_commit(lambda: case_services.case_assign_reviewers(case=case, reviewers=[dod_reviewer], actor=dod_supervisor))
    assert inbox(dod_reviewer) == [f"You were assigned as a reviewer on {ref}."]

    finding = finding_services.finding_draft(
        case=case,
        actor=dod_reviewer,
        title="Weights exfiltration path",
        description="Secret details",
        category="weight_security",
        severity="critical",
        visibility="firm",
        configuration=builders.configuration(case),
    )
    on_commit(lambda: finding_services.finding_release(finding=finding, actor=dod_supervisor))
    shared = f"{ref}: finding #{finding.pk} was shared with your firm."
    assert inbox(alex) == [shared]
    assert inbox(sam) == [shared]
    assert inbox(kim) == [], "never another firm"

    on_commit(lambda: finding_services.finding_respond(finding=finding, actor=alex, choice="disputed", text="No"))
    answered = f"{ref}: the firm responded to finding #{finding.pk}."
    for person in (dod_reviewer, dod_supervisor, other_dod_supervisor):
        assert inbox(person)[-1] == answered
    assert answered not in inbox(treasury_supervisor) + inbox(treasury_reviewer), "only the authoring agency"

    finding_services.finding_resolve(finding=finding, actor=dod_reviewer, note="Mitigation verified.")
    closeout = on_commit(lambda: workflow_services.closeout_request(case=case, actor=dod_reviewer, summary="Done"))
    requested = f"{ref}: a closeout was requested and awaits your agency's decision."
    for person in (dod_supervisor, other_dod_supervisor, treasury_supervisor):
        assert inbox(person)[-1] == requested
    assert requested not in inbox(dod_reviewer) + inbox(treasury_reviewer) + inbox(alex)

    on_commit(
        lambda: workflow_services.closeout_decide(
            closeout=closeout, actor=treasury_supervisor, approve=True, statement="The review is concluded."
        )
    )
    assert inbox(dod_reviewer)[-1] == f"{ref}: Treasury approved the closeout you requested."
    on_commit(
        lambda: workflow_services.closeout_decide(
            closeout=closeout, actor=dod_supervisor, approve=True, statement="The review is concluded."
        )
    )
    assert inbox(dod_reviewer)[-1] == f"{ref}: DoD approved the closeout you requested."
    closed = f"{ref}: the review is concluded and the case is closed."
    assert inbox(alex)[-1] == closed
    assert inbox(sam)[-1] == closed
    assert closed not in inbox(kim) + inbox(coordinator)

    # Every notice was emailed once, and no email carries the finding's words.
    assert len(mail.outbox) == Notification.objects.count()
    assert not any("exfiltration" in m.body or "Secret" in m.body for m in mail.outbox)


def test_a_finding_released_only_to_government_tells_the_firm_nothing(
    on_commit, alex, coordinator, dod_reviewer, dod_supervisor
):
    case = builders.make_case(alex, state="in_review", coordinator=coordinator)
    finding = finding_services.finding_draft(
        case=case,
        actor=dod_reviewer,
        title="t",
        description="d",
        category="other",
        severity="low",
        visibility="government",
        configuration=builders.configuration(case),
    )
    on_commit(lambda: finding_services.finding_release(finding=finding, actor=dod_supervisor))
    assert inbox(alex) == []


def test_a_withdrawal_tells_the_assigned_agencies_and_the_coordinators(
    on_commit, alex, coordinator, dod_reviewer, dod_supervisor, treasury_supervisor
):
    case = builders.make_case(alex, state="in_review", coordinator=coordinator)
    on_commit(lambda: case_services.case_withdraw(case=case, actor=alex, reason="Plans changed"))
    withdrawn = f"{case.reference} was withdrawn by the firm. The review has stopped."
    for person in (dod_reviewer, dod_supervisor, coordinator):
        assert inbox(person) == [withdrawn]
    assert inbox(treasury_supervisor) == []
    assert inbox(alex) == []


def test_an_event_delivered_twice_notifies_and_emails_once(on_commit, alex, coordinator):
    case = builders.make_case(alex, state="submitted")
    event = NotificationEvent.objects.create(verb="case.submitted", case=case, target_type="cases.reviewcase")
    deliver_event.apply(args=[event.pk])
    deliver_event.apply(args=[event.pk])  # redelivered after a worker died, say
    # Even if the "delivered" mark were lost, the (event, recipient) key holds.
    NotificationEvent.objects.filter(pk=event.pk).update(delivered_at=None)
    event_deliver(event_id=event.pk)
    assert Notification.objects.filter(event=event).count() == 1
    assert len(sent_to(coordinator.email)) == 1


@pytest.fixture
def broker_at(settings):
    """Point the web side's Celery publisher at another broker (eager off), then restore it."""
    saved = celery_app.conf.broker_url, celery_app.conf.task_always_eager

    def _reset_pools():
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    def point(url: str) -> None:
        celery_app.conf.broker_url = url
        celery_app.conf.task_always_eager = False
        _reset_pools()

    yield point
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
    _reset_pools()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe is closed


def test_with_the_broker_down_a_submission_still_succeeds_and_the_sweep_delivers_its_notice(
    broker_at, on_commit, caplog, alex, coordinator
):
    broker_at(f"redis://127.0.0.1:{closed_port()}/5")
    case = builders.make_case(alex, state="draft")
    builders.attach_document(case, alex, "system_card")
    builders.attach_document(case, alex, "access_instructions")
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="notifications.events"):
        on_commit(lambda: workflow_services.case_submit(case=case, actor=alex))
    assert time.monotonic() - started < 5
    case.refresh_from_db()
    assert case.state == "submitted"
    assert "broker unavailable" in caplog.text
    assert "kept for the next reminder sweep" in caplog.text
    assert inbox(coordinator) == []
    assert NotificationEvent.objects.filter(case=case, delivered_at__isnull=True).count() == 1

    from notifications.sweep import run_sweep

    assert run_sweep().events_delivered == 1
    assert run_sweep().events_delivered == 0
    assert inbox(coordinator) == [f"{case.reference} was submitted for review and awaits triage."]
    assert len(sent_to(coordinator.email)) == 1


def test_a_broker_that_accepts_but_never_answers_does_not_hang_the_request(broker_at, on_commit, alex, coordinator):
    with socket.socket() as silent:  # accepts connections (the kernel's backlog) and never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        broker_at(f"redis://127.0.0.1:{silent.getsockname()[1]}/5")
        case = builders.make_case(alex, state="draft")
        builders.attach_document(case, alex, "system_card")
        builders.attach_document(case, alex, "access_instructions")
        started = time.monotonic()
        on_commit(lambda: workflow_services.case_submit(case=case, actor=alex))
        elapsed = time.monotonic() - started
    assert elapsed < 8, f"the submission waited {elapsed:.1f}s on the broker"
    assert NotificationEvent.objects.filter(case=case, delivered_at__isnull=True).count() == 1


def test_a_digest_reader_gets_event_notices_in_the_digest_not_at_once(on_commit, alex, coordinator):
    from notifications.services import notification_preference_set

    notification_preference_set(actor=coordinator, email_mode="digest")
    on_commit(lambda: builders.make_case(alex, state="submitted"))
    assert len(inbox(coordinator)) == 1
    assert sent_to(coordinator.email) == []
    assert Notification.objects.get(recipient=coordinator).email_state == "digest"
