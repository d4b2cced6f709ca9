"""Reads of the audit log: a case's timeline as its reader may see it, and the coordinators' log."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from accounts.roles import is_coordinator
from audit.models import AuditEvent

# What the timeline says of each action. Events not named here are not shown on timelines.
TIMELINE_LABELS = {
    "case.created": "opened the case",
    "case.edited": "edited the case",
    "model.edited": "edited the model under review",
    "case.submitted": "submitted the case for review",
    "case.agencies_assigned": "assigned agencies",
    "case.reviewers_assigned": "assigned reviewers",
    "case.sharing_date_moved": "moved the sharing date",
    "case.withdrawn": "withdrew the case",
    "case.closed": "closed the case: the review is concluded",
    "closeout.requested": "requested closeout",
    "closeout.approved": "approved the closeout",
    "closeout.returned": "returned the closeout for more review",
    "document.created": "added a document",
    "document.version_added": "uploaded a new version",
    "finding.drafted": "drafted a finding",
    "finding.edited": "edited a finding",
    "finding.release_requested": "asked a supervisor to release a finding",
    "finding.released": "released a finding",
    "finding.withdrawn": "withdrew a finding",
    "finding.firm_responded": "responded to a finding",
    "finding.response_sent_back": "sent a response back",
    "finding.resolved": "resolved a finding",
    "comment.added": "commented",
}
_GUARDED_TARGETS = {
    "findings.finding": "finding",
    "findings.comment": "comment",
    "documents.document": "document",
    "documents.documentversion": "version",
}


def case_timeline(user: Any, case: Any) -> QuerySet[AuditEvent]:
    """The case's history from the audit log, holding only events about objects ``user`` may see.

    Coordinators read the whole log of the case (it holds no finding or document content).
    """
    from documents.models import DocumentVersion
    from documents.selectors import documents_for
    from findings.selectors import comments_for, findings_for

    events = AuditEvent.objects.filter(case=case, action__in=TIMELINE_LABELS).select_related("actor").order_by("id")
    if is_coordinator(user):
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


def timeline_label(event: AuditEvent) -> str:
    return TIMELINE_LABELS.get(event.action, event.action)


def audit_log_for(user: Any) -> QuerySet[AuditEvent]:
    """The whole audit log, for coordinators only."""
    if not is_coordinator(user):
        return AuditEvent.objects.none()
    return AuditEvent.objects.select_related("actor", "case").order_by("-id")
