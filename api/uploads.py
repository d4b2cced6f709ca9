"""Uploads and downloads through the API, streamed exactly as the pages stream them.

The request body is read by the documents app's streaming handler (``documents.upload``): chunks
go to a private temp file, hashed and size-checked on the way, and nothing is stored when any check
refuses. The handler is installed before DRF sees the request, so whoever reads the body first (the
session's CSRF check, or the view) reads it through the handler. The person's right to upload is
asked first (a token reads no body before that); the same refusals, with the same words, are
audited as on the pages. The client may send the file's ``sha256``: a mismatch is refused.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from api import serializers as s
from api.endpoints import Listing
from cases.models import ReviewCase
from cases.selectors import get_case_for
from core.errors import DomainError
from documents import policy, services
from documents.models import Document, DocumentKind, Marking
from documents.selectors import documents_of_case_for, get_document_for, live_versions
from documents.upload import FILE_FIELD, DocumentUploadHandler, HashedUpload, declared_too_large, too_large_error
from documents.views import DOWNLOAD_BLOCK_BYTES, content_disposition


class UploadFields(drf_serializers.Serializer):
    kind = drf_serializers.ChoiceField(DocumentKind.choices)
    title = drf_serializers.CharField(max_length=200)
    marking = drf_serializers.ChoiceField(Marking.choices)
    visibility = drf_serializers.CharField(required=False, allow_blank=True, max_length=20)
    sha256 = drf_serializers.RegexField(r"^[0-9a-fA-F]{64}$", required=False)


class VersionFields(drf_serializers.Serializer):
    sha256 = drf_serializers.RegexField(r"^[0-9a-fA-F]{64}$", required=False)


class StreamedUpload:
    """A view mixin: on POST, the documents app's streaming handler reads the body."""

    parser_classes = [MultiPartParser]

    def initialize_request(self, request: Any, *args: Any, **kwargs: Any) -> Request:
        if request.method == "POST":
            handler = DocumentUploadHandler(request)
            request.upload_handlers = [handler]
            request.checkpoint_upload_handler = handler
        return super().initialize_request(request, *args, **kwargs)  # type: ignore[misc]

    def receive(
        self, request: Request, *, case: ReviewCase, document: Document | None, fields: type[drf_serializers.Serializer]
    ) -> tuple[HashedUpload, dict[str, Any]]:
        """The streamed file and the form's other fields, or a refusal (audited, nothing kept)."""
        django_request = request._request
        handler: DocumentUploadHandler = django_request.checkpoint_upload_handler
        refusal = (
            policy.document_add_version_refusal(request.user, document)
            if document is not None
            else policy.document_upload_refusal(request.user, case)
        )
        error: DomainError | None = (
            DomainError(str(refusal), code=refusal.code, rule=True) if refusal is not None else None
        )
        if error is None and declared_too_large(django_request):
            error = too_large_error()
        if error is None:
            try:
                files, form = django_request.FILES, django_request.POST
            except (UnreadablePostError, MultiPartParserError, SuspiciousOperation, OSError):
                handler.discard()
                error = DomainError(
                    "The upload was cut off or malformed before the whole file arrived. Nothing was kept; try again.",
                    code="cut_off",
                )
            else:
                error = handler.refusal
        if error is not None:
            handler.discard()
            services.upload_refusal_record(actor=request.user, case=case, refusal=error, document=document)
            raise error
        upload = files.get(FILE_FIELD)
        checked = fields(data=form.dict())
        if not isinstance(upload, HashedUpload) or not checked.is_valid():
            handler.discard()
            problems = dict(checked.errors) if not checked.is_valid() else {}
            if not isinstance(upload, HashedUpload):
                problems[FILE_FIELD] = ["Choose a file to upload."]
            services.upload_refusal_record(
                actor=request.user,
                case=case,
                refusal=DomainError("Correct the form and choose the file again.", code="invalid"),
                document=document,
            )
            raise ValidationError(problems)
        data = dict(checked.validated_data)
        claimed = data.pop("sha256", None)
        if claimed and claimed.lower() != upload.sha256:
            upload.close()
            mismatch = DomainError(
                f"The file that arrived has sha256 {upload.sha256}, not the {claimed.lower()} you sent: it changed "
                "on the way. Nothing was kept; send it again.",
                code="sha256_mismatch",
                field="sha256",
            )
            services.upload_refusal_record(actor=request.user, case=case, refusal=mismatch, document=document)
            raise mismatch
        return upload, data


