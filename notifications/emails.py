"""The email outbox: notices (one email each) and daily digests, sent at most once each.

Every email owed is a row first (a ``Notification`` in state ``pending``, an unsent
``EmailDigest``). A sender locks the row with ``SELECT ... FOR UPDATE SKIP LOCKED``, checks it is
still owed, hands the message to the mail server and marks it sent in the same short transaction,
one message at a time. So:

- two sweeps (two beats, two workers) never send the same row: the second skips a locked row,
  and once the first commits, the row is no longer owed;
- a mail server that is down or refuses a message leaves the row owed (``sent_at`` empty); the
  next sweep retries it;
- a worker killed mid-send (``kill -9``) drops its database connection, PostgreSQL rolls the
  transaction back and releases the lock, and the next sweep sends that one message again. That is
  the single case of a duplicate: the server had accepted the message in the instant between its
  "250 OK" and our COMMIT. We choose at-least-once there rather than at-most-once (marking sent
  before sending would lose the reminder instead): a reminder twice is a nuisance, a reminder
  never is a missed deadline. The window is one message wide, never a batch.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import smtplib
import socket
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from notifications.models import EmailDigest, EmailState, Notification, Reminder

logger = logging.getLogger(__name__)

# A message the mail server refuses for good (5xx) is retried this many times, then given up.
MAX_PERMANENT_FAILURES = 5
# A message refused for now (4xx) is retried on every sweep for this long, then given up.
TEMPORARY_FAILURE_GIVE_UP = datetime.timedelta(days=3)
# Emails one sweep sends at most, and for how long it keeps sending: the rest wait for the next
# sweep a minute later. A sweep so stays well inside the task's soft time limit, where being
# interrupted between the server's "250 OK" and our COMMIT would cost a duplicate.
MAX_EMAILS_PER_SWEEP = 2000
SEND_BUDGET_SECONDS = 45.0


class MailServerDown(Exception):
    """The mail server cannot be reached: stop sending until the next sweep."""


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    server_down: bool = False
    errors: list[str] = field(default_factory=list)


def _server_is_down(error: BaseException) -> bool:
    if isinstance(error, smtplib.SMTPResponseException) and error.smtp_code == 421:
        return True
    return isinstance(
        error,
        smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError | ConnectionError | TimeoutError | socket.gaierror,
    ) or not isinstance(error, smtplib.SMTPException)


def _is_temporary(error: BaseException) -> bool:
    codes: list[int] = []
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
    elif isinstance(error, smtplib.SMTPResponseException):
        codes = [error.smtp_code]
    return bool(codes) and all(400 <= code < 500 for code in codes)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:300]


# --- building the messages -------------------------------------------------------------------


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _subject(text: str) -> str:
    text = text.rstrip(".")
    return f"[Checkpoint] {text if len(text) <= 140 else text[:139] + '…'}"


def build_notice_email(notification: Notification) -> EmailMultiAlternatives:
    context = {
        "recipient": notification.recipient,
        "message": notification.message,
        "link": absolute(reverse("notifications:open", args=[notification.pk])),
        "preferences_link": absolute(reverse("notifications:preferences")),
    }
    email = EmailMultiAlternatives(
        subject=_subject(notification.message),
        body=render_to_string("notifications/email/notice.txt", context),
        to=[notification.recipient.email],
    )
    email.attach_alternative(render_to_string("notifications/email/notice.html", context), "text/html")
    return email


def build_digest_email(digest: EmailDigest, items: Sequence[Notification]) -> EmailMultiAlternatives:
    context = {
        "recipient": digest.recipient,
        "day": digest.day,
        "items": [
            {"message": item.message, "link": absolute(reverse("notifications:open", args=[item.pk]))} for item in items
        ],
        "inbox_link": absolute(reverse("notifications:list")),
        "preferences_link": absolute(reverse("notifications:preferences")),
    }
    count = len(items)
    email = EmailMultiAlternatives(
        subject=_subject(f"Your daily digest: {count} notice{'s' if count != 1 else ''}"),
        body=render_to_string("notifications/email/digest.txt", context),
        to=[digest.recipient.email],
    )
    email.attach_alternative(render_to_string("notifications/email/digest.html", context), "text/html")
    return email


# --- the connection ----------------------------------------------------------------------------


class Mailer:
    """One connection to the mail server for a sweep, reopened after an error."""

    def __init__(self) -> None:
        timeout = getattr(settings, "EMAIL_TIMEOUT", None) or settings.NOTIFICATIONS_SMTP_TIMEOUT
        self.connection: Any = get_connection(fail_silently=False, timeout=timeout)
        self.is_open = False

    def open(self) -> None:
        if self.is_open:
            return
        try:
            self.connection.open()
        except Exception as error:
            raise MailServerDown(_describe(error)) from error
        self.is_open = True

    def reset(self) -> None:
        with contextlib.suppress(Exception):  # a broken connection is being thrown away
            self.connection.close()
        self.is_open = False

    def send(self, email: EmailMultiAlternatives) -> None:
        """Hand one message to the server; raise MailServerDown or the server's refusal."""
        self.open()
        try:
            sent = self.connection.send_messages([email])
        except Exception as error:
            self.reset()
            if _server_is_down(error):
                raise MailServerDown(_describe(error)) from error
            raise
        if sent != 1:
            self.reset()
            raise MailServerDown("the mail backend sent nothing")

    def close(self) -> None:
        if self.is_open:
            self.reset()


# --- notices ---------------------------------------------------------------------------------


