"""manage.py seed_scale: program-scale data for measuring the portal (``demo.scale``).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/checkpoint_scale manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/checkpoint_scale manage.py seed_scale

Sizes are options (the defaults are the issue's: 10,000 cases, 100,000 findings, 83,000 comments,
32,000 documents, 1,000,000 audit events, 200 people in 20 firms). It runs only on PostgreSQL,
and only with CHECKPOINT_DEMO=1 or ``--force`` (it fills a database with invented cases). Run
again on a seeded database, it does nothing; to seed another size, drop and re-create the database.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from demo.scale import Seeder, Sizes, already_seeded


class Command(BaseCommand):
    help = "Fill a PostgreSQL database with program-scale data (sizes are options) for bench/pages.py."

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = Sizes()
        for name in ("firms", "users", "cases", "findings", "comments", "documents", "audit"):
            parser.add_argument(f"--{name}", type=int, default=getattr(defaults, name))
        parser.add_argument("--seed", type=int, default=11, help="random seed (the same seed, the same data)")
        parser.add_argument("--force", action="store_true", help="run without CHECKPOINT_DEMO=1")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEMO or options["force"]):
            raise CommandError(
                "seed_scale fills the database with invented cases: run it with CHECKPOINT_DEMO=1 or --force."
            )
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale writes PostgreSQL (COPY, the audit chain's lock): set DATABASE_URL to one.")
        if already_seeded():
            self.stdout.write("Scale data is already loaded in this database: nothing to do.")
            return
        sizes = Sizes(**{name: options[name] for name in Sizes.__dataclass_fields__})
        if sizes.firms < 1 or sizes.users < sizes.firms + 10 or sizes.cases < 1:
            raise CommandError("Give at least one firm, ten people more than firms, and one case.")
        Seeder(sizes, seed=options["seed"], log=self.stdout.write).run()
        self.stdout.write(self.style.SUCCESS("Scale data loaded; manage.py verify_audit checks its audit chain."))
