"""Celery tasks of the webhooks: ids in, safe to run twice (a delivered row is never sent again)."""

from __future__ import annotations

from celery import shared_task

from api import webhooks


@shared_task(name="api.tasks.deliver_webhook", ignore_result=True)
def deliver_webhook(delivery_id: int) -> None:
    """Send one delivery; on failure, come back after its backoff (the sweep would too)."""
    wait = webhooks.deliver(delivery_id)
    if wait is not None:
        deliver_webhook.apply_async(args=[delivery_id], countdown=wait.total_seconds())


@shared_task(name="api.tasks.sweep_webhooks", ignore_result=True)
def sweep_webhooks() -> int:
    """Beat's every-minute sweep: write the deliveries of the finding-response reminders the
    reminder sweep claimed, then send every pending delivery whose time has come (lost tasks,
    worker restarts, retries)."""
    webhooks.enqueue_reminders()
    sent = 0
    for delivery_id in webhooks.due_deliveries():
        webhooks.deliver(delivery_id)
        sent += 1
    return sent
