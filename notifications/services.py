"""What a person does with their notifications and email preference. Each change is audited.

(Reminders are claimed and sent by ``notifications.sweep``; event notices are created by
``notifications.events``; emails are sent by ``notifications.emails``.)
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.actions import AuditAction
from audit.services import audit_record
from core.errors import DomainError
from notifications.models import EmailMode, EmailState, Notification, NotificationPreference


def _require_own(notification: Notification, actor: User) -> None:
    if notification.recipient_id != actor.pk:
        raise DomainError("That notification is not yours.", code="forbidden")


@transaction.atomic
def notification_mark_read(*, notification: Notification, actor: User) -> Notification:
    _require_own(notification, actor)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        audit_record(actor=actor, action=AuditAction.NOTIFICATION_READ, target=notification, case=notification.case)
    return notification


@transaction.atomic
def notification_clear(*, notification: Notification, actor: User) -> Notification:
    """Take a notification out of the inbox (it counts as read)."""
    _require_own(notification, actor)
    if notification.cleared_at is not None:
        raise DomainError("That notification is already cleared.")
    now = timezone.now()
    notification.cleared_at = now
    notification.read_at = notification.read_at or now
    notification.save(update_fields=["cleared_at", "read_at"])
    audit_record(actor=actor, action=AuditAction.NOTIFICATION_CLEARED, target=notification, case=notification.case)
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor: User) -> int:
    count = Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())
    if count:
        audit_record(actor=actor, action=AuditAction.NOTIFICATIONS_ALL_READ, target=actor, data={"count": count})
    return count


@transaction.atomic
def notifications_clear_read(*, actor: User) -> int:
    """Take every read notification out of the inbox; unread ones stay."""
    count = Notification.objects.filter(recipient=actor, read_at__isnull=False, cleared_at__isnull=True).update(
        cleared_at=timezone.now()
    )
    if count:
        audit_record(actor=actor, action=AuditAction.NOTIFICATIONS_CLEARED, target=actor, data={"count": count})
    return count


@transaction.atomic
def notification_preference_set(*, actor: User, email_mode: str) -> NotificationPreference:
    """Choose immediate emails or the daily digest. Emails already owed follow the new choice."""
    if email_mode not in EmailMode.values:
        raise DomainError("Choose immediate emails or the daily digest.")
    preference, _ = NotificationPreference.objects.select_for_update().get_or_create(user=actor)
    if preference.email_mode == email_mode:
        return preference
    before = preference.email_mode
    preference.email_mode = email_mode
    preference.save(update_fields=["email_mode", "updated_at"])
    # Owed emails not yet handed to a digest switch over; those in a claimed digest go with it.
    source, target = (
        (EmailState.PENDING, EmailState.DIGEST)
        if email_mode == EmailMode.DIGEST
        else (EmailState.DIGEST, EmailState.PENDING)
    )
    moved = Notification.objects.filter(recipient=actor, email_state=source, digest__isnull=True).update(
        email_state=target
    )
    audit_record(
        actor=actor,
        action=AuditAction.NOTIFICATIONS_PREFERENCE_CHANGED,
        target=actor,
        data={"from": before, "to": email_mode, "owed_emails_moved": moved},
    )
    return preference
