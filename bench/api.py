"""Benchmark of the API's lists: 1,000 cases with 2,000 findings, read through /api/v1/ with a
liaison's and a reviewer's tokens (cursor pages of 50, followed to the end, then the first page
again and again), printing p50/p95 per request and the queries per request.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cp_bench .venv/bin/python bench/api.py

It creates its own throwaway database (``test_`` + the name in DATABASE_URL), migrates it, seeds
it in bulk with the object permissions the services grant, measures, and drops the database.
The requests go through Django's test client in process (middleware, authentication, throttling
in Redis, serialization): the figures are the portal's work, not a network's.
"""

from __future__ import annotations

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.test_settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cp_bench")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Permission  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

CASES = 1_000
FINDINGS_PER_CASE = 2
REPEATS = 40


def seed() -> dict[str, object]:
    from accounts.models import User
    from agencies.models import Agency
    from agencies.services import agency_membership_add
    from cases.models import AIModel, CaseAgencyAssignment, ReviewCase, ReviewCaseGroupObjectPermission
    from findings.models import Finding, FindingGroupObjectPermission
    from firms.services import firm_create, firm_membership_add

    today = datetime.date.today()
    firm = firm_create(name="Bench AI", actor=None)
    liaison = User.objects.create_user("liaison@bench.test", full_name="Bench Liaison")
    firm_membership_add(firm=firm, user=liaison, is_admin=True, actor=None)
    dod = Agency.objects.get(code="dod")
    reviewer = User.objects.create_user("reviewer@dod.bench.test", full_name="Bench Reviewer")
    agency_membership_add(agency=dod, user=reviewer, role="reviewer", actor=None)
    models = AIModel.objects.bulk_create(
        [AIModel(firm=firm, name="Bench", version=f"{n}.0", created_by=liaison) for n in range(10)]
    )
    cases = ReviewCase.objects.bulk_create(
        [
            ReviewCase(
                model=models[n % len(models)],
                reference=f"CP-BENCH-{n:05d}",
                state="in_review",
                access_date=today - datetime.timedelta(days=5),
                sharing_date=today + datetime.timedelta(days=10 + n % 15),
                created_by=liaison,
            )
            for n in range(CASES)
        ],
        batch_size=2000,
    )
    CaseAgencyAssignment.objects.bulk_create(
        [CaseAgencyAssignment(case=case, agency=dod, assigned_by=liaison) for case in cases], batch_size=5000
    )
    view_case = Permission.objects.get(codename="view_reviewcase", content_type__app_label="cases")
    ReviewCaseGroupObjectPermission.objects.bulk_create(
        [
            ReviewCaseGroupObjectPermission(permission=view_case, group=group, content_object=case)
            for case in cases
            for group in (firm.group, dod.group)
        ],
        batch_size=5000,
    )
    findings = Finding.objects.bulk_create(
        [
            Finding(
                case=case,
                agency=dod,
                author=reviewer,
                title=f"Finding {n}",
                description="A bench finding.",
                category="other",
                severity="low",
                state="released",
                visibility="firm",
            )
            for case in cases
            for n in range(FINDINGS_PER_CASE)
        ],
        batch_size=5000,
    )
    view_finding = Permission.objects.get(codename="view_finding", content_type__app_label="findings")
    FindingGroupObjectPermission.objects.bulk_create(
        [
            FindingGroupObjectPermission(permission=view_finding, group=group, content_object=finding)
            for finding in findings
            for group in (firm.group, dod.group)
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"liaison": liaison, "reviewer": reviewer}


def measure(label: str, client: Client, url: str) -> None:
    timings, queries = [], []
    next_url: str | None = f"{url}?page_size=50"
    pages = 0
    while next_url:  # the whole list, page by page
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(next_url)
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content[:200]
        queries.append(len(captured))
        next_url = response.json()["next"]
        pages += 1
    for _ in range(REPEATS):  # and the first page, as a tracker polling it would
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            client.get(f"{url}?page_size=50")
            timings.append(time.perf_counter() - started)
        queries.append(len(captured))
    ms = sorted(t * 1000 for t in timings)
    p95 = ms[int(len(ms) * 0.95) - 1]
    print(
        f"{label}: {len(ms)} requests ({pages} pages of 50), p50 {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, "
        f"queries per request {min(queries)}-{max(queries)}"
    )


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("bench/api.py measures PostgreSQL: set DATABASE_URL to a PostgreSQL server.")
    setup_test_environment()
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api": "1000000/min"}}
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        from api.services import token_create

        started = time.perf_counter()
        people = seed()
        seconds = time.perf_counter() - started
        print(f"seeded {CASES:,} cases and {CASES * FINDINGS_PER_CASE:,} findings in {seconds:.1f} s")
        for role in ("liaison", "reviewer"):
            _token, raw = token_create(actor=people[role], name="bench", scope="read", days=1, passed_mfa=True)
            client = Client(headers={"Authorization": f"Bearer {raw}"})
            measure(f"cases as the {role}", client, "/api/v1/cases/")
            measure(f"findings as the {role}", client, "/api/v1/findings/")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
