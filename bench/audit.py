"""Benchmark of ``verify_audit`` on the seed_scale database (1,000,000 audit events by default).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/checkpoint_scale SECRET_KEY=... MFA_ENCRYPTION_KEY=... \\
        .venv/bin/python bench/audit.py [--rounds 2]

In each round, in turn (the order reversed every other round, as the shared machine's speed drifts):
reading the whole log as the checker reads it and doing nothing with it (the baseline: what the
database and the driver cost), the check in one process, and the check as ``verify_audit`` runs it
by default (one process per core, at most 4). Prints each one's median seconds, the ratios to the
baseline and between the two checks, and the machine's speed (as bench/pages.py does). Reads only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from audit import services  # noqa: E402
from audit.models import AuditEvent  # noqa: E402


def read_only() -> int:
    """The checker's statement over the whole log, chunk by chunk, rows fetched and dropped."""
    last, rows = 0, 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(services._PG_CHAIN_SQL, [last, services._LAST_ID, services.CHAIN_CHUNK])
            batch = cursor.fetchall()
            rows += len(batch)
            if len(batch) < services.CHAIN_CHUNK:
                return rows
            last = batch[-1][0]


def timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/audit.py measures PostgreSQL: set DATABASE_URL to the seed_scale database.")
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from pages import _machine

    total = AuditEvent.objects.count()
    workers = services.default_workers(total)
    print(f"database {connection.settings_dict['NAME']}: {total:,} audit events; {os.cpu_count()} cores")
    print(_machine())

    def one() -> None:
        assert services.check_chain(workers=1).intact

    def default() -> None:
        assert services.check_chain(workers=workers).intact

    runs = [
        ("read the log only (baseline)", read_only),
        ("check, 1 process", one),
        (f"check, {workers} processes", default),
    ]
    times: dict[str, list[float]] = {name: [] for name, _ in runs}
    for round_ in range(args.rounds):
        for name, run in runs if round_ % 2 == 0 else runs[::-1]:
            times[name].append(timed(run))
    medians = {name: statistics.median(values) for name, values in times.items()}
    baseline, single = medians[runs[0][0]], medians[runs[1][0]]
    print(f"\nverify_audit, {args.rounds} rounds (median seconds)")
    for name, seconds in medians.items():
        line = f"  {name:<30} {seconds:6.2f} s ({seconds / baseline:.1f}x the baseline)"
        if name == runs[2][0]:
            line += f", {seconds / single:.0%} of one process's time"
        print(line)


if __name__ == "__main__":
    main()
