"""Re-hash every stored document version and closeout record, and name each one whose file is
missing or whose bytes no longer match the sha256 recorded when it was stored. Exits non-zero when
any does, so a cron job notices."""

from __future__ import annotations

import hashlib

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError

from core.progress import progress
from documents.models import DocumentVersion
from records.models import CloseoutRecord
from records.rendering import record_sha256

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
        versions = DocumentVersion.objects.select_related("document__case").order_by("pk")
        total = DocumentVersion.objects.count() + CloseoutRecord.objects.count()
        with progress(self.stderr, total=total, label="Re-hashing stored files") as advance:
            checked, problems, records, record_problems = self._check(versions, advance)
        self._report(checked, problems, records, record_problems)

    def _check(self, versions, advance) -> tuple[int, list[str], int, list[str]]:
        checked = 0
        problems: list[str] = []
        for version in versions.iterator(chunk_size=500):
            checked += 1
            advance(1)
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
        records = 0
        record_problems: list[str] = []
        for record in CloseoutRecord.objects.select_related("case", "agency").order_by("pk").iterator(chunk_size=500):
            records += 1
            advance(1)
            record_problems += _record_problems(record)
        return checked, problems, records, record_problems

    def _report(self, checked: int, problems: list[str], records: int, record_problems: list[str]) -> None:
        for problem in problems + record_problems:
            self.stderr.write(problem)
        if problems or record_problems:
            failed = []
            if problems:
                failed.append(f"{len(problems)} of {checked} document versions failed verification")
            if record_problems:
                failed.append(f"{len(record_problems)} problems in {records} closeout records")
            raise CommandError("; ".join(failed) + ".")
        self.stdout.write(
            self.style.SUCCESS(
                f"All {checked} document versions verified: every file matches its sha256. "
                f"All {records} closeout records verified."
            )
        )


def _record_problems(record: CloseoutRecord) -> list[str]:
    """The record's HTML must hash (without its hash line) to the sha256 printed in it and stored;
    its PDF, once drawn, to the sha256 stored with it."""
    label = (
        f"Closeout record {record.pk} ({record.case.reference}, {record.audience_label}, stored as {record.html.name})"
    )
    try:
        with default_storage.open(record.html.name, "rb") as handle:
            html = handle.read()
    except FileNotFoundError:
        return [f"{label}: the stored file is missing."]
    except OSError as error:
        return [f"{label}: the stored file cannot be read ({error})."]
    problems = []
    if record_sha256(html) != record.sha256 or f"Record sha256: {record.sha256}".encode() not in html:
        problems.append(f"{label}: its HTML no longer matches the sha256 recorded and printed in it ({record.sha256}).")
    if record.pdf:
        try:
            sha256, _size = rehash(record.pdf.name)
        except OSError:
            return [*problems, f"{label}: its PDF ({record.pdf.name}) is missing or cannot be read."]
        if sha256 != record.pdf_sha256:
            problems.append(f"{label}: its PDF no longer matches: sha256 {sha256}, recorded {record.pdf_sha256}.")
    return problems
