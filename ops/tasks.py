"""The beat's heartbeat: a task the beat schedules and a worker runs, so that a recent heartbeat
proves both alive (``/readyz`` checks its age)."""

from __future__ import annotations

from celery import shared_task

from ops.health import record_beat_heartbeat


@shared_task(name="ops.tasks.beat_heartbeat", ignore_result=True)
def beat_heartbeat() -> None:
    record_beat_heartbeat()
