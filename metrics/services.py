"""The metrics page's figures computed ahead, one snapshot per scope (``metrics.models``).

Beat refreshes every stale snapshot each minute (``metrics_snapshots_refresh_stale``): one whose
scope has seen a write since (a newer audit event: every state change writes one), one older than
``MAX_AGE`` (the overdue counts move with the clock) and one of an earlier day (the months). The
page reads its reader's scope's snapshot, computes it in the request when there is none or it is
of an earlier day, and asks a worker for a fresh one when something was written since.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency
from audit.models import AuditEvent
from core.permissions import coordinators_group
from metrics.models import MetricsSnapshot
from metrics.policy import metrics_scope
from metrics.selectors import Figure, Metrics, ScopeReader, scope_metrics

logger = logging.getLogger(__name__)

PROGRAM = "program"
MAX_AGE = datetime.timedelta(minutes=15)
# A burst of writes asks for one refresh of a scope per this many seconds.
QUEUE_COOLDOWN_SECONDS = 60


def scope_key(agency: Agency | None) -> str:
    return PROGRAM if agency is None else f"agency-{agency.pk}"


def _audit_head() -> int:
    # The primary key's last entry: one index probe, whatever the size of the log.
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def snapshot_metrics(snapshot: MetricsSnapshot) -> Metrics:
    return Metrics(
        scope=snapshot.scope_name,
        months=list(snapshot.months),
        figures=[Figure(**figure) for figure in snapshot.figures],
        as_of=snapshot.computed_at,
    )


def metrics_snapshot_refresh(*, agency: Agency | None, now: datetime.datetime | None = None) -> MetricsSnapshot:
    """Compute ``agency``'s figures (None: the program's) and store them. Safe to run twice or at once."""
    now = now or timezone.now()
    head = _audit_head()  # before computing: a write meanwhile leaves the snapshot stale, not wrong
    group_id = coordinators_group().pk if agency is None else agency.group_id
    metrics = scope_metrics(ScopeReader(group_id), agency=agency, today=timezone.localdate(now))
    snapshot, _created = MetricsSnapshot.objects.update_or_create(
        scope=scope_key(agency),
        defaults={
            "scope_name": metrics.scope,
            "computed_at": now,
            "audit_head": head,
            "months": metrics.months,
            "figures": [dataclasses.asdict(figure) for figure in metrics.figures],
        },
    )
    return snapshot


def _stale(snapshot: MetricsSnapshot | None, *, head: int, now: datetime.datetime) -> bool:
    return (
        snapshot is None
        or snapshot.audit_head < head
        or timezone.localdate(snapshot.computed_at) != timezone.localdate(now)
        or now - snapshot.computed_at >= MAX_AGE
    )


def metrics_snapshots_refresh_stale(*, now: datetime.datetime | None = None) -> int:
    """Refresh every scope's snapshot that is stale (beat, each minute); returns how many."""
    now = now or timezone.now()
    head = _audit_head()
    stored = {snapshot.scope: snapshot for snapshot in MetricsSnapshot.objects.all()}
    refreshed = 0
    for agency in [None, *Agency.objects.order_by("pk")]:
        if _stale(stored.get(scope_key(agency)), head=head, now=now):
            metrics_snapshot_refresh(agency=agency, now=now)
            refreshed += 1
    return refreshed


def _ask_for_refresh(agency: Agency | None) -> None:
    from metrics.tasks import refresh_metrics_snapshot

    if not cache.add(f"metrics-refresh-{scope_key(agency)}", 1, timeout=QUEUE_COOLDOWN_SECONDS):
        return  # asked already: the worker reads everything written until it runs
    agency_id = None if agency is None else agency.pk

    def queue() -> None:
        try:
            refresh_metrics_snapshot.delay(agency_id)
        except Exception:  # the broker is down: beat's next sweep refreshes it
            logger.exception("could not queue the metrics refresh of %s", scope_key(agency))

    transaction.on_commit(queue)


def metrics_current(*, reader: object) -> Metrics:
    """The figures of ``reader``'s scope (ask ``metrics_view_refusal`` first), as of their snapshot.

    A supervisor reads their own agency's snapshot only: the scope is theirs (``metrics_scope``).
    """
    agency = metrics_scope(reader)
    now = timezone.now()
    snapshot = MetricsSnapshot.objects.filter(scope=scope_key(agency)).first()
    if snapshot is None or timezone.localdate(snapshot.computed_at) != timezone.localdate(now):
        snapshot = metrics_snapshot_refresh(agency=agency, now=now)
    elif snapshot.audit_head < _audit_head():
        if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
            # Tasks run in-process (the laptop demo, the tests): no worker would refresh it sooner.
            snapshot = metrics_snapshot_refresh(agency=agency, now=now)
        else:
            _ask_for_refresh(agency)
    return snapshot_metrics(snapshot)
