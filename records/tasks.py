"""Celery tasks of closeout records: ids in, the service does the work; safe to run twice."""

from __future__ import annotations

from celery import shared_task

from records.models import CloseoutRecord
from records.services import record_pdf_store


@shared_task(acks_late=True)
def render_record_pdf(record_id: int) -> bool:
    record = CloseoutRecord.objects.select_related("case", "agency").filter(pk=record_id).first()
    if record is None:
        return False
    record_pdf_store(record=record)
    return True
