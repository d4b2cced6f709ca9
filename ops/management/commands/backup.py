from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump), every stored document file with a manifest of their sha256, "
        "and the audit chain's head, into a new folder."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", help="A new (or empty) folder to write the backup to.")

    def handle(self, *args, **options) -> None:
        try:
            manifest = backup(Path(options["folder"]))
        except BackupError as error:
            raise CommandError(str(error)) from error
        head = manifest["audit_head"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {options['folder']}: the database, {len(manifest['files'])} stored files, "
                f"audit head {'none' if head is None else head['id']}."
            )
        )
