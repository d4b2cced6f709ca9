from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from core.models import Visibility


class Category(models.TextChoices):
    CYBER_OFFENSE = "cyber_offense", "Cyber offense capability"
    CRITICAL_INFRASTRUCTURE = "critical_infrastructure", "Critical-infrastructure risk"
    FINANCIAL_SYSTEM = "financial_system", "Financial-system risk"
    CBRN = "cbrn", "CBRN uplift"
    AUTONOMY = "autonomy", "Autonomy / loss of control"
    WEIGHT_SECURITY = "weight_security", "Model and weight security"
    SAFEGUARD_BYPASS = "safeguard_bypass", "Safeguard bypass"
    OTHER = "other", "Other"


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"
    INFORMATIONAL = "informational", "Informational"


class TargetKind(models.TextChoices):
    MODEL = "model", "The model itself"
    SAFEGUARD = "safeguard", "A safeguard component"


class FindingState(models.TextChoices):
    DRAFT = "draft", "Draft"
    RELEASED = "released", "Released"
    FIRM_RESPONDED = "firm_responded", "Firm responded"
    RESOLVED = "resolved", "Resolved"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Finding(models.Model):
    case = models.ForeignKey("cases.ReviewCase", on_delete=models.PROTECT, related_name="findings")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="findings")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    description = models.TextField()
    category = models.CharField(max_length=40, choices=Category.choices)
    severity = models.CharField(max_length=20, choices=Severity.choices)
    target_kind = models.CharField(max_length=20, choices=TargetKind.choices, default=TargetKind.MODEL)
    target_component = models.CharField(
        max_length=200,
        blank=True,
        help_text="The named safeguard component (a classifier, a filter, the access system).",
    )
    state = models.CharField(max_length=20, choices=FindingState.choices, default=FindingState.DRAFT)
    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.AGENCY)
    response_due = models.DateField(null=True, blank=True, help_text="When the firm's response is due.")
    related_versions = models.ManyToManyField("documents.DocumentVersion", blank=True, related_name="findings")
    # The tested configuration (that version of it) the finding was made on: required of every new
    # finding by the service; empty only on findings written before configurations were recorded.
    configuration = models.ForeignKey(
        "configurations.Configuration", on_delete=models.PROTECT, null=True, blank=True, related_name="findings"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Everyone but the author who changed the draft: none of them may release it beyond the
    # authoring agency (two-person rule: one person never both writes and approves what others read).
    editors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    # A reviewer (or the supervisor who wrote or edited it) asked the agency's supervisors to
    # release the draft beyond the agency.
    release_requested_at = models.DateTimeField(null=True, blank=True)
    release_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True, help_text="How the finding was resolved, seen by its readers.")
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=FindingState.values), name="finding_state_valid"),
            models.CheckConstraint(condition=Q(visibility__in=Visibility.values), name="finding_visibility_valid"),
            models.CheckConstraint(condition=Q(category__in=Category.values), name="finding_category_valid"),
            models.CheckConstraint(condition=Q(severity__in=Severity.values), name="finding_severity_valid"),
            models.CheckConstraint(
                condition=Q(target_kind="model") | ~Q(target_component=""),
                name="finding_safeguard_target_named",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "response_due"]),
            # The finding list's order: its first page is read from the index, not sorted from
            # every visible finding.
            models.Index(fields=["-created_at", "-id"], name="finding_newest_first"),
            # A supervisor's "drafts you may release", those asked for first (NULLS LAST, as the
            # index orders them): the agency's drafts read in the list's order.
            models.Index(
                fields=["agency", "release_requested_at", "created_at"],
                condition=Q(state="draft"),
                name="finding_drafts_to_release",
            ),
        ]

    def __str__(self) -> str:
        return f"Finding #{self.pk}"

    @property
    def is_released(self) -> bool:
        return self.released_at is not None


class ResponseChoice(models.TextChoices):
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    MITIGATED = "mitigated", "Mitigated"
    DISPUTED = "disputed", "Disputed"
    DECLINED = "declined", "Declined"


class FindingResponse(models.Model):
    """The firm's own, voluntary, response to a firm-visible finding. A reviewer may send it
    back (the finding returns to released), so a finding may have several."""

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="responses")
    responder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(max_length=20, choices=ResponseChoice.choices)
    text = models.TextField()
    documents = models.ManyToManyField("documents.DocumentVersion", blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_back_at = models.DateTimeField(null=True, blank=True)
    sent_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_back_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["finding", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(choice__in=ResponseChoice.values), name="response_choice_valid"),
        ]

    def __str__(self) -> str:
        return f"Response to {self.finding}: {self.get_choice_display()}"


class Comment(models.Model):
    """An annotation on a case or on one of its findings."""

    case = models.ForeignKey("cases.ReviewCase", on_delete=models.PROTECT, related_name="comments")
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, null=True, blank=True, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The author's agency; empty when a firm liaison wrote it (then visibility is "firm").
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    body = models.TextField()
    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.AGENCY)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(visibility__in=Visibility.values), name="comment_visibility_valid"),
            models.CheckConstraint(
                condition=~Q(agency__isnull=True) | Q(visibility="firm"), name="comment_firm_author_firm_visible"
            ),
        ]

    def __str__(self) -> str:
        return f"Comment #{self.pk}"


class FindingUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Finding, on_delete=models.CASCADE)


class FindingGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Finding, on_delete=models.CASCADE)


class CommentUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Comment, on_delete=models.CASCADE)


class CommentGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Comment, on_delete=models.CASCADE)
