"""Reads of the audit log, and what a case's timeline says of each action."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from audit.actions import AuditAction
from audit.models import AuditEvent
from core import formats

# A label gets the event and the short names of agencies by code ("dod" -> "DoD"), which the page
# that shows the timeline knows (the case's agencies): agencies are named as they name themselves.
TimelineLabel = Callable[[AuditEvent, Mapping[str, str]], str]


def _agency(event: AuditEvent, key: str, names: Mapping[str, str]) -> str:
    code = str(event.data.get(key, ""))
    return names.get(code, code.upper())


def _about_finding(words: str) -> TimelineLabel:
    return lambda event, names: f"{words} #{event.target_id}"


def _agencies_assigned(event: AuditEvent, names: Mapping[str, str]) -> str:
    added = event.data.get("added")
    if not added:
        return "assigned agencies"
    return f"assigned agencies ({', '.join(names.get(code, code.upper()) for code in added)})"


# What a case's timeline says of each action it shows, after the actor's name: the one place these
# words are written (the case page renders them through the ``timeline_label`` filter).
TIMELINE_LABELS: dict[AuditAction, str | TimelineLabel] = {
    AuditAction.CASE_CREATED: "opened the case",
    AuditAction.CASE_EDITED: "edited the case",
    AuditAction.MODEL_EDITED: "edited the model under review",
    AuditAction.CASE_SUBMITTED: "submitted the case for review",
    AuditAction.CASE_AGENCIES_ASSIGNED: _agencies_assigned,
    AuditAction.CASE_REVIEWERS_ASSIGNED: lambda event, names: f"assigned {_agency(event, 'agency', names)} reviewers",
    AuditAction.CASE_SHARING_DATE_MOVED: lambda event, names: (
        f"moved the sharing date from {_day(event.data.get('from'))} to {_day(event.data.get('to'))}"
    ),
    AuditAction.CASE_WITHDRAWN: "withdrew the case",
    AuditAction.CASE_CLOSED: "closed the case: the review is concluded",
    AuditAction.RECORD_STORED: "stored a closeout record",
    AuditAction.CLOSEOUT_REQUESTED: "requested closeout",
    AuditAction.CLOSEOUT_APPROVED: lambda event, names: f"approved the closeout for {_agency(event, 'agency', names)}",
    AuditAction.CLOSEOUT_RETURNED: lambda event, names: f"returned the closeout for {_agency(event, 'agency', names)}",
    AuditAction.DOCUMENT_CREATED: "added a document",
    AuditAction.DOCUMENT_VERSION_ADDED: "uploaded a new version of a document",
    AuditAction.DOCUMENT_VERSION_RETRACTED: lambda event, names: (
        f"retracted version {event.data.get('number', '')} of a document"
    ),
    AuditAction.FINDING_DRAFTED: _about_finding("drafted finding"),
    AuditAction.FINDING_EDITED: _about_finding("edited finding"),
    AuditAction.FINDING_RELEASE_REQUESTED: _about_finding("asked a supervisor to release finding"),
    AuditAction.FINDING_RELEASED: _about_finding("released finding"),
    AuditAction.FINDING_WITHDRAWN: _about_finding("withdrew finding"),
    AuditAction.FINDING_FIRM_RESPONDED: _about_finding("responded to finding"),
    AuditAction.FINDING_RESPONSE_SENT_BACK: _about_finding("sent back the response to finding"),
    AuditAction.FINDING_RESOLVED: _about_finding("resolved finding"),
    AuditAction.COMMENT_ADDED: "commented",
    AuditAction.CONFIGURATION_ADDED: lambda event, names: f"added tested configuration {event.data.get('name', '')}",
    AuditAction.CONFIGURATION_REVISED: lambda event, names: (
        f"made version {event.data.get('version', '')} of tested configuration {event.data.get('name', '')}"
    ),
    AuditAction.SHARING_ATTESTED: lambda event, names: f"attested what the firm shares: {event.data.get('label', '')}",
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
        AuditAction.AUTH_OTHER_SESSIONS_ENDED,
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
        AuditAction.AUDIT_LOG_EXPORTED,
        AuditAction.CALENDAR_FEED_CREATED,
        AuditAction.CALENDAR_FEED_REVOKED,
        AuditAction.NOTIFICATION_READ,
        AuditAction.NOTIFICATION_CLEARED,
        AuditAction.NOTIFICATIONS_ALL_READ,
        AuditAction.NOTIFICATIONS_CLEARED,
        AuditAction.NOTIFICATIONS_PREFERENCE_CHANGED,
        AuditAction.REMINDERS_SWEPT,
        AuditAction.MFA_KEY_ROTATED,
        AuditAction.ACCESS_REFUSED,
        AuditAction.ACCESS_REFUSED_REPEATED,
        AuditAction.API_TOKEN_CREATED,
        AuditAction.API_TOKEN_REVOKED,
        AuditAction.API_TOKEN_REFUSED,
        AuditAction.WEBHOOK_ENDPOINT_ADDED,
        AuditAction.WEBHOOK_ENDPOINT_REMOVED,
        AuditAction.WEBHOOK_TEST_SENT,
        # An agency's ledger entries may be its own to read: the ledger page shows them to those who may.
        AuditAction.ACCESS_PERIOD_RECORDED,
        AuditAction.ACCESS_INTERRUPTION_RECORDED,
        AuditAction.LEDGER_COMMENTED,
    }
)


def timeline_label(event: AuditEvent, agency_names: Mapping[str, str] | None = None) -> str:
    """What the timeline says of ``event`` after the actor's name (plain text: templates escape it).
    ``agency_names``: short names by agency code; an agency not in it is named by its code."""
    label = TIMELINE_LABELS.get(AuditAction(event.action)) if event.action in AuditAction._value2member_map_ else None
    if label is None:
        return event.action
    return label if isinstance(label, str) else label(event, agency_names or {})


def _day(value: Any) -> str:
    """An ISO date the log holds, in the portal's one date format."""
    try:
        return formats.day(datetime.date.fromisoformat(str(value)))
    except ValueError:
        return str(value or "")


def action_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every action the log records, grouped by what it is about ("auth", "case", ...), for a filter."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for action in sorted(AuditAction, key=lambda a: a.value):
        groups.setdefault(action.value.split(".")[0], []).append((action.value, action.value))
    return list(groups.items())


def audit_log_filtered(
    *,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    action: str = "",
    actor: str = "",
    case_reference: str = "",
) -> QuerySet[AuditEvent]:
    """The audit log narrowed: days ``since`` to ``until`` included (in the program's time zone),
    one action, an actor's email (part of it), a case's reference."""
    events = audit_log()
    if since is not None:
        events = events.filter(at__gte=_start_of(since))
    if until is not None:
        events = events.filter(at__lt=_start_of(until + datetime.timedelta(days=1)))
    if action:
        events = events.filter(action=action)
    if actor:
        events = events.filter(actor_label__icontains=actor.strip())
    if case_reference:
        events = events.filter(case__reference__iexact=case_reference.strip())
    return events


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def audit_log() -> QuerySet[AuditEvent]:
    """The whole audit log, newest first: the program office's page (its views admit coordinators
    only) reads it; case timelines read their own part (``workflow.selectors.case_timeline``)."""
    return AuditEvent.objects.select_related("actor", "case").order_by("-id")
