"""Program metrics, checked against a hand-built data set of known durations; the page's charts
have text alternatives and a data table; each figure downloads as CSV; supervisors read their own
agency only; nothing names or ranks a firm."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.conf import settings
from django.utils import timezone

from agencies.models import Agency
from cases.models import CaseAgencyAssignment, Closeout, ReviewCase
from findings.models import Finding, FindingResponse
from metrics.models import MetricsSnapshot
from metrics.selectors import program_metrics
from metrics.services import MAX_AGE, metrics_current, metrics_snapshots_refresh_stale
from tests import builders
from workflow.services import closeout_decide

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 10, 5, 14, 0, tzinfo=datetime.UTC)  # 10:00 in New York, October
TODAY = datetime.date(2026, 11, 15)


def at(days: float) -> datetime.datetime:
    return T0 + datetime.timedelta(days=days)


@pytest.fixture
def program(alex, coordinator, dod_reviewer, dod_supervisor, treasury_supervisor):
    """Two Northwind cases with DoD: one closed with known durations, one whose closeout was returned."""
    closed = builders.make_case(
        alex, state="in_review", agencies=("dod",), coordinator=coordinator, reviewers={dod_supervisor: dod_reviewer}
    )
    shared = builders.responded(closed, dod_reviewer, dod_supervisor, alex)
    dod_only = builders.released(closed, dod_reviewer, dod_reviewer, visibility="agency", category="cbrn")
    closeout = builders.request_closeout(
        closed, dod_reviewer, carried_forward={shared.pk: "Declined", dod_only.pk: "Kept in DoD"}
    )
    builders.close_case(closed, closeout=closeout)
    ReviewCase.objects.filter(pk=closed.pk).update(
        submitted_at=at(0), closed_at=at(13), sharing_date=at(20).date(), access_date=at(-5).date()
    )
    CaseAgencyAssignment.objects.filter(case=closed).update(assigned_at=at(2))
    Finding.objects.filter(pk=shared.pk).update(released_at=at(5))
    Finding.objects.filter(pk=dod_only.pk).update(released_at=at(6))
    FindingResponse.objects.filter(finding=shared).update(created_at=at(8))
    Closeout.objects.filter(pk=closeout.pk).update(requested_at=at(10), decided_at=at(13))

    returned = builders.make_case(
        alex, state="in_review", agencies=("dod",), coordinator=coordinator, reviewers={dod_supervisor: dod_reviewer}
    )
    second = builders.request_closeout(returned, dod_reviewer)
    closeout_decide(closeout=second, actor=dod_supervisor, approve=False, reason="One more test run.")
    ReviewCase.objects.filter(pk=returned.pk).update(submitted_at=at(1))
    CaseAgencyAssignment.objects.filter(case=returned).update(assigned_at=at(5))
    Closeout.objects.filter(pk=second.pk).update(requested_at=at(6), decided_at=at(7))
    return {"closed": closed, "returned": returned}


def row(metrics, key: str, month: str = "2026-10") -> list:
    return next(r for r in metrics.figure(key).rows if r[0] == month)


def test_the_figures_match_the_known_durations(program, coordinator):
    metrics = program_metrics(coordinator, today=TODAY)
    assert metrics.months[-1] == "2026-11"
    assert len(metrics.months) == 12
    assert row(metrics, "triage") == ["2026-10", 2, 3.0, 3.0]  # 2 and 4 days
    assert row(metrics, "first-finding") == ["2026-10", 1, 5.0, 5.0]  # the program office counts no DoD-only one
    assert row(metrics, "first-response") == ["2026-10", 1, 3.0, 3.0]  # released day 5, answered day 8
    assert row(metrics, "closeout-latency") == ["2026-10", 1, 3.0, 3.0]
    assert row(metrics, "closeout-returns") == ["2026-10", 2, 1, 50.0]
    assert row(metrics, "concluded-before-sharing") == ["2026-10", 1, 1, 100.0]
    categories = metrics.figure("findings-by-category")
    assert sum(sum(r[1:]) for r in categories.rows) == 1  # the firm-level finding only
    assert row(metrics, "triage", "2026-09") == ["2026-09", 0, "", ""]


def test_a_supervisor_reads_their_own_agency_only(program, dod_supervisor, treasury_supervisor):
    dod = program_metrics(dod_supervisor, today=TODAY)
    assert dod.scope == "Department of Defense"
    assert row(dod, "first-finding") == ["2026-10", 1, 5.0, 5.0]
    assert sum(sum(r[1:]) for r in dod.figure("findings-by-category").rows) == 2  # and its own DoD-only one
    treasury = program_metrics(treasury_supervisor, today=TODAY)
    for figure in treasury.figures:
        numbers = [c for r in figure.rows for c in r[1:] if isinstance(c, int | float)]
        assert not any(numbers), figure.key  # no case of Treasury's: nothing of DoD's counted
    assert "Cases awaiting triage" not in " ".join(r[0] for r in treasury.figure("overdue").rows)


def test_the_page_has_charts_with_text_and_tables_and_csv(program, client_for, coordinator, alex, dod_reviewer):
    client = client_for(coordinator)
    page = client.get("/metrics/").content.decode()
    figures = program_metrics(coordinator, today=timezone.localdate()).figures
    assert page.count('class="cp-chart" role="img"') == len(figures)
    for figure in figures:
        assert f'<title id="{figure.key}-title">' in page
        assert f'<desc id="{figure.key}-desc">' in page
        assert f"{figure.title}: the data</caption>" in page
    assert "Northwind" not in page  # no firm is named, none is ranked
    response = client.get("/metrics/closeout-returns.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["month", "closeouts decided", "returned", "return rate %"]
    assert client.get("/metrics/nothing.csv").status_code == 404
    assert client_for(alex).get("/metrics/").status_code == 403
    assert client_for(dod_reviewer).get("/metrics/triage.csv").status_code == 403


# The page reads each scope's figures computed ahead (metrics.services): the program's for the
# program office, each agency's for its supervisors, refreshed by beat and after writes.


def test_each_scope_snapshot_holds_what_its_readers_would_compute(
    program, coordinator, dod_supervisor, treasury_supervisor
):
    for reader in (coordinator, dod_supervisor, treasury_supervisor):
        metrics = metrics_current(reader=reader)
        assert metrics.as_of is not None
        live = program_metrics(reader, today=timezone.localdate())
        assert (metrics.scope, metrics.months, metrics.figures) == (live.scope, live.months, live.figures)
    assert MetricsSnapshot.objects.count() == 3


def test_a_supervisor_page_reads_their_own_agency_snapshot_only(
    program, client_for, coordinator, dod_supervisor, treasury_supervisor
):
    assert metrics_snapshots_refresh_stale() == 1 + Agency.objects.count()
    dod = metrics_current(reader=dod_supervisor)
    assert sum(sum(r[1:]) for r in dod.figure("findings-by-category").rows) == 2
    treasury = metrics_current(reader=treasury_supervisor)
    assert treasury.scope == "Department of the Treasury"
    for figure in treasury.figures:
        numbers = [c for r in figure.rows for c in r[1:] if isinstance(c, int | float)]
        assert not any(numbers), figure.key
    page = client_for(treasury_supervisor).get("/metrics/").content.decode()
    assert "Department of Defense" not in page
    assert "Figures as of" in page
    rows = list(csv.reader(io.StringIO(client_for(treasury_supervisor).get("/metrics/triage.csv").content.decode())))
    assert all(r[1] == "0" for r in rows[1:])


def test_the_page_follows_a_write(program, client_for, coordinator, alex, dod_reviewer, dod_supervisor):
    month = timezone.localdate().strftime("%Y-%m")
    before = row(metrics_current(reader=coordinator), "closeout-returns", month)
    case = builders.make_case(
        alex, state="in_review", agencies=("dod",), coordinator=coordinator, reviewers={dod_supervisor: dod_reviewer}
    )
    closeout = builders.request_closeout(case, dod_reviewer)
    closeout_decide(closeout=closeout, actor=dod_supervisor, approve=False, reason="Run the suite again.")
    # Tasks run in-process here (as in the laptop demo): the page refreshes its snapshot itself.
    after = row(metrics_current(reader=coordinator), "closeout-returns", month)
    assert (after[1], after[2]) == (before[1] + 1, before[2] + 1)


def test_beat_refreshes_the_stale_snapshots_only(program, alex, coordinator, dod_reviewer, dod_supervisor):
    now = timezone.now()
    scopes = 1 + Agency.objects.count()
    assert metrics_snapshots_refresh_stale(now=now) == scopes
    assert metrics_snapshots_refresh_stale(now=now) == 0
    builders.make_case(  # a state change writes an audit event: every scope may have moved
        alex, state="in_review", agencies=("dod",), coordinator=coordinator, reviewers={dod_supervisor: dod_reviewer}
    )
    assert metrics_snapshots_refresh_stale(now=now) == scopes
    assert metrics_snapshots_refresh_stale(now=now) == 0
    assert metrics_snapshots_refresh_stale(now=now + MAX_AGE) == scopes  # "overdue now" moves with the clock
    entry = next(
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "metrics.tasks.refresh_stale_metrics"
    )
    assert entry["schedule"] <= 60
