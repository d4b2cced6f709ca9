"""Invitations: the only way an account comes into being (docs/design.md: no open sign-up).

An invitation names one person (an email address) and one place in one organisation: a firm
(as admin or liaison), an agency (as reviewer or supervisor) or the program office (as a
coordinator). Its link carries a random token of which only the sha256 is stored, so a copy of
the database holds no live link.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone

from agencies.models import Agency, AgencyRole
from firms.models import Firm


class InvitationKind(models.TextChoices):
    FIRM = "firm", "Firm"
    AGENCY = "agency", "Agency"
    COORDINATOR = "coordinator", "Program office"


@dataclass(frozen=True)
class InvitationTarget:
    """What an invitation invites to: one organisation and one role in it."""

    kind: str
    firm: Firm | None = None
    is_admin: bool = False
    agency: Agency | None = None
    agency_role: str = ""

    @property
    def key(self) -> str:
        """A stable form value for this target, e.g. ``firm:3:liaison``."""
        if self.kind == InvitationKind.FIRM and self.firm is not None:
            return f"firm:{self.firm.pk}:{'admin' if self.is_admin else 'liaison'}"
        if self.kind == InvitationKind.AGENCY and self.agency is not None:
            return f"agency:{self.agency.pk}:{self.agency_role}"
        return "coordinator"

    @property
    def label(self) -> str:
        """The role and organisation in words, as ``accounts.roles.role_label`` writes them."""
        if self.kind == InvitationKind.FIRM and self.firm is not None:
            return f"{'Firm admin' if self.is_admin else 'Liaison'}, {self.firm.name}"
        if self.kind == InvitationKind.AGENCY and self.agency is not None:
            return f"{AgencyRole(self.agency_role).label}, {self.agency.short_name}"
        return "Program coordinator"

    @property
    def organisation_name(self) -> str:
        if self.firm is not None:
            return self.firm.name
        if self.agency is not None:
            return self.agency.name
        return "the program office"

    @property
    def role_name(self) -> str:
        if self.kind == InvitationKind.FIRM:
            return "firm admin" if self.is_admin else "liaison"
        if self.kind == InvitationKind.AGENCY:
            return AgencyRole(self.agency_role).label.lower()
        return "program coordinator"


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self, now: datetime.datetime | None = None) -> InvitationQuerySet:
        """Invitations whose link still works: not accepted, not revoked, not expired."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"


class Invitation(models.Model):
    email = models.EmailField("email address", help_text="Stored in lower case.")
    kind = models.CharField(max_length=20, choices=InvitationKind.choices)
    firm = models.ForeignKey(Firm, on_delete=models.PROTECT, null=True, blank=True, related_name="invitations")
    is_admin = models.BooleanField(default=False, help_text="For a firm: invited as the firm's admin.")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="invitations")
    agency_role = models.CharField(max_length=20, choices=AgencyRole.choices, blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invitations_sent")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    # sha256 (hex) of the link's token; the token itself is only ever in the email.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["email"]), models.Index(fields=["expires_at"])]
        constraints = [
            models.CheckConstraint(
                name="invitation_target_shape",
                condition=(
                    models.Q(kind=InvitationKind.FIRM, firm__isnull=False, agency__isnull=True, agency_role="")
                    | models.Q(
                        kind=InvitationKind.AGENCY,
                        agency__isnull=False,
                        firm__isnull=True,
                        agency_role__in=AgencyRole.values,
                        is_admin=False,
                    )
                    | models.Q(
                        kind=InvitationKind.COORDINATOR,
                        firm__isnull=True,
                        agency__isnull=True,
                        agency_role="",
                        is_admin=False,
                    )
                ),
            ),
            models.CheckConstraint(
                name="invitation_accepted_with_user",
                condition=models.Q(accepted_at__isnull=True, accepted_user__isnull=True)
                | models.Q(accepted_at__isnull=False, accepted_user__isnull=False),
            ),
            models.CheckConstraint(
                name="invitation_not_accepted_and_revoked",
                condition=models.Q(accepted_at__isnull=True) | models.Q(revoked_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} as {self.target.label}"

    @property
    def target(self) -> InvitationTarget:
        return InvitationTarget(
            kind=self.kind, firm=self.firm, is_admin=self.is_admin, agency=self.agency, agency_role=self.agency_role
        )

    def status(self, now: datetime.datetime | None = None) -> InvitationStatus:
        if self.accepted_at is not None:
            return InvitationStatus.ACCEPTED
        if self.revoked_at is not None:
            return InvitationStatus.REVOKED
        if self.expires_at <= (now or timezone.now()):
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING
