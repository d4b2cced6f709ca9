"""The closeout records' part of ``manage.py verify_documents`` (registered in ``records.apps``)."""

from __future__ import annotations

from collections.abc import Iterator

from django.core.files.storage import default_storage

from documents.verification import StoredFiles, rehash
from records.models import CloseoutRecord
from records.rendering import record_sha256


def record_problems(record: CloseoutRecord) -> list[str]:
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


def _each_record() -> Iterator[list[str]]:
    for record in CloseoutRecord.objects.select_related("case", "agency").order_by("pk").iterator(chunk_size=500):
        yield record_problems(record)


CLOSEOUT_RECORDS = StoredFiles(noun="closeout records", count=CloseoutRecord.objects.count, problems=_each_record)
