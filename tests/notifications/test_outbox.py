"""The event outbox: a service writes its notice event in its own transaction, and only asks the
broker to deliver it once that transaction committed. A process that dies between the COMMIT and
the publish loses nothing: the next sweep delivers the event, once."""

from __future__ import annotations

import logging

import pytest
from django.db import connections, transaction

from core import events as core_events
from core.errors import DomainError
from findings import services as finding_services
from notifications.models import Notification, NotificationEvent
from notifications.sweep import run_sweep
from tests import builders
from tests.builders import draft
from tests.notifications.conftest import inbox, sent_to
from workflow import services as workflow_services


def ready_to_submit(liaison):
    case = builders.make_case(liaison, state="draft")
    builders.attach_document(case, liaison, "system_card")
    builders.attach_document(case, liaison, "access_instructions")
    return case


@pytest.mark.django_db
def test_a_crash_between_commit_and_publish_loses_no_notice(django_capture_on_commit_callbacks, alex, coordinator):
    case = ready_to_submit(alex)
    notice = f"{case.reference} was submitted for review and awaits triage."
    # The service's transaction completes; its on-commit callbacks are captured and never run, as
    # if the process died right after COMMIT.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow_services.case_submit(case=case, actor=alex)
    assert len(callbacks) == 1, "the publish is queued on commit"
    event = NotificationEvent.objects.get(case=case)
    assert (event.verb, event.actor_id, event.delivered_at) == ("case.submitted", alex.pk, None)
    assert inbox(coordinator) == []

    assert run_sweep().events_delivered == 1
    assert run_sweep().events_delivered == 0
    assert inbox(coordinator) == [notice]
    assert sent_to(coordinator.email) == [f"[Checkpoint] {notice.rstrip('.')}"]


@pytest.mark.django_db(transaction=True)
def test_the_event_is_committed_with_the_service_not_after_it(monkeypatch, alex, coordinator):
    """Real COMMITs this time, and a publish that never happens: the event row is in the database
    (another connection reads it) as soon as the service returns."""
    case = ready_to_submit(alex)
    dropped = []
    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: dropped.append(func))
    workflow_services.case_submit(case=case, actor=alex)
    monkeypatch.undo()
    assert len(dropped) == 1

    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT verb FROM notifications_notificationevent WHERE case_id = %s AND delivered_at IS NULL",
                [case.pk],
            )
            assert cursor.fetchall() == [("case.submitted",)]
    finally:
        other.close()

    assert run_sweep().events_delivered == 1
    assert run_sweep().events_delivered == 0
    assert Notification.objects.filter(recipient=coordinator, event__case=case).count() == 1
    assert len(sent_to(coordinator.email)) == 1


@pytest.mark.django_db
def test_a_refused_service_leaves_no_event(django_capture_on_commit_callbacks, alex, coordinator, dod_reviewer):
    case = builders.make_case(alex, state="in_review", coordinator=coordinator)
    finding = draft(case, dod_reviewer, visibility="firm")
    before = NotificationEvent.objects.count()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(DomainError, match="takes a supervisor"):
        finding_services.finding_release(finding=finding, actor=dod_reviewer)
    assert callbacks == []
    assert NotificationEvent.objects.count() == before


@pytest.mark.django_db
def test_a_rolled_back_transaction_takes_its_event_with_it(django_capture_on_commit_callbacks, alex):
    case = ready_to_submit(alex)

    def submit_then_fail() -> None:
        with transaction.atomic():
            workflow_services.case_submit(case=case, actor=alex)
            raise RuntimeError("something after the service failed")

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        submit_then_fail()
    assert callbacks == []
    assert not NotificationEvent.objects.exists()
    case.refresh_from_db()
    assert case.state == "draft"


@pytest.mark.django_db
def test_without_an_app_that_delivers_events_they_are_only_logged(
    monkeypatch, caplog, django_capture_on_commit_callbacks, alex
):
    monkeypatch.setattr(core_events, "_outbox", core_events._Outbox())
    case = ready_to_submit(alex)
    with caplog.at_level(logging.INFO, logger="core.events"), django_capture_on_commit_callbacks() as callbacks:
        workflow_services.case_submit(case=case, actor=alex)
    assert callbacks == []
    assert not NotificationEvent.objects.filter(case=case).exists()
    assert f"event case.submitted on case {case.pk} (no app delivers events)" in caplog.text
