"""Document pages: upload (a new document or a new version), the document and its versions, and
the permission-checked download.

The upload views read the request body themselves, with the streaming handler, and only after the
user and their right to upload to the case were checked: nobody may make the server spool a file
to a case they cannot write to. They are csrf_exempt for that reason only; the token is checked
(``csrf_protect``) right after the body is read and before anything is stored.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from cases.models import ReviewCase
from cases.policy import standing
from cases.selectors import get_case_for
from configurations.selectors import current_configurations
from core.errors import DomainError
from core.web import attempt
from documents import policy, selectors, services
from documents.forms import DocumentForm, RetractForm, VersionForm
from documents.models import Document, DocumentKind
from documents.rules import max_upload_bytes, upload_rules
from documents.upload import ReceivedUpload, declared_too_large, receive_upload, too_large_error

logger = logging.getLogger(__name__)

_STATUS = {"too_large": 413, "forbidden": 403, "read_only": 409, "duplicate": 409, "anonymous": 401}
DOWNLOAD_BLOCK_BYTES = 1024 * 1024


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _status(refusal: DomainError) -> int:
    return _STATUS.get(refusal.code, 400)


def _anonymous(request: HttpRequest) -> HttpResponse:
    refusal = DomainError("Sign in to upload documents.", code="anonymous")
    if request.method == "POST":
        services.upload_refusal_record(actor=None, case=None, refusal=refusal)
    if _wants_json(request):
        return JsonResponse({"ok": False, "error": refusal.message, "code": refusal.code}, status=401)
    return redirect_to_login(request.get_full_path())


def _gate(request: HttpRequest, case: ReviewCase, document: Document | None) -> DomainError | None:
    """Refusals decided before a byte of the body is read: the same rule the service asks."""
    refusal = (
        policy.document_add_version_refusal(request.user, document)
        if document is not None
        else policy.document_upload_refusal(request.user, case)
    )
    if refusal is not None:
        return DomainError(str(refusal), code=refusal.code)
    if request.method == "POST" and declared_too_large(request):
        return too_large_error()
    return None


def _upload_page(
    request: HttpRequest,
    *,
    case: ReviewCase,
    document: Document | None,
    form: Any,
    refusal: DomainError | None = None,
    status: int = 200,
) -> HttpResponse:
    if refusal is not None and _wants_json(request):
        return JsonResponse({"ok": False, "error": refusal.message, "code": refusal.code}, status=status)
    context = {
        "case": case,
        "document": document,
        "form": form,
        "refusal": refusal,
        "rules": upload_rules(),
        "max_bytes": max_upload_bytes(),
    }
    return render(request, "documents/upload.html", context, status=status)


def _succeeded(request: HttpRequest, url: str, message: str) -> HttpResponse:
    messages.success(request, message)
    if _wants_json(request):
        return JsonResponse({"ok": True, "redirect": url})
    return redirect(url)


def _upload_view(request: HttpRequest, *, case: ReviewCase, document: Document | None) -> HttpResponse:
    """Shared by both upload pages: gate, read the body, then the CSRF-checked handling."""
    refusal = _gate(request, case, document)
    if refusal is not None:
        if request.method == "POST":
            services.upload_refusal_record(actor=request.user, case=case, refusal=refusal, document=document)
        form = None if refusal.code in ("read_only", "forbidden") else _blank_form(request, case, document)
        return _upload_page(request, case=case, document=document, form=form, refusal=refusal, status=_status(refusal))
    received = receive_upload(request) if request.method == "POST" else ReceivedUpload()
    try:
        if received.refusal is not None:
            # Refused while streaming (too large, cut off, several files): recorded before the CSRF
            # check, which a body cut off before its token would fail. Nothing was stored.
            services.upload_refusal_record(actor=request.user, case=case, refusal=received.refusal, document=document)
            form = _blank_form(request, case, document, initial=request.POST.dict())
            return _upload_page(
                request,
                case=case,
                document=document,
                form=form,
                refusal=received.refusal,
                status=_status(received.refusal),
            )
        return _upload_checked(request, case=case, document=document, received=received)
    finally:
        received.discard()


def _blank_form(
    request: HttpRequest, case: ReviewCase, document: Document | None, initial: dict[str, Any] | None = None
) -> Any:
    if document is not None:
        return VersionForm()
    # A link may name the kind to add (the submission checklist's "add a system card").
    asked = {"kind": request.GET["kind"]} if request.GET.get("kind") in DocumentKind.values else {}
    initial = asked | {
        key: value for key, value in (initial or {}).items() if key in ("kind", "title", "marking", "visibility")
    }
    initial.setdefault("marking", policy.initial_marking(request.user))
    return DocumentForm(
        initial=initial,
        visibility_choices=policy.visibility_choices(request.user, case),
        for_agency=bool(policy.visibility_choices(request.user, case)),
        configurations=current_configurations(case),
    )


@csrf_protect
def _upload_checked(
    request: HttpRequest, *, case: ReviewCase, document: Document | None, received: ReceivedUpload
) -> HttpResponse:
    if request.method != "POST":
        return _upload_page(request, case=case, document=document, form=_blank_form(request, case, document))
    files = {"file": received.file} if received.file is not None else {}
    if document is not None:
        form: Any = VersionForm(request.POST, files)
    else:
        form = DocumentForm(
            request.POST,
            files,
            visibility_choices=policy.visibility_choices(request.user, case),
            for_agency=bool(policy.visibility_choices(request.user, case)),
            configurations=current_configurations(case),
        )
    refusal = None
    if not form.is_valid():
        missing_file = "file" in form.errors and received.file is None
        refusal = DomainError(
            "Choose a file to upload." if missing_file else "Correct the form and choose the file again.",
            code="missing_file" if missing_file else "invalid",
        )
    if refusal is not None:
        services.upload_refusal_record(actor=request.user, case=case, refusal=refusal, document=document)
        return _upload_page(request, case=case, document=document, form=form, refusal=refusal, status=_status(refusal))
    try:
        if document is None:
            document = services.document_create(
                case=case, upload=received.file, actor=request.user, **form.service_arguments()
            )
            version_number = 1
        else:
            version_number = services.document_add_version(
                document=document, upload=received.file, actor=request.user
            ).number
    except DomainError as error:
        # The service has recorded the refusal.
        return _upload_page(request, case=case, document=document, form=form, refusal=error, status=_status(error))
    return _succeeded(
        request,
        reverse("documents:detail", args=[document.pk]),
        f"{document.title}: version {version_number} uploaded and checked.",
    )


# --- pages --------------------------------------------------------------------------------------


@csrf_exempt  # the body is read by the streaming handler first; see _upload_checked (csrf_protect)
@require_http_methods(["GET", "POST"])
def document_create(request: HttpRequest, case_pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return _anonymous(request)
    case = get_case_for(request.user, case_pk)
    return _upload_view(request, case=case, document=None)


@csrf_exempt  # as document_create
@require_http_methods(["GET", "POST"])
def version_create(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return _anonymous(request)
    document = selectors.get_document_for(request.user, pk)
    return _upload_view(request, case=document.case, document=document)


@login_required
@require_GET
def case_documents(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = get_case_for(request.user, case_pk)
    documents = selectors.documents_of_case_for(request.user, case)
    return render(
        request,
        "documents/case_documents.html",
        {
            "case": case,
            "documents": documents,
            "may_upload": policy.document_upload_refusal(request.user, case) is None,
        },
    )


@login_required
@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.get_document_for(request.user, pk)
    held = standing(request.user, document.case, seen=True)
    versions = list(document.versions.all())
    for version in versions:
        version.document = document
        version.may_retract = policy.document_version_retract_refusal(request.user, version, standing_=held) is None
    return render(
        request,
        "documents/document_detail.html",
        {
            "document": document,
            "case": document.case,
            "versions": versions,
            "live": [version for version in versions if policy.version_is_live(version)],
            "may_add_version": policy.document_add_version_refusal(request.user, document, standing_=held) is None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def version_retract(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Retract a version uploaded by mistake: asks for the reason, then confirms."""
    document = selectors.get_document_for(request.user, pk)
    version = next((v for v in document.versions.all() if v.number == number), None)
    if version is None or not policy.version_is_live(version):
        raise Http404("No such version.")
    version.document = document
    refusal = policy.document_version_retract_refusal(request.user, version)
    form = RetractForm(request.POST or None)
    status = 403 if refusal is not None and refusal.forbidden else 200
    if request.method == "POST" and status == 200 and form.is_valid():
        call = lambda: services.document_version_retract(
            version=version, actor=request.user, reason=form.cleaned_data["reason"]
        )
        if attempt(request, call, form=form) is not None:
            messages.success(
                request,
                f"Version {version.number} of {document.title} is retracted: it is no longer listed or downloadable.",
            )
            return redirect("documents:detail", pk=document.pk)
    context = {
        "document": document,
        "case": document.case,
        "version": version,
        "form": form,
        "refusal": refusal,
        "title": f"Retract version {version.number} of {document.title}",
    }
    return render(request, "documents/version_retract.html", context, status=status)


def content_disposition(display_name: str) -> str:
    """``attachment`` with an ASCII ``filename`` for old clients and the exact name in RFC 6266's
    ``filename*`` (UTF-8, percent-encoded)."""
    fallback = unicodedata.normalize("NFKD", display_name).encode("ascii", "ignore").decode("ascii")
    fallback = re.sub(r"[^A-Za-z0-9._ ()+-]", "_", fallback).strip(" .") or "document"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(display_name, safe='')}"


@login_required
@require_GET
def version_download(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    document = selectors.get_document_for(request.user, pk)
    version = next((v for v in document.versions.all() if v.number == number), None)
    if version is None or not policy.version_is_live(version):  # a retracted one is gone
        raise Http404("No such version.")
    try:
        handle = default_storage.open(version.file.name, "rb")
    except FileNotFoundError:
        logger.error("Stored file of document version %s is missing: %s", version.pk, version.file.name)
        return render(request, "documents/file_missing.html", {"document": document, "version": version}, status=500)
    services.version_download_record(version=version, actor=request.user)
    response = FileResponse(handle, content_type=version.content_type)
    response.block_size = DOWNLOAD_BLOCK_BYTES
    response["Content-Disposition"] = content_disposition(version.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
