from concurrent.futures.process import BrokenProcessPool

from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditEvent
from audit.services import PARALLEL_FROM, check_chain, check_head_outside, default_workers
from core.progress import progress


class Command(BaseCommand):
    help = "Check the audit log's hash chain and name the first event that was altered or removed."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="processes that check spans of the log side by side, on PostgreSQL (default: one per "
            f"core, at most 4, for a log of {PARALLEL_FROM:,} events or more; else 1)",
        )

    def handle(self, *args, **options) -> None:
        total = AuditEvent.objects.count()
        workers = options["workers"]
        if workers is None:
            workers = default_workers(total)
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        with progress(self.stderr, total=total, label="Checking the audit chain") as advance:
            try:
                report = check_chain(on_row=advance, workers=workers)
            except BrokenProcessPool:
                raise CommandError(
                    "A checking process stopped before it finished (killed, or out of memory): "
                    "nothing is concluded. Run verify_audit again, with fewer --workers if memory is short."
                ) from None
        if report.problem is not None:
            # A non-zero exit status, so that a cron job or CI step notices.
            raise CommandError(report.problem.message)
        outside = check_head_outside()
        if outside is not None:
            raise CommandError(outside.message)
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} events verified."))
