"""Re-hash every stored document version and closeout record, and name each one whose file is
missing or whose bytes no longer match the sha256 recorded when it was stored. Exits non-zero when
any does, so a cron job notices."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from core.progress import progress
from documents.models import DocumentVersion
from documents.verification import rehash, sources


class Command(BaseCommand):
    help = "Re-hash stored document files; name every version whose file is missing or altered."

    def handle(self, *args, **options) -> None:
        versions = DocumentVersion.objects.select_related("document__case").order_by("pk")
        others = sources()
        total = DocumentVersion.objects.count() + sum(source.count() for source in others)
        with progress(self.stderr, total=total, label="Re-hashing stored files") as advance:
            checked, problems = self._check(versions, advance)
            found = []  # (noun, how many, their problems), per other kind of stored file
            for source in others:
                count, theirs = 0, []
                for item_problems in source.problems():
                    count += 1
                    advance(1)
                    theirs += item_problems
                found.append((source.noun, count, theirs))
        self._report(checked, problems, found)

    def _check(self, versions, advance) -> tuple[int, list[str]]:
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
        return checked, problems

    def _report(self, checked: int, problems: list[str], found: list[tuple[str, int, list[str]]]) -> None:
        for problem in problems + [p for _noun, _count, theirs in found for p in theirs]:
            self.stderr.write(problem)
        failed = []
        if problems:
            failed.append(f"{len(problems)} of {checked} document versions failed verification")
        failed += [f"{len(theirs)} problems in {count} {noun}" for noun, count, theirs in found if theirs]
        if failed:
            raise CommandError("; ".join(failed) + ".")
        self.stdout.write(
            self.style.SUCCESS(
                " ".join(
                    [
                        f"All {checked} document versions verified: every file matches its sha256.",
                        *(f"All {count} {noun} verified." for noun, count, _theirs in found),
                    ]
                )
            )
        )
