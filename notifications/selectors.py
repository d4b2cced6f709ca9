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
