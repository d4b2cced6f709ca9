from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

REVIEW_WINDOW_MAX = datetime.timedelta(days=settings.REVIEW_WINDOW_MAX_DAYS)


class Modality(models.TextChoices):
    TEXT = "text", "Text"
    CODE = "code", "Code"
    IMAGE = "image", "Image"
    AUDIO = "audio", "Audio"
    VIDEO = "video", "Video"
    AGENTIC = "agentic", "Agentic / tool use"


class AIModel(models.Model):
    """A model version a firm may offer for review (more than once)."""

    firm = models.ForeignKey("firms.Firm", on_delete=models.PROTECT, related_name="models")
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    modalities = models.JSONField(default=list, blank=True, help_text="A list of Modality values.")
    intended_partners = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["firm__name", "name", "version"]
        verbose_name = "AI model"
        constraints = [
            models.UniqueConstraint(fields=["firm", "name", "version"], name="aimodel_unique_version_per_firm"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class CaseState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    CLOSEOUT_REQUESTED = "closeout_requested", "Closeout requested"
    CLOSED = "closed", "Closed (review concluded)"
    WITHDRAWN = "withdrawn", "Withdrawn by the firm"


OPEN_STATES = (CaseState.DRAFT, CaseState.SUBMITTED, CaseState.IN_REVIEW, CaseState.CLOSEOUT_REQUESTED)


class ReferenceCounter(models.Model):
    """The last case number issued in a year: locked while a case is created, so numbers are
    unique and gap-free (a rolled-back creation rolls the counter back with it)."""

    year = models.PositiveIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class ReviewCase(models.Model):
    """One voluntary pre-deployment review of a model version."""

    model = models.ForeignKey(AIModel, on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField(max_length=20, unique=True, editable=False)
    state = models.CharField(max_length=20, choices=CaseState.choices, default=CaseState.DRAFT)
    access_date = models.DateField(
        null=True, blank=True, help_text="The day evaluators get access to the model (America/New_York)."
    )
    sharing_date = models.DateField(
        null=True,
        blank=True,
        help_text="The day the firm plans to share the model with trusted partners: the window closes then.",
    )
    trusted_partners = models.TextField(blank=True, help_text="The partners the firm plans to share with.")
    model_snapshot = models.CharField(max_length=200, blank=True, help_text="Snapshot or checkpoint identifier.")
    safeguard_configuration = models.TextField(blank=True)
    evaluator_access = models.TextField(blank=True, help_text="How evaluators get access to the model.")

    assigned_agencies: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "agencies.Agency", through="CaseAgencyAssignment", related_name="cases", blank=True
    )
    assigned_reviewers: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="ReviewerAssignment",
        through_fields=("case", "reviewer"),
        related_name="assigned_cases",
        blank=True,
    )

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("review_reviewcase", "Review the case (findings, comments, working files, closeout)"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=CaseState.values), name="case_state_valid"),
            # The review window: 0 < sharing_date - access_date <= 30 days (docs/design.md).
            models.CheckConstraint(
                condition=Q(access_date__isnull=True)
                | Q(sharing_date__isnull=True)
                | (Q(sharing_date__gt=F("access_date")) & Q(sharing_date__lte=F("access_date") + REVIEW_WINDOW_MAX)),
                name="case_review_window_at_most_30_days",
                violation_error_message="The sharing date must be after the access date, at most 30 days later.",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "sharing_date"]),
            # The case list's and the dashboards' order (soonest sharing date first).
            models.Index(fields=["sharing_date", "reference"], name="case_soonest_sharing_first"),
            # The active cases (in review, closeout requested) in key order with their sharing date:
            # an agency's workload joins its assignments to them without reading the table.
            models.Index(
                fields=["id"],
                include=["sharing_date"],
                condition=Q(state__in=[CaseState.IN_REVIEW, CaseState.CLOSEOUT_REQUESTED]),
                name="case_active_by_key",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def firm(self):
        return self.model.firm

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_read_only(self) -> bool:
        return self.state in (CaseState.CLOSED, CaseState.WITHDRAWN)


class CaseAgencyAssignment(models.Model):
    case = models.ForeignKey(ReviewCase, on_delete=models.CASCADE, related_name="agency_assignments")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="case_assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)
    # Whether the agency has put a reviewer on the case: kept by the services that set its reviewers
    # (``case_assign_reviewers``), so that "assigned agencies without a reviewer" is read from an
    # index instead of comparing every assignment with every reviewer.
    staffed = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "agency"], name="case_agency_once")]
        indexes = [
            models.Index(fields=["case"], condition=Q(staffed=False), name="case_agency_unstaffed"),
            # An agency's cases in key order, with whether each is staffed: the workload's counts.
            models.Index(fields=["agency", "case"], include=["staffed"], name="case_agency_by_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} on {self.case}"


class ReviewerAssignment(models.Model):
    """A reviewer of an assigned agency put on the case by that agency's supervisor."""

    case = models.ForeignKey(ReviewCase, on_delete=models.CASCADE, related_name="reviewer_assignments")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviewer_assignments"
    )
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    is_lead = models.BooleanField(default=False, help_text="The agency's lead reviewer on this case.")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "reviewer"], name="case_reviewer_once"),
            models.UniqueConstraint(
                fields=["case", "agency"], condition=Q(is_lead=True), name="case_one_lead_per_agency"
            ),
        ]
        indexes = [
            # An agency's reviewer assignments in case order, with the reviewer and the lead flag:
            # the workload's per-reviewer loads without reading the table.
            models.Index(
                fields=["agency", "case"], include=["reviewer", "is_lead"], name="reviewer_assignment_by_agency"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} on {self.case}"


class CloseoutState(models.TextChoices):
    PENDING = "pending", "Awaiting decisions"
    APPROVED = "approved", "Approved: review concluded"
    RETURNED = "returned", "Returned for more review"
    CANCELLED = "cancelled", "Cancelled (case withdrawn)"


class Closeout(models.Model):
    """A request to conclude the review. It concludes a review; it never approves a deployment."""

    case = models.ForeignKey(ReviewCase, on_delete=models.PROTECT, related_name="closeouts")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    summary = models.TextField()
    state = models.CharField(max_length=20, choices=CloseoutState.choices, default=CloseoutState.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=CloseoutState.values), name="closeout_state_valid"),
            # At most one pending closeout per case.
            models.UniqueConstraint(
                fields=["case"], condition=Q(state="pending"), name="closeout_one_pending_per_case"
            ),
        ]
        indexes = [
            # The dashboards' "awaiting your decision", oldest first: their first rows are read from
            # the index, not sorted from every pending closeout.
            models.Index(fields=["requested_at"], condition=Q(state="pending"), name="closeout_pending_oldest"),
        ]

    def __str__(self) -> str:
        return f"Closeout of {self.case} ({self.get_state_display()})"


