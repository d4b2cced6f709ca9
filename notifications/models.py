"""Reminders, event notices, in-app notifications and the email outbox (docs/design.md, "Deadlines and
reminders").

- ``Reminder`` is the ledger that makes each reminder go out once: one row per kind, target,
  recipient, threshold and the deadline it was computed from. The sweep claims the row before it
  sends anything; a claim that finds the row already there sends nothing. Moving the deadline
  changes the key, so the reminders re-arm.
- ``NotificationEvent`` is the outbox of notice events (``core.events.emit``): a service writes it
  in its own transaction, and only its id goes to the broker after the commit. An event survives
  a broker outage and a process that dies before publishing: the next sweep delivers what no task
  did.
- ``Notification`` is what a person reads in the portal, and the email outbox: its
  ``email_state`` says whether an email is still owed for it (now, or in the daily digest).
- ``EmailDigest`` is the once-a-day email of a person who chose the digest, unique per day.

None of these holds finding or document content: messages name the case reference, what is due
and when, and the portal link does the rest under the reader's own permissions.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class EmailMode(models.TextChoices):
    IMMEDIATE = "immediate", "One email for each notice, as it happens"
    DIGEST = "digest", "One email a day with everything new (the daily digest)"


class NotificationPreference(models.Model):
    """How a person wants their emails. No row means the default: immediate."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_mode = models.CharField(max_length=20, choices=EmailMode.choices, default=EmailMode.IMMEDIATE)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(email_mode__in=EmailMode.values), name="notification_email_mode_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_email_mode_display()}"


class ReminderKind(models.TextChoices):
    WINDOW_CLOSING = "window_closing", "Review window closing"
    RESPONSE_DUE = "response_due", "Finding response due"
    CLOSEOUT_AWAITING = "closeout_awaiting", "Closeout awaiting decision"
    TRIAGE_AWAITING = "triage_awaiting", "Case awaiting triage"
    ACCESS_LOW = "access_low", "Effective access low"
    ACCESS_LOW_FIRM = "access_low_firm", "Effective access low (the firm's neutral notice)"
    ATTESTATION_REQUEST = "attestation_request", "Sharing attestation asked for"


class Reminder(models.Model):
    """The claim on one reminder: created (and so claimed) before anything is sent.

    ``threshold`` counts days from ``deadline``: -3 is "three days before", 0 "on the day", 1 "the
    day after". ``target_id`` is the case (window closing, triage), the finding (response due) or
    the closeout (awaiting decision). ``sent_at`` is set once the email went out (for a person on
    the daily digest, once their digest went out); ``cancelled_at`` when the reminder stopped being
    due before its email could go (the case closed, the date moved, a later threshold came due).
    """

    kind = models.CharField(max_length=30, choices=ReminderKind.choices)
    target_id = models.PositiveBigIntegerField()
    case = models.ForeignKey("cases.ReviewCase", on_delete=models.PROTECT, related_name="reminders")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reminders")
    threshold = models.SmallIntegerField(help_text="Days from the deadline: -3 is three days before, 1 the day after.")
    deadline = models.DateField(help_text="The date the reminder was computed from (America/New_York).")
    due_at = models.DateTimeField(help_text="When the reminder became due.")
    claimed_at = models.DateTimeField(default=timezone.now)
    # The sweep (batch) that claimed the row: how a sweep tells the rows it inserted from the
    # rows another sweep inserted first.
    claim_token = models.UUIDField(db_index=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-claimed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "target_id", "recipient", "threshold", "deadline"], name="reminder_claimed_once"
            ),
            models.CheckConstraint(condition=Q(kind__in=ReminderKind.values), name="reminder_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.threshold:+d}d of {self.deadline} to {self.recipient_id}"


class NotificationEvent(models.Model):
    """An event a service wrote with its change, waiting for (or done with) its delivery."""

    verb = models.CharField(max_length=60)
    case = models.ForeignKey("cases.ReviewCase", on_delete=models.PROTECT, related_name="notification_events")
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(delivered_at__isnull=True), name="event_undelivered"),
        ]

    def __str__(self) -> str:
        return f"{self.verb} on case {self.case_id}"


class EmailState(models.TextChoices):
    PENDING = "pending", "To be emailed now"
    DIGEST = "digest", "To be emailed in the daily digest"
    SENT = "sent", "Emailed"
    CANCELLED = "cancelled", "Not emailed: no longer due"
    FAILED = "failed", "Not emailed: the mail server refused it"


OWED_STATES = (EmailState.PENDING, EmailState.DIGEST)


class EmailDigest(models.Model):
    """One person's daily digest: claimed (created) before it is sent, once per day."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="email_digests")
    day = models.DateField()
    claimed_at = models.DateTimeField(default=timezone.now)
    claim_token = models.UUIDField(db_index=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Set when the mail server kept refusing it: its notices are then marked failed.
    failed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["recipient", "day"], name="email_digest_once_a_day")]

    def __str__(self) -> str:
        return f"Digest of {self.day} for {self.recipient_id}"


class Notification(models.Model):
    """A notice in a person's portal inbox, and the email owed for it."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications")
    verb = models.CharField(max_length=60, help_text="The event (case.submitted, ...) or reminder.<kind>.")
    case = models.ForeignKey(
        "cases.ReviewCase", on_delete=models.PROTECT, null=True, blank=True, related_name="notifications"
    )
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    # One sentence naming the case reference and what happened or is due; never finding or
    # document content.
    message = models.CharField(max_length=300)
    event = models.ForeignKey(
        NotificationEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="notifications"
    )
    reminder = models.OneToOneField(
        Reminder, on_delete=models.PROTECT, null=True, blank=True, related_name="notification"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    cleared_at = models.DateTimeField(null=True, blank=True)

    email_state = models.CharField(max_length=20, choices=EmailState.choices, default=EmailState.PENDING)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.CharField(max_length=300, blank=True)
    digest = models.ForeignKey(
        EmailDigest, on_delete=models.PROTECT, null=True, blank=True, related_name="notifications"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "recipient"], condition=Q(event__isnull=False), name="notification_once_per_event"
            ),
            models.CheckConstraint(
                condition=Q(email_state__in=EmailState.values), name="notification_email_state_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], condition=Q(cleared_at__isnull=True), name="inbox"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="inbox_unread"),
            models.Index(fields=["email_state", "id"], condition=Q(email_state__in=OWED_STATES), name="email_owed"),
        ]

    def __str__(self) -> str:
        return f"{self.verb} for {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
