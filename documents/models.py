from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from core.models import Visibility


class DocumentKind(models.TextChoices):
    SYSTEM_CARD = "system_card", "System card"
    EVALUATION_REPORT = "evaluation_report", "Evaluation report"
    RED_TEAM_REPORT = "red_team_report", "Red-team report"
    ACCESS_INSTRUCTIONS = "access_instructions", "Access instructions"
    OTHER = "other", "Other"


class Marking(models.TextChoices):
    PROPRIETARY = "PROPRIETARY", "PROPRIETARY"
    CUI = "CUI", "CUI (Controlled Unclassified Information)"
    CONFIDENTIAL_REVIEW = "CONFIDENTIAL REVIEW MATERIAL", "Confidential review material"


class Document(models.Model):
    """A document of a case. The firm's documents are seen by the firm and the assigned agencies;
    an agency's working file (``agency`` set) follows its ``visibility``."""

    case = models.ForeignKey("cases.ReviewCase", on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=30, choices=DocumentKind.choices)
    title = models.CharField(max_length=200)
    marking = models.CharField(max_length=40, choices=Marking.choices, default=Marking.PROPRIETARY)
    agency = models.ForeignKey(
        "agencies.Agency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Set for an agency working file; empty for the firm's documentation.",
    )
    visibility = models.CharField(max_length=20, choices=Visibility.choices, default=Visibility.FIRM)
    # The tested configuration (that version) an evaluation or red-team report was made on.
    configuration = models.ForeignKey(
        "configurations.Configuration", on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "kind", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DocumentKind.values), name="document_kind_valid"),
            models.CheckConstraint(condition=Q(visibility__in=Visibility.values), name="document_visibility_valid"),
            # The firm's own documents are always visible to the firm.
            models.CheckConstraint(
                condition=~Q(agency__isnull=True) | Q(visibility="firm"), name="document_firm_docs_firm_visible"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ImmutableError(Exception):
    pass


class DocumentVersion(models.Model):
    """One uploaded file of a document. Never overwritten, never deleted."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(max_length=300)
    original_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_number_unique"),
            models.CheckConstraint(condition=Q(size__gt=0), name="document_version_not_empty"),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="document_version_sha256_hex"),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise ImmutableError("A document version is immutable: upload a new version instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("A document version is never deleted.")


class VersionRetraction(models.Model):
    """A version uploaded by mistake, retracted with a reason: it leaves every list and download,
    but the version row and its file stay (a version is never changed or deleted), and the audit
    log keeps both the upload and the retraction."""

    version = models.OneToOneField(DocumentVersion, on_delete=models.PROTECT, related_name="retraction")
    retracted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    retracted_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField()

    class Meta:
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="version_retraction_has_reason")]

    def __str__(self) -> str:
        return f"{self.version} retracted"


class DocumentUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Document, on_delete=models.CASCADE)


class DocumentGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Document, on_delete=models.CASCADE)
