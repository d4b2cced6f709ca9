"""Reads of the audit log, and what a case's timeline says of each action."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet

from audit.actions import AuditAction
from audit.models import AuditEvent

TimelineLabel = Callable[[AuditEvent], str]


def _upper(event: AuditEvent, key: str) -> str:
    return str(event.data.get(key, "")).upper()


def _about_finding(words: str) -> TimelineLabel:
    return lambda event: f"{words} #{event.target_id}"


def _agencies_assigned(event: AuditEvent) -> str:
    added = event.data.get("added")
    return f"assigned agencies ({', '.join(added).upper()})" if added else "assigned agencies"


# What a case's timeline says of each action it shows, after the actor's name: the one place these
# words are written (the case page renders them through the ``timeline_label`` filter).
TIMELINE_LABELS: dict[AuditAction, str | TimelineLabel] = {
    AuditAction.CASE_CREATED: "opened the case",
    AuditAction.CASE_EDITED: "edited the case",
    AuditAction.MODEL_EDITED: "edited the model under review",
    AuditAction.CASE_SUBMITTED: "submitted the case for review",
    AuditAction.CASE_AGENCIES_ASSIGNED: _agencies_assigned,
    AuditAction.CASE_REVIEWERS_ASSIGNED: lambda event: f"assigned {_upper(event, 'agency')} reviewers",
    AuditAction.CASE_SHARING_DATE_MOVED: lambda event: (
        f"moved the sharing date from {event.data.get('from', '')} to {event.data.get('to', '')}"
    ),
    AuditAction.CASE_WITHDRAWN: "withdrew the case",
    AuditAction.CASE_CLOSED: "closed the case: the review is concluded",
    AuditAction.RECORD_STORED: "stored a closeout record",
    AuditAction.CLOSEOUT_REQUESTED: "requested closeout",
    AuditAction.CLOSEOUT_APPROVED: lambda event: f"approved the closeout for {_upper(event, 'agency')}",
    AuditAction.CLOSEOUT_RETURNED: lambda event: f"returned the closeout for {_upper(event, 'agency')}",
    AuditAction.DOCUMENT_CREATED: "added a document",
    AuditAction.DOCUMENT_VERSION_ADDED: "uploaded a new version of a document",
    AuditAction.FINDING_DRAFTED: _about_finding("drafted finding"),
    AuditAction.FINDING_EDITED: _about_finding("edited finding"),
    AuditAction.FINDING_RELEASE_REQUESTED: _about_finding("asked a supervisor to release finding"),
    AuditAction.FINDING_RELEASED: _about_finding("released finding"),
    AuditAction.FINDING_WITHDRAWN: _about_finding("withdrew finding"),
    AuditAction.FINDING_FIRM_RESPONDED: _about_finding("responded to finding"),
    AuditAction.FINDING_RESPONSE_SENT_BACK: _about_finding("sent back the response to finding"),
    AuditAction.FINDING_RESOLVED: _about_finding("resolved finding"),
    AuditAction.COMMENT_ADDED: "commented",
}
# Deliberately not on case timelines: they are about people, organisations, reading and sending,
# not about the review (the coordinators' audit log shows them all). A test holds that every
# AuditAction is in exactly one of TIMELINE_LABELS and this set.
NOT_ON_TIMELINES = frozenset(
    {
        AuditAction.AUTH_LOGIN,
        AuditAction.AUTH_LOGIN_FAILED,
        AuditAction.AUTH_REAUTHENTICATION_FAILED,
        AuditAction.AUTH_LOGOUT,
        AuditAction.AUTH_SESSION_ENDED,
        AuditAction.AUTH_PASSWORD_CHANGED,
        AuditAction.AUTH_PASSWORD_RESET,
        AuditAction.AUTH_EMAIL_ADDED,
        AuditAction.AUTH_EMAIL_REMOVED,
        AuditAction.AUTH_EMAIL_CHANGED,
        AuditAction.MFA_AUTHENTICATOR_ADDED,
        AuditAction.MFA_AUTHENTICATOR_REMOVED,
        AuditAction.MFA_RECOVERY_CODES_REGENERATED,
        AuditAction.MFA_RECOVERY_CODE_USED,
        AuditAction.USER_CREATED,
        AuditAction.USER_DEACTIVATED,
        AuditAction.COORDINATOR_APPOINTED,
        AuditAction.ACCOUNT_EMAIL_CHANGED,
        AuditAction.INVITATION_SENT,
        AuditAction.INVITATION_ACCEPTED,
        AuditAction.INVITATION_EXPIRED,
        AuditAction.INVITATION_REVOKED,
        AuditAction.FIRM_CREATED,
        AuditAction.FIRM_MEMBER_ADDED,
        AuditAction.FIRM_MEMBER_REMOVED,
        AuditAction.AGENCY_CREATED,
        AuditAction.AGENCY_MEMBER_ADDED,
        AuditAction.AGENCY_MEMBER_REMOVED,
        AuditAction.MODEL_REGISTERED,  # no case yet
        AuditAction.DOCUMENT_DOWNLOADED,
        AuditAction.RECORD_DOWNLOADED,
        AuditAction.SAVED_SEARCH_CREATED,
        AuditAction.SAVED_SEARCH_DELETED,
        AuditAction.SAVED_SEARCH_EMAILED,
        AuditAction.REPORT_INTERIM_VIEWED,
        AuditAction.DOCUMENT_UPLOAD_REFUSED,
        AuditAction.FINDINGS_EXPORTED,
        AuditAction.NOTIFICATION_READ,
        AuditAction.NOTIFICATION_CLEARED,
        AuditAction.NOTIFICATIONS_ALL_READ,
        AuditAction.NOTIFICATIONS_CLEARED,
        AuditAction.NOTIFICATIONS_PREFERENCE_CHANGED,
        AuditAction.REMINDERS_SWEPT,
        AuditAction.ACCESS_REFUSED,
        AuditAction.ACCESS_REFUSED_REPEATED,
    }
)


def timeline_label(event: AuditEvent) -> str:
    """What the timeline says of ``event`` after the actor's name (plain text: templates escape it)."""
    label = TIMELINE_LABELS.get(AuditAction(event.action)) if event.action in AuditAction._value2member_map_ else None
    if label is None:
        return event.action
    return label if isinstance(label, str) else label(event)


def audit_log() -> QuerySet[AuditEvent]:
    """The whole audit log, newest first: the program office's page (its views admit coordinators
    only) reads it; case timelines read their own part (``workflow.selectors.case_timeline``)."""
    return AuditEvent.objects.select_related("actor", "case").order_by("-id")
