"""REST API v1. Each endpoint fetches and authorizes through the same selectors as the pages (404
for what the caller may not see, exactly as for a missing id) and changes things only through the
same services, whose refusals come from the same policy functions (``api.errors`` turns them into
409/403/400). Nothing here decides who may do what."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework import status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.roles import firm_membership, is_coordinator
from agencies.models import Agency
from api import serializers as s
from api.idempotency import idempotent
from cases import policy as case_policy
from cases import services as case_services
from cases.models import CaseState, Closeout, CloseoutDecision, ReviewCase
from cases.permissions import CHANGE_MODEL
from cases.selectors import (
    assigned_agencies,
    cases_for,
    get_case_for,
    get_closeout_for,
    get_model_for,
    models_for,
    with_agencies,
)
from configurations.models import Configuration
from configurations.selectors import configurations_for, current_configurations
from core.policy import require
from documents.models import DocumentVersion
from documents.selectors import documents_for, get_document_for, live_versions
from findings import services as finding_services
from findings.models import Comment, Finding
from findings.selectors import comments_for, findings_for, get_finding_for
from firms.models import Firm
from notifications import services as notification_services
from notifications.selectors import get_notification_for, notifications_for
from workflow import policy as workflow_policy
from workflow import services as workflow_services
from workflow.selectors import case_timeline


def _valid(serializer_class: type[drf_serializers.Serializer], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _configuration_of(case: Any, configuration_id: int | None) -> Configuration | None:
    """The case's current tested configuration with that id; another case's, a superseded one or
    a missing id is a 400 on ``configuration``."""
    if configuration_id is None:
        return None
    found = current_configurations(case).filter(pk=configuration_id).first()
    if found is None:
        raise ValidationError({"configuration": ["No such current tested configuration on this case."]})
    return found


def _versions_for(user: Any, ids: list[int], field: str) -> list[DocumentVersion]:
    """Document versions the person may read, by id; an id they may not read, or a retracted
    version (the pages' forms offer live ones only), is a 400 on ``field`` that says the same as
    for a missing one."""
    if not ids:
        return []
    found = list(live_versions().filter(pk__in=ids, document__in=documents_for(user)))
    if len(found) != len(set(ids)):
        raise ValidationError({field: ["No such document version, or it is not yours to see."]})
    return found


class Listing(GenericAPIView):
    """A cursor-paginated list of ``queryset``."""

    def listing(self, request: Request, queryset: QuerySet[Any]) -> Response:
        page = self.paginate_queryset(queryset)
        serializer = self.get_serializer(page, many=True)
        return self.get_paginated_response(serializer.data)


def _case_listing(user: Any) -> QuerySet[ReviewCase]:
    return with_agencies(cases_for(user))


def _case_out(request: Request, case: ReviewCase) -> dict[str, Any]:
    """The case as ``request``'s person reads it (the serializer asks the reader's rules)."""
    case = _case_listing_one(case)
    return s.CaseSerializer(case, context={"request": request}).data


def _case_listing_one(case: ReviewCase) -> ReviewCase:
    return with_agencies(ReviewCase.objects.select_related("model")).get(pk=case.pk)


# --- firms and models ----------------------------------------------------------------------------


class FirmList(Listing):
    serializer_class = s.FirmSerializer

    @extend_schema(
        responses=s.FirmSerializer(many=True), summary="Your firm (coordinators: every firm)", operation_id="firms_list"
    )
    def get(self, request: Request) -> Response:
        if is_coordinator(request.user):
            firms = Firm.objects.all()
        else:
            membership = firm_membership(request.user)
            firms = Firm.objects.filter(pk=membership.firm_id) if membership else Firm.objects.none()
        return self.listing(request, firms)


class ModelList(Listing):
    serializer_class = s.AIModelSerializer

    @extend_schema(
        responses=s.AIModelSerializer(many=True), summary="Your firm's AI models", operation_id="models_list"
    )
    def get(self, request: Request) -> Response:
        return self.listing(request, models_for(request.user))

    @extend_schema(
        summary="Register a model version",
        operation_id="models_create",
        request=s.ModelWriteSerializer,
        responses={201: s.AIModelSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = _valid(s.ModelWriteSerializer, request.data)
        model = case_services.ai_model_register(actor=request.user, **data)
        return Response(s.AIModelSerializer(model, context={"request": request}).data, status=status.HTTP_201_CREATED)


class ModelDetail(GenericAPIView):
    serializer_class = s.AIModelSerializer

    @extend_schema(summary="One model", operation_id="models_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.AIModelSerializer(get_model_for(request.user, pk), context={"request": request}).data)

    @extend_schema(
        summary="Edit a model (while none of its cases is submitted)",
        operation_id="models_update",
        request=s.ModelWriteSerializer(partial=True),
        responses={200: s.AIModelSerializer},
    )
    def patch(self, request: Request, pk: int) -> Response:
        model = get_model_for(request.user, pk, CHANGE_MODEL)
        serializer = s.ModelWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        model = case_services.ai_model_edit(model=model, actor=request.user, **serializer.validated_data)
        return Response(s.AIModelSerializer(model, context={"request": request}).data)


# --- cases ---------------------------------------------------------------------------------------

CASE_FILTERS = [
    OpenApiParameter("state", str, enum=CaseState.values, description="Only cases in this state."),
    OpenApiParameter("agency", str, description="Only cases assigned to this agency (its code)."),
    OpenApiParameter("model", int, description="Only cases of this model."),
    OpenApiParameter("q", str, description="Reference or model name contains."),
    OpenApiParameter("sharing_before", OpenApiTypes.DATE, description="Sharing date on or before."),
    OpenApiParameter("sharing_after", OpenApiTypes.DATE, description="Sharing date on or after."),
]


class CaseFilterSerializer(drf_serializers.Serializer):
    state = drf_serializers.ChoiceField(CaseState.choices, required=False)
    agency = drf_serializers.SlugField(max_length=20, required=False)
    model = drf_serializers.IntegerField(required=False, min_value=1)
    q = drf_serializers.CharField(required=False, max_length=200)
    sharing_before = drf_serializers.DateField(required=False)
    sharing_after = drf_serializers.DateField(required=False)


def _filtered_cases(user: Any, params: Any) -> QuerySet[ReviewCase]:
    filters = CaseFilterSerializer(data={k: v for k, v in params.items() if k in CaseFilterSerializer().fields})
    filters.is_valid(raise_exception=True)
    data = filters.validated_data
    cases = _case_listing(user)
    if "state" in data:
        cases = cases.filter(state=data["state"])
    if "agency" in data:
        cases = cases.filter(agency_assignments__agency__code=data["agency"])
    if "model" in data:
        cases = cases.filter(model_id=data["model"])
    if data.get("q"):
        from django.db.models import Q

        term = data["q"].strip()
        cases = cases.filter(Q(reference__icontains=term) | Q(model__name__icontains=term))
    if "sharing_before" in data:
        cases = cases.filter(sharing_date__lte=data["sharing_before"])
    if "sharing_after" in data:
        cases = cases.filter(sharing_date__gte=data["sharing_after"])
    return cases


class CaseList(Listing):
    serializer_class = s.CaseSerializer

    @extend_schema(
        responses=s.CaseSerializer(many=True),
        summary="Cases you may see",
        operation_id="cases_list",
        parameters=CASE_FILTERS,
    )
    def get(self, request: Request) -> Response:
        return self.listing(request, _filtered_cases(request.user, request.query_params))

    @extend_schema(
        summary="Open a draft case for one of your firm's models",
        operation_id="cases_create",
        request=s.CaseWriteSerializer,
        responses={201: s.CaseSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = _valid(s.CaseWriteSerializer, request.data)
        model = get_model_for(request.user, data.pop("model"))
        case = case_services.case_create(model=model, actor=request.user, **data)
        return Response(_case_out(request, case), status=status.HTTP_201_CREATED)


class Triage(Listing):
    serializer_class = s.CaseSerializer

    @extend_schema(
        responses=s.CaseSerializer(many=True),
        summary="Submitted cases awaiting agencies (coordinators)",
        operation_id="triage_list",
    )
    def get(self, request: Request) -> Response:
        if not is_coordinator(request.user):
            raise PermissionDenied("The triage queue is the program coordinators'.")
        return self.listing(request, _case_listing(request.user).filter(state=CaseState.SUBMITTED))


class CaseDetail(GenericAPIView):
    serializer_class = s.CaseSerializer

    @extend_schema(summary="One case", operation_id="cases_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        return Response(_case_out(request, get_case_for(request.user, pk)))

    @extend_schema(
        summary="Edit a case (dates only while it is a draft)",
        operation_id="cases_update",
        request=s.CaseEditSerializer,
        responses={200: s.CaseSerializer},
    )
    def patch(self, request: Request, pk: int) -> Response:
        case = get_case_for(request.user, pk)
        changes = _valid(s.CaseEditSerializer, request.data)
        case = case_services.case_edit(case=case, actor=request.user, **changes)
        return Response(_case_out(request, case))


class CaseAction(GenericAPIView):
    """A transition of one case: POST, answered with the case as it now is."""

    serializer_class = s.CaseSerializer
    request_serializer: type[drf_serializers.Serializer] | None = None

    def act(self, request: Request, case: ReviewCase, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def post(self, request: Request, pk: int) -> Response:
        case = get_case_for(request.user, pk)
        data = _valid(self.request_serializer, request.data) if self.request_serializer else {}
        self.act(request, case, data)
        return Response(_case_out(request, case))


def _case_action(summary: str, request: Any = None) -> Any:
    return extend_schema(summary=summary, request=request, responses={200: s.CaseSerializer})


class CaseSubmit(CaseAction):
    @_case_action("Submit the case for review")
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, case: ReviewCase, data: dict[str, Any]) -> Any:
        return workflow_services.case_submit(case=case, actor=request.user)


class CaseMoveSharingDate(CaseAction):
    request_serializer = s.MoveSharingDateSerializer

    @_case_action("Move the planned sharing date (with a reason)", s.MoveSharingDateSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, case: ReviewCase, data: dict[str, Any]) -> Any:
        return case_services.case_move_sharing_date(
            case=case, new_sharing_date=data["sharing_date"], reason=data["reason"], actor=request.user
        )


class CaseWithdraw(CaseAction):
    request_serializer = s.ReasonSerializer

    @_case_action("Withdraw the case (any time before closeout)", s.ReasonSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, case: ReviewCase, data: dict[str, Any]) -> Any:
        return case_services.case_withdraw(case=case, actor=request.user, reason=data.get("reason", ""))


class CaseAssignAgencies(CaseAction):
    request_serializer = s.AssignAgenciesSerializer

    @_case_action("Assign agencies to a submitted case (coordinators)", s.AssignAgenciesSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, case: ReviewCase, data: dict[str, Any]) -> Any:
        # The rule first (403 or 409 as from the service): only then are the codes looked up, so
        # that no one else learns from the answer which agency codes exist.
        require(workflow_policy.case_assign_agencies_refusal(request.user, case))
        codes = set(data["agencies"])
        agencies = list(Agency.objects.filter(code__in=codes))
        unknown = codes - {agency.code for agency in agencies}
        if unknown:
            raise ValidationError({"agencies": [f"No such agency: {', '.join(sorted(unknown))}."]})
        return workflow_services.case_assign_agencies(case=case, agencies=agencies, actor=request.user)


class CaseAssignReviewers(CaseAction):
    request_serializer = s.AssignReviewersSerializer

    @_case_action("Set your agency's reviewers and lead (supervisors)", s.AssignReviewersSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, case: ReviewCase, data: dict[str, Any]) -> Any:
        # The role first (403 as from the service), then the ids among the supervisor's own
        # agency's active members only (``cases.policy.assignable_reviewers``, what the page
        # offers): any other id, an account elsewhere or none at all, answers alike.
        require(case_policy.case_assign_reviewers_refusal(request.user, case))
        ids = set(data["reviewers"])
        reviewers = list(case_policy.assignable_reviewers(request.user).filter(pk__in=ids))
        if len(reviewers) != len(ids):
            raise ValidationError({"reviewers": ["No such reviewer of your agency."]})
        lead = next((user for user in reviewers if user.pk == data.get("lead")), None)
        if data.get("lead") and lead is None:
            raise ValidationError({"lead": ["The lead reviewer must be one of the assigned reviewers."]})
        return case_services.case_assign_reviewers(case=case, reviewers=reviewers, lead=lead, actor=request.user)


class CaseTimeline(Listing):
    serializer_class = s.TimelineEventSerializer

    @extend_schema(
        responses=s.TimelineEventSerializer(many=True),
        summary="The case's timeline, as you may see it",
        operation_id="cases_timeline",
    )
    def get(self, request: Request, pk: int) -> Response:
        case = get_case_for(request.user, pk)
        # Agencies by their short names ("DoD"), as the case page names its agencies.
        self.agency_names = {agency.code: agency.short_name for agency in assigned_agencies(case)}
        return self.listing(request, case_timeline(request.user, case))

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "agency_names": getattr(self, "agency_names", {})}


# --- documents -----------------------------------------------------------------------------------


class DocumentDetail(GenericAPIView):
    serializer_class = s.DocumentSerializer

    @extend_schema(summary="One document", operation_id="documents_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.DocumentSerializer(get_document_for(request.user, pk), context={"request": request}).data)


# --- findings, responses, comments ---------------------------------------------------------------

FINDING_FILTERS = [
    OpenApiParameter("case", int, description="Only findings of this case."),
    OpenApiParameter("state", str, description="Only findings in this state."),
    OpenApiParameter("severity", str, description="Only findings of this severity."),
]


class FindingFilterSerializer(drf_serializers.Serializer):
    case = drf_serializers.IntegerField(required=False, min_value=1)
    state = drf_serializers.CharField(required=False, max_length=20)
    severity = drf_serializers.CharField(required=False, max_length=20)


class FindingList(Listing):
    serializer_class = s.FindingSerializer

    @extend_schema(
        responses=s.FindingSerializer(many=True),
        summary="Findings you may see",
        operation_id="findings_list",
        parameters=FINDING_FILTERS,
    )
    def get(self, request: Request) -> Response:
        filters = FindingFilterSerializer(
            data={k: v for k, v in request.query_params.items() if k in ("case", "state", "severity")}
        )
        filters.is_valid(raise_exception=True)
        findings = findings_for(request.user)
        for field, value in filters.validated_data.items():
            findings = findings.filter(**{f"{field}_id" if field == "case" else field: value})
        return self.listing(request, findings)


class CaseFindings(GenericAPIView):
    serializer_class = s.FindingSerializer

    @extend_schema(
        summary="Draft a finding (reviewers of an assigned agency)",
        operation_id="findings_create",
        request=s.FindingWriteSerializer,
        responses={201: s.FindingSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        case = get_case_for(request.user, pk)
        data = _valid(s.FindingWriteSerializer, request.data)
        data["related_versions"] = _versions_for(request.user, data.get("related_versions", []), "related_versions")
        data["configuration"] = _configuration_of(case, data.get("configuration"))
        finding = finding_services.finding_draft(case=case, actor=request.user, **data)
        return Response(s.FindingSerializer(finding, context={"request": request}).data, status=status.HTTP_201_CREATED)


class FindingDetail(GenericAPIView):
    serializer_class = s.FindingSerializer

    @extend_schema(summary="One finding", operation_id="findings_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        return Response(s.FindingSerializer(get_finding_for(request.user, pk), context={"request": request}).data)

    @extend_schema(
        summary="Edit a draft finding (its agency)",
        operation_id="findings_update",
        request=s.FindingEditSerializer,
        responses={200: s.FindingSerializer},
    )
    def patch(self, request: Request, pk: int) -> Response:
        finding = get_finding_for(request.user, pk)
        changes = _valid(s.FindingEditSerializer, request.data)
        versions = changes.pop("related_versions", None)
        related = None if versions is None else _versions_for(request.user, versions, "related_versions")
        if "configuration" in changes:
            changes["configuration"] = _configuration_of(finding.case, changes["configuration"])
        finding = finding_services.finding_edit(
            finding=finding, actor=request.user, related_versions=related, **changes
        )
        return Response(s.FindingSerializer(finding, context={"request": request}).data)


class FindingAction(GenericAPIView):
    serializer_class = s.FindingSerializer
    request_serializer: type[drf_serializers.Serializer] | None = None

    def act(self, request: Request, finding: Finding, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def post(self, request: Request, pk: int) -> Response:
        finding = get_finding_for(request.user, pk)
        data = _valid(self.request_serializer, request.data) if self.request_serializer else {}
        self.act(request, finding, data)
        finding.refresh_from_db()
        return Response(s.FindingSerializer(finding, context={"request": request}).data)


def _finding_action(summary: str, request: Any = None) -> Any:
    return extend_schema(summary=summary, request=request, responses={200: s.FindingSerializer})


class FindingRelease(FindingAction):
    @_finding_action("Release a draft at its visibility (a supervisor beyond the agency: two-person rule)")
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, finding: Finding, data: dict[str, Any]) -> Any:
        return finding_services.finding_release(finding=finding, actor=request.user)


class FindingRequestRelease(FindingAction):
    @_finding_action("Ask a supervisor to release a draft")
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, finding: Finding, data: dict[str, Any]) -> Any:
        return finding_services.finding_request_release(finding=finding, actor=request.user)


class FindingResolve(FindingAction):
    request_serializer = s.ResolveSerializer

    @_finding_action("Resolve a finding, saying how (its readers see the note)", s.ResolveSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, finding: Finding, data: dict[str, Any]) -> Any:
        return finding_services.finding_resolve(finding=finding, actor=request.user, note=data["note"])


class CaseConfigurations(GenericAPIView):
    serializer_class = s.ConfigurationSerializer
    pagination_class = None  # a case's few configurations, in one list (the schema says a list)

    @extend_schema(
        summary="The tested configurations of a case, every version (a finding names a current one)",
        operation_id="configurations_list",
        responses=s.ConfigurationSerializer(many=True),
    )
    def get(self, request: Request, pk: int) -> Response:
        case = get_case_for(request.user, pk)
        return Response(
            s.ConfigurationSerializer(
                configurations_for(request.user, case), many=True, context={"request": request}
            ).data
        )


class FindingWithdraw(FindingAction):
    request_serializer = s.ReasonSerializer

    @_finding_action("Withdraw a finding", s.ReasonSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, finding: Finding, data: dict[str, Any]) -> Any:
        return finding_services.finding_withdraw(finding=finding, actor=request.user, reason=data.get("reason", ""))


class FindingSendBack(FindingAction):
    request_serializer = s.RequiredReasonSerializer

    @_finding_action("Send the firm's response back (with a reason)", s.RequiredReasonSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, finding: Finding, data: dict[str, Any]) -> Any:
        return finding_services.finding_send_back(finding=finding, actor=request.user, reason=data["reason"])


class FindingRespond(FindingAction):
    request_serializer = s.RespondSerializer

    @_finding_action("Answer a finding shared with your firm", s.RespondSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, finding: Finding, data: dict[str, Any]) -> Any:
        documents = _versions_for(request.user, data.get("documents", []), "documents")
        return finding_services.finding_respond(
            finding=finding, actor=request.user, choice=data["choice"], text=data["text"], documents=documents
        )


class FindingResponses(Listing):
    serializer_class = s.FindingResponseSerializer

    @extend_schema(
        responses=s.FindingResponseSerializer(many=True),
        summary="The firm's responses to a finding",
        operation_id="findings_responses_list",
    )
    def get(self, request: Request, pk: int) -> Response:
        finding = get_finding_for(request.user, pk)
        return self.listing(request, finding.responses.all())


class CommentList(Listing):
    serializer_class = s.CommentSerializer

    @extend_schema(
        responses=s.CommentSerializer(many=True),
        summary="Comments you may read",
        operation_id="comments_list",
        parameters=[OpenApiParameter("case", int), OpenApiParameter("finding", int)],
    )
    def get(self, request: Request) -> Response:
        filters = {}
        for field in ("case", "finding"):
            value = request.query_params.get(field)
            if value is not None:
                if not value.isdigit() or len(value) > 18:
                    raise ValidationError({field: ["A whole number is required."]})
                filters[f"{field}_id"] = int(value)
        return self.listing(request, comments_for(request.user).filter(**filters).select_related("author"))


class CaseComments(GenericAPIView):
    serializer_class = s.CommentSerializer

    @extend_schema(
        summary="Comment on a case or one of its findings",
        operation_id="comments_create",
        request=s.CommentWriteSerializer,
        responses={201: s.CommentSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        case = get_case_for(request.user, pk)
        data = _valid(s.CommentWriteSerializer, request.data)
        finding = None
        if data.get("finding"):
            finding = get_finding_for(request.user, data["finding"])
            if finding.case_id != case.pk:
                raise ValidationError({"finding": ["That finding is not of this case."]})
        comment = finding_services.comment_add(
            case=case,
            actor=request.user,
            body=data["body"],
            finding=finding,
            **({"visibility": data["visibility"]} if "visibility" in data else {}),
        )
        comment = Comment.objects.select_related("author", "agency").get(pk=comment.pk)
        return Response(s.CommentSerializer(comment, context={"request": request}).data, status=status.HTTP_201_CREATED)


# --- closeouts -----------------------------------------------------------------------------------


def _closeouts() -> QuerySet[Closeout]:
    return Closeout.objects.prefetch_related(
        Prefetch("decisions", queryset=CloseoutDecision.objects.select_related("agency").order_by("pk"))
    )


class CaseCloseouts(Listing):
    serializer_class = s.CloseoutSerializer

    @extend_schema(
        responses=s.CloseoutSerializer(many=True), summary="The case's closeouts", operation_id="closeouts_list"
    )
    def get(self, request: Request, pk: int) -> Response:
        case = get_case_for(request.user, pk)
        return self.listing(request, _closeouts().filter(case=case))

    @extend_schema(
        summary="Request closeout (a reviewer of an assigned agency)",
        operation_id="closeouts_create",
        request=s.CloseoutRequestSerializer,
        responses={201: s.CloseoutSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)],
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        case = get_case_for(request.user, pk)
        data = _valid(s.CloseoutRequestSerializer, request.data)
        carried: dict[int, str] = {}
        for key, reason in (data.get("carried_forward") or {}).items():
            if not str(key).isdigit() or len(str(key)) > 18:
                raise ValidationError({"carried_forward": [f"{key!r} is not a finding id."]})
            carried[int(key)] = reason
        closeout = workflow_services.closeout_request(
            case=case, actor=request.user, summary=data["summary"], carried_forward=carried
        )
        return Response(
            s.CloseoutSerializer(_closeouts().get(pk=closeout.pk), context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class CloseoutDetail(GenericAPIView):
    serializer_class = s.CloseoutSerializer

    @extend_schema(summary="One closeout with its agencies' decisions", operation_id="closeouts_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        return Response(
            s.CloseoutSerializer(get_closeout_for(request.user, pk, _closeouts()), context={"request": request}).data
        )


class CloseoutDecide(GenericAPIView):
    serializer_class = s.CloseoutSerializer

    @extend_schema(
        summary="Approve or return the closeout for your agency (supervisors)",
        operation_id="closeouts_decide",
        request=s.CloseoutDecideSerializer,
        responses={200: s.CloseoutSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        closeout = get_closeout_for(request.user, pk, _closeouts())
        data = _valid(s.CloseoutDecideSerializer, request.data)
        workflow_services.closeout_decide(
            closeout=closeout,
            actor=request.user,
            approve=data["decision"] == "approved",
            reason=data.get("reason", ""),
            statement=data.get("statement", ""),
        )
        return Response(s.CloseoutSerializer(_closeouts().get(pk=closeout.pk), context={"request": request}).data)


# --- notifications -------------------------------------------------------------------------------


class NotificationList(Listing):
    serializer_class = s.NotificationSerializer

    @extend_schema(
        responses=s.NotificationSerializer(many=True),
        summary="Your notifications, newest first",
        operation_id="notifications_list",
    )
    def get(self, request: Request) -> Response:
        return self.listing(request, notifications_for(request.user))


class NotificationRead(GenericAPIView):
    serializer_class = s.NotificationSerializer

    @extend_schema(
        summary="Mark a notification read",
        operation_id="notifications_read",
        request=None,
        responses={200: s.NotificationSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        notification = get_notification_for(request.user, pk)
        notification = notification_services.notification_mark_read(notification=notification, actor=request.user)
        return Response(s.NotificationSerializer(notification, context={"request": request}).data)