class CaseDocuments(StreamedUpload, Listing):
    serializer_class = s.DocumentSerializer

    @extend_schema(
        responses=s.DocumentSerializer(many=True),
        summary="The case's documents you may read",
        operation_id="cases_documents_list",
    )
    def get(self, request: Request, pk: int) -> Response:
        case = get_case_for(request.user, pk)
        # As the case's documents page lists them: a document whose every version is retracted
        # leaves the list (its own page still says so).
        return self.listing(request, documents_of_case_for(request.user, case))

    @extend_schema(
        summary="Upload a document (streamed; the page's checks and limits)",
        operation_id="cases_documents_create",
        request={"multipart/form-data": s.DocumentUploadSerializer},
        responses={201: s.DocumentSerializer, 413: OpenApiResponse(description="The file is over the limit.")},
    )
    def post(self, request: Request, pk: int) -> Response:
        case = get_case_for(request.user, pk)
        upload, data = self.receive(request, case=case, document=None, fields=UploadFields)
        try:
            document = services.document_create(
                case=case,
                upload=upload,
                actor=request.user,
                kind=data["kind"],
                title=data["title"],
                marking=data["marking"],
                visibility=data.get("visibility") or None,
            )
        finally:
            upload.close()
        return Response(
            s.DocumentSerializer(document, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class DocumentVersions(StreamedUpload, Listing):
    serializer_class = s.VersionSerializer

    @extend_schema(
        responses=s.VersionSerializer(many=True),
        summary="The document's versions, newest first",
        operation_id="documents_versions_list",
    )
    def get(self, request: Request, pk: int) -> Response:
        document = get_document_for(request.user, pk)
        # A retracted version leaves every list and download (``documents.policy.version_is_live``).
        return self.listing(request, live_versions().filter(document=document))

    @extend_schema(
        summary="Upload a new version (streamed)",
        operation_id="documents_versions_create",
        request={"multipart/form-data": s.VersionUploadSerializer},
        responses={201: s.VersionSerializer, 413: OpenApiResponse(description="The file is over the limit.")},
    )
    def post(self, request: Request, pk: int) -> Response:
        document = get_document_for(request.user, pk)
        upload, _data = self.receive(request, case=document.case, document=document, fields=VersionFields)
        try:
            version = services.document_add_version(document=document, upload=upload, actor=request.user)
        finally:
            upload.close()
        return Response(s.VersionSerializer(version, context={"request": request}).data, status=status.HTTP_201_CREATED)


class VersionDownload(Listing):
    serializer_class = s.VersionSerializer

    @extend_schema(
        summary="Download a version (streamed, audited)",
        operation_id="documents_versions_download",
        # The version's own type, as it was uploaded (PDF, text, ...).
        responses={(200, "*/*"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, pk: int, number: int) -> Any:
        document = get_document_for(request.user, pk)
        version = next((v for v in document.versions.all() if v.number == number), None)
        if version is None or not policy.version_is_live(version):  # a retracted one is gone, as on the page
            raise Http404("No such version.")
        try:
            handle = default_storage.open(version.file.name, "rb")
        except FileNotFoundError:
            return Response({"detail": "The stored file of this version is missing."}, status=500)
        services.version_download_record(version=version, actor=request.user)
        response = FileResponse(handle, content_type=version.content_type)
        response.block_size = DOWNLOAD_BLOCK_BYTES
        response["Content-Disposition"] = content_disposition(version.original_name)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "sandbox"
        response["Cross-Origin-Resource-Policy"] = "same-origin"
        return response
