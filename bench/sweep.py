"""Benchmark of the reminder sweep: 10,000 open cases, 1,000 reminders due.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cp_bench .venv/bin/python bench/sweep.py

It creates its own throwaway database (``test_`` + the name in DATABASE_URL), migrates it, seeds
it in bulk, runs the sweep twice (the second run finds everything claimed and sent), prints the
time and the query count of each, and drops the database. Emails go to Django's in-memory
backend: the figures are the sweep's own work (database and rendering), not an SMTP server's.
BENCH_SHOW_QUERIES=1 also prints the most frequent query shapes.
"""

from __future__ import annotations

import datetime
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.test_settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cp_bench")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Permission  # noqa: E402
from django.core import mail  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

CASES = 10_000
WINDOW_DUE_CASES = 400  # x (reviewer + supervisor) = 800 reminders
TRIAGE_DUE_CASES = 100  # x 2 coordinators = 200 reminders


def seed(today: datetime.date) -> None:
    from accounts.models import User
    from accounts.services import coordinator_appoint
    from agencies.models import Agency
    from agencies.services import agency_membership_add
    from cases.models import (
        AIModel,
        CaseAgencyAssignment,
        ReviewCase,
        ReviewCaseGroupObjectPermission,
        ReviewerAssignment,
    )
    from core.permissions import coordinators_group
    from firms.services import firm_create, firm_membership_add

    firm = firm_create(name="Bench AI", actor=None)
    liaison = User.objects.create_user("liaison@bench.test")
    firm_membership_add(firm=firm, user=liaison, is_admin=True, actor=None)
    agencies = list(Agency.objects.order_by("code"))
    reviewers, supervisors = {}, {}
    for agency in agencies:
        supervisors[agency.pk] = User.objects.create_user(f"supervisor@{agency.code}.bench.test")
        agency_membership_add(agency=agency, user=supervisors[agency.pk], role="supervisor", actor=None)
        reviewers[agency.pk] = User.objects.create_user(f"reviewer@{agency.code}.bench.test")
        agency_membership_add(agency=agency, user=reviewers[agency.pk], role="reviewer", actor=None)
    for n in range(2):
        coordinator_appoint(user=User.objects.create_user(f"coordinator{n}@bench.test"), actor=None)
    models = AIModel.objects.bulk_create(
        [AIModel(firm=firm, name="Bench", version=f"{n}.0", created_by=liaison) for n in range(10)]
    )

    cases = []
    for n in range(CASES):
        if n < WINDOW_DUE_CASES:
            state, sharing, submitted = "in_review", today + datetime.timedelta(days=3), None
        elif n < WINDOW_DUE_CASES + TRIAGE_DUE_CASES:
            state, sharing = "submitted", today + datetime.timedelta(days=20)
            submitted = datetime.datetime.combine(
                today - datetime.timedelta(days=1), datetime.time(15), tzinfo=datetime.UTC
            )
        else:
            state, sharing, submitted = "in_review", today + datetime.timedelta(days=10 + n % 20), None
        cases.append(
            ReviewCase(
                model=models[n % len(models)],
                reference=f"CP-BENCH-{n:05d}",
                state=state,
                access_date=sharing - datetime.timedelta(days=25),
                sharing_date=sharing,
                created_by=liaison,
                submitted_at=submitted,
            )
        )
    cases = ReviewCase.objects.bulk_create(cases, batch_size=2000)

    view = Permission.objects.get(codename="view_reviewcase", content_type__app_label="cases")
    review = Permission.objects.get(codename="review_reviewcase", content_type__app_label="cases")
    assignments, team, grants = [], [], []
    coordinators = coordinators_group()
    for n, case in enumerate(cases):
        grants.append(ReviewCaseGroupObjectPermission(permission=view, group=firm.group, content_object=case))
        if case.state == "submitted":
            grants.append(ReviewCaseGroupObjectPermission(permission=view, group=coordinators, content_object=case))
            continue
        agency = agencies[n % len(agencies)]
        assignments.append(CaseAgencyAssignment(case=case, agency=agency, assigned_by=liaison, staffed=True))
        team.append(ReviewerAssignment(case=case, reviewer=reviewers[agency.pk], agency=agency, assigned_by=liaison))
        for perm in (view, review):
            grants.append(ReviewCaseGroupObjectPermission(permission=perm, group=agency.group, content_object=case))
        grants.append(ReviewCaseGroupObjectPermission(permission=view, group=coordinators, content_object=case))
    CaseAgencyAssignment.objects.bulk_create(assignments, batch_size=5000)
    ReviewerAssignment.objects.bulk_create(team, batch_size=5000)
    ReviewCaseGroupObjectPermission.objects.bulk_create(grants, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(label: str, now: datetime.datetime) -> None:
    from notifications.sweep import run_sweep

    mail.outbox = []
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        report = run_sweep(now)
        elapsed = time.perf_counter() - started
    done = report.as_dict()
    if os.environ.get("BENCH_SHOW_QUERIES"):
        shapes = Counter(re.sub(r"[0-9]+", "N", query["sql"])[:70] for query in queries.captured_queries)
        print("  most frequent queries:", shapes.most_common(8))
    print(
        f"{label}: {elapsed:.2f} s, {len(queries)} queries; due {done['due']}, claimed {done['claimed']}, "
        f"emails sent {len(mail.outbox)}"
    )


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("bench/sweep.py measures PostgreSQL: set DATABASE_URL to a PostgreSQL server.")
    setup_test_environment()  # the in-memory email backend, as in the tests
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        from notifications.schedule import local_date, program_zone

        now = datetime.datetime.now(program_zone()).replace(hour=settings.REMINDER_SEND_HOUR, minute=5)
        today = local_date(now)
        started = time.perf_counter()
        seed(today)
        print(f"seeded {CASES:,} open cases in {time.perf_counter() - started:.1f} s")
        measure("first sweep (claims and sends 1,000 reminders)", now)
        measure("second sweep (everything already claimed and sent)", now + datetime.timedelta(minutes=1))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
