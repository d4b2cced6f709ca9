from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Rebuild the database and the document storage from a folder `manage.py backup` wrote. Every sha256 "
        "of the backup is checked first: a damaged backup changes nothing. Then run verify_audit and "
        "verify_documents."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Drop what the database and the storage hold first (otherwise both must be empty).",
        )

    def handle(self, *args, **options) -> None:
        try:
            manifest = restore(Path(options["folder"]), replace=options["replace"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the database and {len(manifest['files'])} stored files from {options['folder']} "
                f"(backup of {manifest['created_at']}). Now run manage.py verify_audit and verify_documents."
            )
        )
