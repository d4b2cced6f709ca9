"""Reads that reach across a case's documents and findings: its timeline, as its reader may see it."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

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
    finding_ids = [str(pk) for pk in findings_for(user).filter(case=case).values_list("pk", flat=True)]
    comment_ids = [str(pk) for pk in comments_for(user).filter(case=case).values_list("pk", flat=True)]
    document_ids = list(documents_for(user).filter(case=case).values_list("pk", flat=True))
    version_ids = [
        str(pk) for pk in DocumentVersion.objects.filter(document_id__in=document_ids).values_list("pk", flat=True)
    ]
    visible = (
        ~Q(target_type__in=_GUARDED_TARGETS)
        | Q(target_type="findings.finding", target_id__in=finding_ids)
        | Q(target_type="findings.comment", target_id__in=comment_ids)
        | Q(target_type="documents.document", target_id__in=[str(pk) for pk in document_ids])
        | Q(target_type="documents.documentversion", target_id__in=version_ids)
    )
    return events.filter(visible)