class CarriedForwardFinding(models.Model):
    """A released finding left open at closeout, with the reason it is carried forward
    (a firm may decline to act: that is its right, and the closeout records it)."""

    closeout = models.ForeignKey(Closeout, on_delete=models.CASCADE, related_name="carried_forward")
    finding = models.ForeignKey("findings.Finding", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["closeout", "finding"], name="carried_forward_once")]

    def __str__(self) -> str:
        return f"{self.finding} carried forward"


class Decision(models.TextChoices):
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned"


class CloseoutDecision(models.Model):
    """One supervisor's decision for their agency on a closeout request."""

    closeout = models.ForeignKey(Closeout, on_delete=models.PROTECT, related_name="decisions")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    reason = models.TextField(blank=True)  # why it was returned; read by the agencies
    # The agency's own statement on the review it approves (read by everyone who sees the closeout).
    statement = models.TextField(blank=True)
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["closeout", "agency"], name="closeout_one_decision_per_agency"),
            models.CheckConstraint(condition=Q(decision__in=Decision.values), name="decision_valid"),
            models.CheckConstraint(
                condition=Q(decision="approved") | ~Q(reason=""), name="decision_return_needs_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency}: {self.get_decision_display()}"


# Direct foreign-key permission tables (django-guardian performance guide): listing what a
# user may see is one indexed query.
class ReviewCaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(ReviewCase, on_delete=models.CASCADE)


class ReviewCaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(ReviewCase, on_delete=models.CASCADE)


class AIModelUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(AIModel, on_delete=models.CASCADE)


class AIModelGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(AIModel, on_delete=models.CASCADE)
