"""Celery tasks of the audit log: stateless, safe to run twice or late."""

from __future__ import annotations

from celery import shared_task

from audit.services import flush_refusal_tallies


@shared_task(name="audit.tasks.flush_refusal_tallies", ignore_result=True)
def flush_refusals() -> int:
    """Beat's every-minute task: log the finished windows' counts of repeated refused accesses."""
    return flush_refusal_tallies()
