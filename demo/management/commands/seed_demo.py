"""manage.py seed_demo: the people, firms and cases a newcomer needs to see every role and every
state (the tables of ``demo.data``, loaded by ``demo.seed``).

The demo password is published in the README, so the command refuses to run unless
CHECKPOINT_DEMO=1 (``settings.DEMO``) or ``--force`` is given. It loads everything or nothing, and
nothing at all when the demo accounts are there already.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import User
from cases.models import CaseState
from cases.selectors import cases_for
from core.errors import DomainError
from core.progress import progress
from demo.data import ACCOUNTS, DEMO_PASSWORD
from demo.seed import DemoDataError, seed, seed_steps
from findings.selectors import findings_for

REFUSAL = (
    "seed_demo creates accounts whose password (checkpoint-demo) is published in the README, so it "
    "runs only with CHECKPOINT_DEMO=1. To load the demo data into this database on purpose, run it "
    "again with --force."
)


class Command(BaseCommand):
    help = "Load the demo accounts and cases (idempotent). Runs only with CHECKPOINT_DEMO=1 unless --force is given."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo data even though CHECKPOINT_DEMO is off (never on a production database).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO and not options["force"]:
            raise CommandError(REFUSAL)
        emails = [account.email for account in ACCOUNTS]
        existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        if existing == set(emails):  # the coordinator and everyone else: loaded before
            self.stdout.write("Demo data already loaded: nothing changed.")
            self._summary()
            return
        if existing:
            raise CommandError(
                "Some demo accounts exist but not all of them "
                f"({', '.join(sorted(existing))}): this database holds other data. Nothing was changed."
            )
        try:
            with (
                progress(self.stderr, total=seed_steps(), label="Loading the demo") as advance,
                _quiet_events(),
                transaction.atomic(),
            ):
                seed(today=timezone.localdate(), on_step=advance)
        except (DomainError, DemoDataError) as error:
            raise CommandError(f"The demo data could not be loaded: {error} Nothing was changed.") from None
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self._summary()

    def _summary(self) -> None:
        users = {user.email: user for user in User.objects.filter(email__in=[a.email for a in ACCOUNTS])}
        self.stdout.write(f"\nDemo logins (password {DEMO_PASSWORD} for every account):")
        width = max(len(a.email) for a in ACCOUNTS)
        for account in ACCOUNTS:
            user = users[account.email]
            self.stdout.write(f"  {account.email:<{width}}  {account.organisation}, {account.role}: {_sees(user)}")


def _sees(user: User) -> str:
    """What the account will find, in a few words (counted through the same permissions the
    portal applies)."""
    cases = cases_for(user)
    if user.is_staff:
        triage = cases.filter(state="submitted").count()
        return f"metadata of {cases.count()} cases ({triage} awaiting triage), the audit log"
    present = set(cases.values_list("state", flat=True))
    states = [state.label.split(" (")[0].lower() for state in CaseState if state in present]
    findings = findings_for(user).count()
    return f"{cases.count()} cases ({', '.join(states)}), {findings} findings"


@contextmanager
def _quiet_events() -> Iterator[None]:
    """The seed fires about a hundred events. Their in-app notifications are part of the demo, but
    their emails would only flood the console (or, with --force, go to .example addresses), so
    seeding sends none; and the per-event log lines are noise on the demo's console."""
    loggers = {"core.events": logging.WARNING, "celery.app.trace": logging.WARNING, "kombu.connection": logging.ERROR}
    levels = {name: logging.getLogger(name).level for name in loggers}
    for name, level in loggers.items():
        logging.getLogger(name).setLevel(level)
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            yield
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
