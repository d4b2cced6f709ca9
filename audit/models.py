from __future__ import annotations

from django.conf import settings
from django.db import models


class AppendOnlyError(ValueError):
    """Raised on any attempt to change or remove an audit event through the ORM."""


class AuditEventQuerySet(models.QuerySet):
    # Bulk update and delete bypass save() and delete(): refuse them too, before the database
    # trigger has to (SQLite has one as well, but a clear Python error is easier to trace).
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events are append-only.")

    def delete(self):
        raise AppendOnlyError("Audit events are append-only.")

    update.alters_data = True  # type: ignore[attr-defined]
    delete.alters_data = True  # type: ignore[attr-defined]


class AuditEvent(models.Model):
    """One thing that happened. Append-only: each row carries the sha256 of its canonical form
    and of the row before it, so an edited or removed row breaks the chain (``verify_audit``),
    and on PostgreSQL a trigger refuses UPDATE and DELETE outright.

    ``data`` holds identifiers, states and dates, never finding or document content: the
    coordinators who read the log may not read that content.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The actor's email when the event happened (or "system" for tasks).
    actor_label = models.CharField(max_length=254)
    action = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    case = models.ForeignKey(
        "cases.ReviewCase", on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    at = models.DateTimeField(db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["case", "id"]), models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are append-only.")


class RefusalTally(models.Model):
    """Refused accesses by one person (or one address) in one window of time, beyond the first.

    The first refusal of a window is an audit event of its own; the rest only count here, and the
    count goes into the audit log as one ``access.refused_repeated`` event once the window is over
    (``audit.services.flush_refusal_tallies``). A scanner cannot grow the chain by thousands of
    rows a minute, and no refusal goes unrecorded.
    """

    window_start = models.DateTimeField()
    # The actor's id, or "" for someone not signed in; their address, or "".
    actor_key = models.CharField(max_length=32)
    ip = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    first_event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField(default=0)  # refusals after the first

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["window_start", "actor_key", "ip"], name="refusal_tally_once"),
        ]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.count} more refusals from {self.window_start:%H:%M}"
