"""What the API reads and writes. Output serializers show what the pages show their reader;
input serializers check shape (types, lengths, choices) so that bad input is a 400 per field,
never a database error. Rules stay in the services and the policy."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.roles import shown_name
from audit.selectors import timeline_label
from cases.models import AIModel, Closeout, CloseoutDecision, Decision, Modality, ReviewCase
from cases.policy import operational_detail_shown_to
from configurations.models import Configuration
from core.models import Visibility
from documents.models import Document, DocumentKind, DocumentVersion, Marking
from findings.models import Category, Comment, Finding, FindingResponse, ResponseChoice, Severity, TargetKind
from firms.models import Firm
from notifications.models import Notification
from workflow.policy import closeout_return_reasons_shown_to


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Why the request was refused, in a sentence a person understands.")
    code = serializers.CharField(required=False, help_text="A short code of the refusal (not_now, read_only, ...).")


# --- reads ---------------------------------------------------------------------------------------


def _reader(serializer: serializers.Field | serializers.BaseSerializer) -> Any:
    """Who reads the answer: the request's person (``context={"request": request}``); None when a
    serializer was built without it, and every rule below then withholds (fails closed)."""
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class OperationalDetailField(serializers.CharField):
    """A text of the firm's operational detail: the reader reads it when
    ``cases.policy.operational_detail_shown_to`` says so (the case and configurations pages ask the
    same), an empty string otherwise (coordinators; a serializer without its request)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: Any) -> str:
        return str(value) if operational_detail_shown_to(_reader(self)) else ""


class FirmSerializer(serializers.ModelSerializer):
    class Meta:
        model = Firm
        fields = ["id", "name", "slug"]


class AIModelSerializer(serializers.ModelSerializer):
    class Meta:
        model = AIModel
        fields = ["id", "firm", "name", "version", "description", "modalities", "intended_partners", "created_at"]


class CaseSerializer(serializers.ModelSerializer):
    firm = serializers.IntegerField(source="model.firm_id", read_only=True)
    model_name = serializers.CharField(source="model.__str__", read_only=True)
    agencies = serializers.SerializerMethodField()
    safeguard_configuration = OperationalDetailField(
        help_text="The firm's safeguard configuration (empty for coordinators: case metadata only)."
    )
    evaluator_access = OperationalDetailField(
        help_text="How evaluators get access (empty for coordinators: case metadata only)."
    )

    class Meta:
        model = ReviewCase
        fields = [
            "id",
            "reference",
            "state",
            "model",
            "model_name",
            "firm",
            "access_date",
            "sharing_date",
            "trusted_partners",
            "model_snapshot",
            "safeguard_configuration",
            "evaluator_access",
            "agencies",
            "created_at",
            "updated_at",
            "submitted_at",
            "closed_at",
            "withdrawn_at",
        ]

    def get_agencies(self, case: ReviewCase) -> list[str]:
        """The codes of the assigned agencies (dod, treasury, cisa, ...)."""
        return sorted(assignment.agency.code for assignment in case.agency_assignments.all())


class VersionSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField()

    class Meta:
        model = DocumentVersion
        fields = [
            "id",
            "document",
            "number",
            "original_name",
            "sha256",
            "size",
            "content_type",
            "uploaded_at",
            "download",
        ]

    def get_download(self, version: DocumentVersion) -> str:
        """The path that streams this version's bytes."""
        return f"/api/v1/documents/{version.document_id}/versions/{version.number}/download/"


class DocumentSerializer(serializers.ModelSerializer):
    # The agency's code; the firm's own documents have none: null (the schema says so).
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Document
        fields = ["id", "case", "kind", "title", "marking", "visibility", "agency", "created_at"]


class FindingSerializer(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "case",
            "agency",
            "title",
            "description",
            "category",
            "severity",
            "target_kind",
            "target_component",
            "state",
            "visibility",
            "response_due",
            "configuration",
            "created_at",
            "updated_at",
            "released_at",
            "resolved_at",
            "resolution_note",
            "withdrawn_at",
        ]


class FindingResponseSerializer(serializers.ModelSerializer):
    class Meta:
        model = FindingResponse
        fields = ["id", "finding", "choice", "text", "created_at", "sent_back_at", "sent_back_reason"]


class CommentSerializer(serializers.ModelSerializer):
    # The agency's code; a firm's comment has none: null (the schema says so).
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    author = serializers.SerializerMethodField()

    def get_author(self, comment: Comment) -> str:
        """The author as the reader may read them: a firm reads a government author's agency
        ("DoD"), as on the case page (``accounts.roles.shown_name``)."""
        return shown_name(comment.author, _reader(self), comment.agency)

    class Meta:
        model = Comment
        fields = ["id", "case", "finding", "agency", "author", "body", "visibility", "created_at"]


class CloseoutDecisionSerializer(serializers.ModelSerializer):
    agency = serializers.SlugRelatedField(slug_field="code", read_only=True)

    reason = serializers.SerializerMethodField()

    class Meta:
        model = CloseoutDecision
        fields = ["agency", "decision", "statement", "reason", "decided_at"]

    def get_reason(self, decision: CloseoutDecision) -> str:
        """A return's reason, for the agencies only (``workflow.policy``); empty for anyone else."""
        return decision.reason if closeout_return_reasons_shown_to(_reader(self)) else ""


class CloseoutSerializer(serializers.ModelSerializer):
    decisions = CloseoutDecisionSerializer(many=True, read_only=True)

    class Meta:
        model = Closeout
        fields = ["id", "case", "state", "summary", "requested_at", "decided_at", "decisions"]


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "verb", "case", "target_type", "target_id", "message", "created_at", "read_at"]


class TimelineEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    actor = serializers.SerializerMethodField()
    action = serializers.CharField()
    label = serializers.SerializerMethodField()

    def get_actor(self, event: Any) -> str:
        """Who acted, as the case page's timeline names them: a firm reads a government person's
        agency, never their name or address (``accounts.roles.shown_name``)."""
        if event.actor_id is None:
            return str(event.actor_label)  # "system", or an actor the log names only by its label
        return shown_name(event.actor, _reader(self))

    def get_label(self, event: Any) -> str:
        """What the case page's timeline says of the event, after the actor's name (the case's
        agencies by their short names, as the page names them)."""
        return timeline_label(event, self.context.get("agency_names"))


# --- writes --------------------------------------------------------------------------------------


class ModelWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    version = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    modalities = serializers.ListField(child=serializers.ChoiceField(Modality.choices), required=False, max_length=20)
    intended_partners = serializers.CharField(required=False, allow_blank=True, max_length=20000)


class CaseWriteSerializer(serializers.Serializer):
    model = serializers.IntegerField(help_text="The id of one of your firm's models.")
    access_date = serializers.DateField(required=False, allow_null=True)
    sharing_date = serializers.DateField(required=False, allow_null=True)
    trusted_partners = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    model_snapshot = serializers.CharField(required=False, allow_blank=True, max_length=200)
    safeguard_configuration = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    evaluator_access = serializers.CharField(required=False, allow_blank=True, max_length=20000)


class CaseEditSerializer(serializers.Serializer):
    access_date = serializers.DateField(required=False, allow_null=True)
    sharing_date = serializers.DateField(required=False, allow_null=True)
    trusted_partners = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    model_snapshot = serializers.CharField(required=False, allow_blank=True, max_length=200)
    safeguard_configuration = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    evaluator_access = serializers.CharField(required=False, allow_blank=True, max_length=20000)


class MoveSharingDateSerializer(serializers.Serializer):
    sharing_date = serializers.DateField()
    reason = serializers.CharField(max_length=2000)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class RequiredReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class AssignAgenciesSerializer(serializers.Serializer):
    agencies = serializers.ListField(
        child=serializers.SlugField(max_length=20), min_length=1, max_length=50, help_text="Agency codes."
    )


class AssignReviewersSerializer(serializers.Serializer):
    reviewers = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=100)
    lead = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class FindingWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=50000)
    category = serializers.ChoiceField(Category.choices)
    severity = serializers.ChoiceField(Severity.choices)
    target_kind = serializers.ChoiceField(TargetKind.choices, required=False)
    target_component = serializers.CharField(required=False, allow_blank=True, max_length=200)
    visibility = serializers.ChoiceField(Visibility.choices, required=False)
    response_due = serializers.DateField(required=False, allow_null=True)
    related_versions = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=100
    )
    configuration = serializers.IntegerField(
        min_value=1, help_text="The id of the tested configuration of the case the finding was made on."
    )


class FindingEditSerializer(FindingWriteSerializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=50000, required=False)
    category = serializers.ChoiceField(Category.choices, required=False)
    severity = serializers.ChoiceField(Severity.choices, required=False)
    configuration = serializers.IntegerField(min_value=1, required=False)


class ResolveSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text="How the finding was resolved: its readers see it.")


class ConfigurationSerializer(serializers.ModelSerializer):
    access_variant_label = serializers.CharField(source="variant_label", read_only=True)
    fingerprint = OperationalDetailField(help_text="Empty for coordinators (case metadata only).")
    safeguard_version = OperationalDetailField(help_text="Empty for coordinators (case metadata only).")
    access_method = OperationalDetailField(help_text="Empty for coordinators (case metadata only).")
    notes = OperationalDetailField(help_text="Empty for coordinators (case metadata only).")

    class Meta:
        model = Configuration
        fields = [
            "id",
            "case",
            "name",
            "version",
            "snapshot",
            "fingerprint",
            "safeguard_version",
            "access_variant",
            "access_variant_label",
            "access_method",
            "notes",
            "created_at",
            "superseded_at",
        ]


class RespondSerializer(serializers.Serializer):
    choice = serializers.ChoiceField(ResponseChoice.choices)
    text = serializers.CharField(max_length=50000)
    documents = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=50)


class CommentWriteSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=20000)
    visibility = serializers.ChoiceField(Visibility.choices, required=False)
    finding = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class CloseoutRequestSerializer(serializers.Serializer):
    summary = serializers.CharField(max_length=20000)
    carried_forward = serializers.DictField(
        child=serializers.CharField(max_length=2000),
        required=False,
        help_text="Finding id → the reason it is carried forward (e.g. the firm declined to act).",
    )


class CloseoutDecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(Decision.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    statement = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        help_text="Approving: the agency's own statement on its review (required to approve).",
    )


class DocumentUploadSerializer(serializers.Serializer):
    """The multipart form of an upload (documented; the body is streamed, not parsed by DRF)."""

    file = serializers.FileField()
    kind = serializers.ChoiceField(DocumentKind.choices)
    title = serializers.CharField(max_length=200)
    marking = serializers.ChoiceField(Marking.choices)
    visibility = serializers.ChoiceField(Visibility.choices, required=False)
    sha256 = serializers.RegexField(
        r"^[0-9a-fA-F]{64}$", required=False, help_text="The file's sha256: a mismatch is refused."
    )


class VersionUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    sha256 = serializers.RegexField(r"^[0-9a-fA-F]{64}$", required=False)
