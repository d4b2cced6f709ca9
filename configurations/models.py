"""What was tested, and for how long (docs/design.md, "Tested configuration").

- ``Configuration``: one version of a configuration of the model the firm offers on a case. Rows
  are never edited: a change by the firm makes a new version in the same ``lineage`` and marks the
  old one superseded, so a finding, a document or a ledger entry always names exactly what it was
  made on.
- ``AccessPeriod`` and ``Interruption``: the access ledger an agency keeps per configuration.
- ``LedgerComment``: the firm's (or an agency's) remark on a ledger entry.
- ``SharingAttestation``: on the sharing date, the firm's own, voluntary, statement of the
  configuration it shares with partners (one per case).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from core.models import Visibility


class AccessVariant(models.TextChoices):
    PRODUCTION_SAFEGUARDS = "production_safeguards", "Production safeguards"
    REDUCED_SAFEGUARDS = "reduced_safeguards", "Reduced safeguards"
    NO_SAFEGUARDS = "no_safeguards", "Safeguards removed (helpful-only)"
    REASONING_VISIBLE = "reasoning_visible", "Reasoning visible"
    OTHER = "other", "Other (described)"


class Configuration(models.Model):
    """One version of a tested configuration. Immutable once written: a change is a new version."""

    case = models.ForeignKey("cases.ReviewCase", on_delete=models.PROTECT, related_name="configurations")
    lineage = models.UUIDField(default=uuid.uuid4, editable=False, help_text="Shared by every version of it.")
    version = models.PositiveIntegerField(default=1)
    name = models.CharField(max_length=200)
    snapshot = models.CharField(max_length=200, help_text="Snapshot or checkpoint identifier.")
    fingerprint = models.CharField(
        max_length=200, blank=True, help_text="Optional weights hash or endpoint fingerprint."
    )
    safeguard_version = models.CharField(max_length=200)
    access_variant = models.CharField(max_length=40, choices=AccessVariant.choices)
    access_variant_other = models.CharField(max_length=200, blank=True, help_text="The variant, when 'Other'.")
    access_method = models.CharField(max_length=200, help_text="API, hosted endpoint, weights on site, ...")
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "name", "version"]
        verbose_name = "tested configuration"
        constraints = [
            models.UniqueConstraint(fields=["lineage", "version"], name="configuration_version_once"),
            models.UniqueConstraint(
                fields=["lineage"], condition=Q(superseded_at__isnull=True), name="configuration_one_current"
            ),
            models.CheckConstraint(
                condition=Q(access_variant__in=AccessVariant.values), name="configuration_variant_valid"
            ),
            models.CheckConstraint(
                condition=~Q(access_variant="other") | ~Q(access_variant_other=""),
                name="configuration_other_variant_described",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None

    @property
    def variant_label(self) -> str:
        if self.access_variant == AccessVariant.OTHER:
            return self.access_variant_other
        return AccessVariant(self.access_variant).label


class LedgerVisibility(models.TextChoices):
    """Who reads a ledger entry besides the recording agency and the firm (whose configuration it is)."""

    AGENCY = Visibility.AGENCY.value, "Recording agency (and the firm)"
    GOVERNMENT = Visibility.GOVERNMENT.value, "All assigned agencies (and the firm)"


class AccessPeriod(models.Model):
    """An agency had access to a configuration from ``started_at`` until ``ended_at`` (open: ongoing)."""

    configuration = models.ForeignKey(Configuration, on_delete=models.PROTECT, related_name="access_periods")
    case = models.ForeignKey("cases.ReviewCase", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True, help_text="Empty while access continues.")
    confirmed_by = models.CharField(max_length=200, help_text="Who confirmed the access (a name).")
    visibility = models.CharField(max_length=20, choices=LedgerVisibility.choices, default=LedgerVisibility.AGENCY)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["started_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gt=F("started_at")), name="access_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=LedgerVisibility.values), name="access_period_visibility_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Access period #{self.pk}"


class InterruptionCause(models.TextChoices):
    OUTAGE = "outage", "Outage"
    RATE_LIMIT = "rate_limit", "Rate limit"
    CREDENTIAL_REVOKED = "credential_revoked", "Credential revoked"
    NOT_PROVIDED = "not_provided", "Configuration not yet provided"
    OTHER = "other", "Other"


class Interruption(models.Model):
    """An agency lost access to a configuration from ``started_at`` until ``ended_at``."""

    configuration = models.ForeignKey(Configuration, on_delete=models.PROTECT, related_name="interruptions")
    case = models.ForeignKey("cases.ReviewCase", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    cause = models.CharField(max_length=30, choices=InterruptionCause.choices)
    note = models.CharField(max_length=500, blank=True)
    visibility = models.CharField(max_length=20, choices=LedgerVisibility.choices, default=LedgerVisibility.AGENCY)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["started_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ended_at__gt=F("started_at")), name="interruption_ordered"),
            models.CheckConstraint(condition=Q(cause__in=InterruptionCause.values), name="interruption_cause_valid"),
            models.CheckConstraint(
                condition=Q(visibility__in=LedgerVisibility.values), name="interruption_visibility_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Interruption #{self.pk}"

    @property
    def hours(self) -> float:
        return (self.ended_at - self.started_at).total_seconds() / 3600


class LedgerComment(models.Model):
    """A remark on one ledger entry (the firm's, typically: "the key was sent on the 3rd")."""

    period = models.ForeignKey(AccessPeriod, on_delete=models.PROTECT, null=True, blank=True, related_name="comments")
    interruption = models.ForeignKey(
        Interruption, on_delete=models.PROTECT, null=True, blank=True, related_name="comments"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period__isnull=True) ^ Q(interruption__isnull=True), name="ledger_comment_one_entry"
            ),
        ]

    def __str__(self) -> str:
        return f"Ledger comment #{self.pk}"


class AttestationChoice(models.TextChoices):
    TESTED = "tested", "One of the tested configurations"
    DIFFERENT = "different", "A different configuration (described)"
    PREFER_NOT_TO_SAY = "prefer_not_to_say", "Prefer not to say"


class SharingAttestation(models.Model):
    """The firm's statement, on the sharing date, of the configuration it shares with partners.
    A neutral, recorded choice: the program is voluntary and nothing depends on it."""

    case = models.OneToOneField("cases.ReviewCase", on_delete=models.PROTECT, related_name="sharing_attestation")
    choice = models.CharField(max_length=30, choices=AttestationChoice.choices)
    configuration = models.ForeignKey(
        Configuration, on_delete=models.PROTECT, null=True, blank=True, related_name="attestations"
    )
    different_description = models.TextField(blank=True)
    attested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attested_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(choice__in=AttestationChoice.values), name="attestation_choice_valid"),
            models.CheckConstraint(
                condition=(Q(choice="tested") & Q(configuration__isnull=False))
                | (~Q(choice="tested") & Q(configuration__isnull=True)),
                name="attestation_tested_names_configuration",
            ),
            models.CheckConstraint(
                condition=~Q(choice="different") | ~Q(different_description=""),
                name="attestation_different_described",
            ),
        ]

    def __str__(self) -> str:
        return f"Sharing attestation of {self.case}"

    @property
    def differs_from_tested(self) -> bool:
        return self.choice == AttestationChoice.DIFFERENT
