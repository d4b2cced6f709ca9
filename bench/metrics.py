"""Benchmark of the metrics dashboard: 1,000 cases of the last year, with findings, responses and
closeouts, read by a coordinator (the program) and a supervisor (their agency).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cp_bench .venv/bin/python bench/metrics.py

It creates its own throwaway database (``test_`` + the name in DATABASE_URL), migrates it, seeds it
in bulk (with the object permissions the services would grant), computes every figure and renders
the page's template for each reader, prints the time and query count of each, and drops the database.
"""

from __future__ import annotations

import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.test_settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cp_bench")

import django

django.setup()

from django.contrib.auth.models import Permission  # noqa: E402
from django.db import connection  # noqa: E402
from django.template.loader import render_to_string  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

CASES = int(os.environ.get("BENCH_CASES", "1000"))
FINDINGS_PER_CASE = 3


def seed() -> tuple[object, object]:
    from accounts.models import User
    from accounts.services import coordinator_appoint
    from agencies.models import Agency
    from agencies.services import agency_membership_add
    from cases.models import AIModel, CaseAgencyAssignment, Closeout, ReviewCase, ReviewCaseGroupObjectPermission
    from core.permissions import coordinators_group
    from findings.models import Category, Finding, FindingGroupObjectPermission, FindingResponse, Severity
    from firms.services import firm_create, firm_membership_add

    rng = random.Random(15)
    firm = firm_create(name="Bench AI", actor=None)
    liaison = User.objects.create_user("liaison@bench.test")
    firm_membership_add(firm=firm, user=liaison, is_admin=True, actor=None)
    agencies = list(Agency.objects.order_by("code"))
    supervisor = User.objects.create_user("supervisor@bench.test")
    agency_membership_add(agency=agencies[0], user=supervisor, role="supervisor", actor=None)
    coordinator = User.objects.create_user("coordinator@bench.test")
    coordinator_appoint(user=coordinator, actor=None)
    models = AIModel.objects.bulk_create(
        [AIModel(firm=firm, name="Bench", version=f"{n}.0", created_by=liaison) for n in range(20)]
    )
    now = timezone.now()
    cases = []
    for n in range(CASES):
        submitted = now - datetime.timedelta(days=rng.uniform(5, 360))
        closed = n % 2 == 0
        sharing = (submitted + datetime.timedelta(days=rng.randint(15, 30))).date()
        cases.append(
            ReviewCase(
                model=models[n % len(models)],
                reference=f"CP-BENCH-{n:05d}",
                state="closed" if closed else "in_review",
                access_date=sharing - datetime.timedelta(days=25),
                sharing_date=sharing,
                created_by=liaison,
                submitted_at=submitted,
                closed_at=submitted + datetime.timedelta(days=rng.uniform(10, 35)) if closed else None,
            )
        )
    cases = ReviewCase.objects.bulk_create(cases, batch_size=2000)
    view_case = Permission.objects.get(codename="view_reviewcase", content_type__app_label="cases")
    view_finding = Permission.objects.get(codename="view_finding", content_type__app_label="findings")
    coordinators = coordinators_group()
    assignments, grants, findings, closeouts = [], [], [], []
    for n, case in enumerate(cases):
        agency = agencies[n % len(agencies)]
        assignments.append(CaseAgencyAssignment(case=case, agency=agency, assigned_by=coordinator))
        for group in (firm.group, coordinators, agency.group):
            grants.append(ReviewCaseGroupObjectPermission(permission=view_case, group=group, content_object=case))
        for i in range(FINDINGS_PER_CASE):
            findings.append(
                Finding(
                    case=case,
                    agency=agency,
                    author=supervisor,
                    title=f"Finding {i}",
                    description="Bench",
                    category=rng.choice(Category.values),
                    severity=rng.choice(Severity.values),
                    state="released",
                    visibility=["agency", "government", "firm"][i % 3],
                    released_at=case.submitted_at + datetime.timedelta(days=rng.uniform(1, 10)),
                )
            )
        if case.state == "closed":
            closeouts.append(
                Closeout(
                    case=case,
                    requested_by=supervisor,
                    summary="Bench",
                    state="approved",
                    decided_at=case.closed_at,
                )
            )
    CaseAgencyAssignment.objects.bulk_create(assignments, batch_size=5000)
    ReviewCaseGroupObjectPermission.objects.bulk_create(grants, batch_size=5000)
    findings = Finding.objects.bulk_create(findings, batch_size=5000)
    FindingGroupObjectPermission.objects.bulk_create(
        [
            FindingGroupObjectPermission(permission=view_finding, group=f.agency.group, content_object=f)
            for f in findings
        ],
        batch_size=5000,
    )
    FindingResponse.objects.bulk_create(
        [
            FindingResponse(
                finding=f,
                responder=liaison,
                choice="acknowledged",
                text="Bench",
                created_at=f.released_at + datetime.timedelta(days=2),
            )
            for f in findings
            if f.visibility == "firm"
        ],
        batch_size=5000,
    )
    Closeout.objects.bulk_create(closeouts, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return coordinator, supervisor


def measure(label: str, user: object) -> None:
    from metrics.selectors import program_metrics

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        metrics = program_metrics(user)
        render_to_string("metrics/dashboard.html", {"metrics": metrics})
        elapsed = time.perf_counter() - started
    print(f"{label}: {elapsed * 1000:.0f} ms, {len(queries)} queries ({len(metrics.figures)} figures)")


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("bench/metrics.py measures PostgreSQL: set DATABASE_URL to a PostgreSQL server.")
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        started = time.perf_counter()
        coordinator, supervisor = seed()
        seconds = time.perf_counter() - started
        print(f"seeded {CASES:,} cases and {CASES * FINDINGS_PER_CASE:,} findings in {seconds:.1f} s")
        for _ in range(2):  # the second run is the warm one
            measure("metrics dashboard, coordinator (the program)", coordinator)
            measure("metrics dashboard, supervisor (one agency)", supervisor)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
