"""The only way closeout records are stored, and their downloads recorded.

``closeout_records_store`` runs inside the closing transaction (``workflow.services.closeout_decide``):
one HTML record per audience, stored through the documents' storage with its sha256, each granted
to its readers and audited. The PDF of each is drawn from that stored HTML after the commit
(``records.tasks``), once: ``record_pdf_store`` never replaces one.
"""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from accounts.models import User
from agencies.models import Agency
from audit.actions import AuditAction
from audit.services import audit_record
from cases.models import CaseState, Closeout, ReviewCase
from core import permissions
from core.errors import DomainError
from records import rendering
from records.models import CloseoutRecord
from records.permissions import VIEW_RECORD
from records.selectors import reader_groups, record_audiences, record_content


def _stored_name(case: ReviewCase, audience: str, agency: Agency | None, sha256: str, suffix: str) -> str:
    who = agency.code if agency is not None else audience
    return f"records/{case.reference}/{who}-{sha256[:16]}.{suffix}"


def closeout_records_store(*, case: ReviewCase, closeout: Closeout, actor: User | None) -> list[CloseoutRecord]:
    """Store the case's records, one per audience. Called once, as the case closes; a case whose
    records exist is refused (a record is never regenerated)."""
    if case.state != CaseState.CLOSED:
        raise DomainError("A closeout record is stored only when the case closes.")
    if CloseoutRecord.objects.filter(case=case).exists():
        raise DomainError("This case's closeout records are stored already; a record is never regenerated.")
    records = []
    for audience, agency in record_audiences(case):
        content = record_content(case, audience, agency, closeout=closeout, interim=False)
        html, sha256 = rendering.render_html(content)
        name = default_storage.save(_stored_name(case, audience, agency, sha256, "html"), ContentFile(html))
        record = CloseoutRecord.objects.create(
            case=case,
            closeout=closeout,
            audience=audience,
            agency=agency,
            html=name,
            sha256=sha256,
            html_size=len(html),
        )
        permissions.sync(VIEW_RECORD, record, reader_groups(case, audience, agency))
        audit_record(
            actor=actor,
            action=AuditAction.RECORD_STORED,
            target=record,
            case=case,
            data={
                "record": record.pk,
                "audience": audience,
                "agency": agency.code if agency else None,
                "sha256": sha256,
            },
        )
        records.append(record)
    ids = [record.pk for record in records]
    transaction.on_commit(lambda: _queue_pdfs(ids))
    return records


def _queue_pdfs(ids: list[int]) -> None:
    """Hand the PDFs to a worker. Where tasks run in-process (the demo, the tests), nothing is
    queued: drawing them would make the closing supervisor's page wait several seconds, so each is
    drawn at its first download instead (``record_pdf_store``, once)."""
    from django.conf import settings

    from records.tasks import render_record_pdf

    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return
    for pk in ids:
        try:
            render_record_pdf.delay(pk)
        except Exception:  # the broker is down: the PDF is drawn when first downloaded
            import logging

            logging.getLogger(__name__).exception("could not queue the PDF of record %s", pk)


def record_pdf_store(*, record: CloseoutRecord) -> CloseoutRecord:
    """The record's PDF, drawn from its stored HTML, once. Safe to run twice or at once: the
    first to store it wins and the other's file is removed."""
    if record.pdf:
        return record
    with default_storage.open(record.html.name, "rb") as handle:
        html = handle.read()
    pdf = rendering.render_pdf(html)
    pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    name = default_storage.save(
        _stored_name(record.case, record.audience, record.agency, record.sha256, "pdf"), ContentFile(pdf)
    )
    claimed = CloseoutRecord.objects.filter(pk=record.pk, pdf="").update(
        pdf=name, pdf_sha256=pdf_sha256, pdf_size=len(pdf)
    )
    if not claimed:
        default_storage.delete(name)
    return CloseoutRecord.objects.select_related("case", "agency").get(pk=record.pk)


def record_download_record(*, record: CloseoutRecord, actor: User, file_format: str) -> None:
    """Audit one download of a record, as a document download is."""
    audit_record(
        actor=actor,
        action=AuditAction.RECORD_DOWNLOADED,
        target=record,
        case=record.case,
        data={
            "record": record.pk,
            "format": file_format,
            "sha256": record.sha256 if file_format == "html" else record.pdf_sha256,
        },
    )


def interim_report_record(*, case: ReviewCase, actor: User, audience: str, file_format: str) -> None:
    """Audit one interim report drawn for an open case (it holds the case's contents)."""
    audit_record(
        actor=actor,
        action=AuditAction.REPORT_INTERIM_VIEWED,
        target=case,
        case=case,
        data={"audience": audience, "format": file_format},
    )
