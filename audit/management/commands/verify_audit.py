from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditEvent
from audit.services import verify_chain


class Command(BaseCommand):
    help = "Check the audit log's hash chain and name the first event that was altered or removed."

    def handle(self, *args, **options) -> None:
        problem = verify_chain()
        if problem is not None:
            raise CommandError(problem.message)
        count = AuditEvent.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {count} events verified."))
