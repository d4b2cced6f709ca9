from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditEvent
from audit.services import check_chain, check_head_outside
from core.progress import progress


class Command(BaseCommand):
    help = "Check the audit log's hash chain and name the first event that was altered or removed."

    def handle(self, *args, **options) -> None:
        with progress(self.stderr, total=AuditEvent.objects.count(), label="Checking the audit chain") as advance:
            report = check_chain(on_row=advance)
        if report.problem is not None:
            # A non-zero exit status, so that a cron job or CI step notices.
            raise CommandError(report.problem.message)
        outside = check_head_outside()
        if outside is not None:
            raise CommandError(outside.message)
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {report.checked} events verified."))