def _gives_up(error: BaseException, *, attempts: int, since: datetime.datetime) -> bool:
    """After a refusal: is it time to stop trying? (Temporary refusals are retried for days,
    permanent ones a few times.)"""
    if _is_temporary(error):
        return timezone.now() - since > TEMPORARY_FAILURE_GIVE_UP
    return attempts >= MAX_PERMANENT_FAILURES


def _record_refusal(notification: Notification, error: BaseException) -> None:
    """The server refused this message: keep it owed, or give up on it (it stays in the inbox)."""
    attempts = notification.email_attempts + 1
    give_up = _gives_up(error, attempts=attempts, since=notification.created_at)
    Notification.objects.filter(pk=notification.pk).update(
        email_attempts=attempts,
        email_error=_describe(error),
        email_state=EmailState.FAILED if give_up else EmailState.PENDING,
    )
    log = logger.error if give_up else logger.warning
    log("email for notification %s refused (%s)%s", notification.pk, _describe(error), "; given up" if give_up else "")


def _send_notice(notification: Notification, mailer: Mailer, report: SendReport) -> None:
    with transaction.atomic():
        locked = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification.pk, email_state=EmailState.PENDING)
            .values_list("email_attempts", flat=True)
        )
        if not locked:  # another sweep is sending it, or has sent or cancelled it
            report.skipped += 1
            return
        notification.email_attempts = locked[0]
        if not notification.recipient.is_active:
            Notification.objects.filter(pk=notification.pk).update(
                email_state=EmailState.CANCELLED, email_error="The account is deactivated."
            )
            report.skipped += 1
            return
        try:
            mailer.send(build_notice_email(notification))
        except MailServerDown:
            raise
        except Exception as error:
            _record_refusal(notification, error)
            report.failed += 1
            report.errors.append(_describe(error))
            return
        sent_at = timezone.now()
        Notification.objects.filter(pk=notification.pk).update(
            email_state=EmailState.SENT, emailed_at=sent_at, email_attempts=F("email_attempts") + 1, email_error=""
        )
        if notification.reminder_id is not None:
            Reminder.objects.filter(pk=notification.reminder_id).update(sent_at=sent_at)
    report.sent += 1


def send_owed_notices(
    *,
    notification_ids: Iterable[int] | None = None,
    limit: int = MAX_EMAILS_PER_SWEEP,
    budget: float = SEND_BUDGET_SECONDS,
) -> SendReport:
    """Email every notice owed now (or those of ``notification_ids``), one locked row at a time,
    for at most ``budget`` seconds."""
    report = SendReport()
    stop_at = time.monotonic() + budget
    owed = Notification.objects.filter(email_state=EmailState.PENDING).select_related("recipient").order_by("pk")
    if notification_ids is not None:
        owed = owed.filter(pk__in=list(notification_ids))
    todo = list(owed[:limit])
    if not todo:
        return report
    mailer = Mailer()
    try:
        for notification in todo:
            if time.monotonic() > stop_at:
                break
            _send_notice(notification, mailer, report)
    except MailServerDown as error:
        report.server_down = True
        report.errors.append(str(error))
        logger.warning("mail server unavailable (%s): %s email(s) wait for the next sweep", error, len(todo))
    finally:
        mailer.close()
    return report


# --- digests ---------------------------------------------------------------------------------


def _send_digest(digest: EmailDigest, mailer: Mailer, report: SendReport) -> None:
    with transaction.atomic():
        locked = list(
            EmailDigest.objects.select_for_update(skip_locked=True)
            .filter(pk=digest.pk, sent_at__isnull=True, failed_at__isnull=True)
            .values_list("attempts", flat=True)
        )
        if not locked:
            report.skipped += 1
            return
        items = list(digest.notifications.order_by("created_at", "pk"))
        now = timezone.now()
        if items and digest.recipient.is_active:
            try:
                mailer.send(build_digest_email(digest, items))
            except MailServerDown:
                raise
            except Exception as error:
                attempts = locked[0] + 1
                give_up = _gives_up(error, attempts=attempts, since=digest.claimed_at)
                EmailDigest.objects.filter(pk=digest.pk).update(
                    attempts=attempts, last_error=_describe(error), failed_at=now if give_up else None
                )
                if give_up:
                    digest.notifications.update(email_state=EmailState.FAILED, email_error=_describe(error))
                log = logger.error if give_up else logger.warning
                log("digest %s refused (%s)%s", digest.pk, _describe(error), "; given up" if give_up else "")
                report.failed += 1
                report.errors.append(_describe(error))
                return
            state = EmailState.SENT
            report.sent += 1
        else:
            state = EmailState.CANCELLED
            report.skipped += 1
        EmailDigest.objects.filter(pk=digest.pk).update(sent_at=now, attempts=locked[0] + 1, last_error="")
        digest.notifications.update(email_state=state, emailed_at=now if state == EmailState.SENT else None)
        if state == EmailState.SENT:
            Reminder.objects.filter(notification__digest=digest).update(sent_at=now)


def send_owed_digests(*, limit: int = MAX_EMAILS_PER_SWEEP, budget: float = SEND_BUDGET_SECONDS) -> SendReport:
    report = SendReport()
    stop_at = time.monotonic() + budget
    owed = EmailDigest.objects.filter(sent_at__isnull=True, failed_at__isnull=True)
    todo = list(owed.select_related("recipient").order_by("pk")[:limit])
    if not todo:
        return report
    mailer = Mailer()
    try:
        for digest in todo:
            if time.monotonic() > stop_at:
                break
            _send_digest(digest, mailer, report)
    except MailServerDown as error:
        report.server_down = True
        report.errors.append(str(error))
        logger.warning("mail server unavailable (%s): digests wait for the next sweep", error)
    finally:
        mailer.close()
    return report
