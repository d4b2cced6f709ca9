"""Reads of a person's notifications and preferences. A person sees their own notifications only."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from core.permissions import refuse_access
from notifications.models import EmailMode, EmailState, Notification, NotificationPreference


def notifications_for(user: Any) -> QuerySet[Notification]:
    """The inbox: ``user``'s notifications not cleared, newest first."""
    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=user.pk, cleared_at__isnull=True).select_related("case")


def get_notification_for(user: Any, pk: Any) -> Notification:
    """One of ``user``'s notifications; 404 for another person's and for a missing one alike."""
    try:
        return notifications_for(user).get(pk=pk)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise refuse_access(user, "notifications.view_notification", pk) from None


def openable(user: Any, notifications: Iterable[Notification]) -> set[int]:
    """The ids of ``notifications`` whose object ``user`` may open now: the list links only those, so
    that no link of ours leads to "Page not found" (a finding re-scoped, a case no longer shared).
    Two queries at most, whatever the number of notices."""
    from cases.models import Closeout
    from cases.selectors import cases_for
    from findings.selectors import findings_for

    notices = list(notifications)
    finding_ids = {n.target_id for n in notices if n.target_type == "findings.finding"}
    seen_findings = (
        set(findings_for(user).filter(pk__in=finding_ids).values_list("pk", flat=True)) if finding_ids else set()
    )
    case_ids = {n.case_id for n in notices}
    seen_cases = set(cases_for(user).filter(pk__in=case_ids).values_list("pk", flat=True)) if case_ids else set()
    closeouts = {n.target_id for n in notices if n.target_type == "cases.closeout"}
    closeout_cases = dict(Closeout.objects.filter(pk__in=closeouts).values_list("pk", "case_id")) if closeouts else {}
    opened = set()
    for notice in notices:
        target = notice.target_id or 0  # no row has id 0
        if notice.target_type == "findings.finding":
            ok = target in seen_findings
        elif notice.target_type == "cases.closeout":
            ok = closeout_cases.get(target) in seen_cases
        else:
            ok = notice.case_id in seen_cases
        if ok:
            opened.add(notice.pk)
    return opened


def unread_count(user: Any) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()


def email_mode_for(user: Any) -> str:
    preference = NotificationPreference.objects.filter(user_id=user.pk).values_list("email_mode", flat=True).first()
    return preference or EmailMode.IMMEDIATE


def email_states_for(user_ids: Iterable[int]) -> dict[int, str]:
    """The email state a new notification starts in for each person: owed now, or in the digest.
    One query, whatever the number of people."""
    user_ids = set(user_ids)
    digest = set(
        NotificationPreference.objects.filter(user_id__in=user_ids, email_mode=EmailMode.DIGEST).values_list(
            "user_id", flat=True
        )
    )
    return {pk: EmailState.DIGEST if pk in digest else EmailState.PENDING for pk in user_ids}
