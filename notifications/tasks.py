"""Celery tasks: ids in, a service call, safe to run twice (STYLE.md)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from notifications import emails, events, sweep


@shared_task(name="notifications.tasks.sweep_reminders", ignore_result=True)
def sweep_reminders() -> dict[str, Any]:
    """Beat's every-minute sweep (settings.CELERY_BEAT_SCHEDULE)."""
    return sweep.run_sweep().as_dict()


@shared_task(name="notifications.tasks.deliver_event", ignore_result=True)
def deliver_event(event_id: int) -> int:
    """Create one event's notifications and email those owed now. If this task is lost or dies,
    the next sweep delivers the event and sends its emails instead."""
    notification_ids = events.event_deliver(event_id=event_id)
    if notification_ids:
        emails.send_owed_notices(notification_ids=notification_ids)
    return len(notification_ids)
