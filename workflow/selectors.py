"""Reads that reach across a case's documents and findings: its timeline, as its reader may see it."""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from audit.models import AuditEvent
from audit.selectors import TIMELINE_LABELS
from cases.policy import Role, Standing, standing
from documents.models import DocumentVersion
from documents.selectors import documents_for
from findings.selectors import comments_for, findings_for

_GUARDED_TARGETS = {
    "findings.finding": "finding",
    "findings.comment": "comment",
    "documents.document": "document",
    "documents.documentversion": "version",
}


def case_timeline(user: Any, case: Any, *, held: Standing | None = None) -> QuerySet[AuditEvent]:
    """The case's history from the audit log, holding only events about objects ``user`` may see.

    Coordinators read the whole log of the case (it holds no finding or document content).
    """
    events = AuditEvent.objects.filter(case=case, action__in=TIMELINE_LABELS).select_related("actor").order_by("id")
    if Role.COORDINATOR in (held or standing(user, case)).roles:
        return events

    # Each guarded kind is a subquery of the same statement: the reader's visible objects of this
    # case, as the text ids the log holds.
    def ids(queryset: QuerySet[Any]) -> QuerySet[Any]:
        text_ids: QuerySet[Any] = queryset.annotate(text_id=Cast("pk", CharField())).values("text_id")
        return text_ids

    documents = documents_for(user).filter(case=case)
    visible = (
        ~Q(target_type__in=_GUARDED_TARGETS)
        | Q(target_type="findings.finding", target_id__in=ids(findings_for(user).filter(case=case)))
        | Q(target_type="findings.comment", target_id__in=ids(comments_for(user).filter(case=case)))
        | Q(target_type="documents.document", target_id__in=ids(documents))
        | Q(
            target_type="documents.documentversion",
            target_id__in=ids(DocumentVersion.objects.filter(document__in=documents)),
        )
    )
    return events.filter(visible)
