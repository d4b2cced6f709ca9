"""Re-hash every stored document version and name each one whose file is missing or whose bytes no
longer match the sha256 recorded at upload. Exits non-zero when any does, so a cron job notices."""

from __future__ import annotations

import hashlib

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from documents.models import DocumentVersion

CHUNK = 1024 * 1024


def rehash(name: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with default_storage.open(name, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


class Command(BaseCommand):
    help = "Re-hash stored document files; name every version whose file is missing or altered."

    def handle(self, *args, **options) -> None:
        checked = 0
        problems: list[str] = []
        versions = DocumentVersion.objects.select_related("document__case").order_by("pk")
        for version in versions.iterator(chunk_size=500):
            checked += 1
            label = (
                f"Version {version.pk} ({version.document.case.reference}, document {version.document_id} "
                f"“{version.document.title}”, v{version.number}, stored as {version.file.name})"
            )
            try:
                sha256, size = rehash(version.file.name)
            except FileNotFoundError:
                problems.append(f"{label}: the stored file is missing.")
                continue
            except OSError as error:
                problems.append(f"{label}: the stored file cannot be read ({error}).")
                continue
            if sha256 != version.sha256:
                problems.append(
                    f"{label}: its bytes no longer match: sha256 {sha256} ({size} bytes), "
                    f"recorded {version.sha256} ({version.size} bytes)."
                )
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} of {checked} document versions failed verification.")
        self.stdout.write(
            self.style.SUCCESS(f"All {checked} document versions verified: every file matches its sha256.")
        )
