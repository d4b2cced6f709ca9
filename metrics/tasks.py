"""Celery tasks of the metrics page: ids in, the service does the work; safe to run twice."""

from __future__ import annotations

from celery import shared_task

from agencies.models import Agency
from metrics.services import metrics_snapshot_refresh, metrics_snapshots_refresh_stale


@shared_task(name="metrics.tasks.refresh_stale_metrics", ignore_result=True)
def refresh_stale_metrics() -> int:
    """Beat's every-minute sweep (settings.CELERY_BEAT_SCHEDULE)."""
    return metrics_snapshots_refresh_stale()


@shared_task(name="metrics.tasks.refresh_metrics_snapshot", ignore_result=True)
def refresh_metrics_snapshot(agency_id: int | None) -> bool:
    """One scope's snapshot, asked for by a page that saw a write since (None: the program's)."""
    agency = None if agency_id is None else Agency.objects.filter(pk=agency_id).first()
    if agency_id is not None and agency is None:
        return False
    metrics_snapshot_refresh(agency=agency)
    return True
