"""Closeout records (stored, frozen) and interim reports of open cases: fetch and authorize
through the selectors (404 for what the reader may not see), audit each download."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from cases.models import ReviewCase
from cases.policy import standing
from records import policy, rendering, selectors, services

logger = logging.getLogger(__name__)

# The record's HTML holds its own styles and nothing active.
_RECORD_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def _guarded(response: HttpResponse, content_type: str) -> HttpResponse:
    response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = _RECORD_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@login_required
@require_GET
def record_html(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.get_record_for(request.user, pk)
    try:
        handle = default_storage.open(record.html.name, "rb")
    except FileNotFoundError:
        logger.error("Stored closeout record %s is missing: %s", record.pk, record.html.name)
        raise Http404("The record's file is missing.") from None
    services.record_download_record(record=record, actor=request.user, file_format="html")
    return _guarded(FileResponse(handle), "text/html; charset=utf-8")


@login_required
@require_GET
def record_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.get_record_for(request.user, pk)
    if not record.pdf:  # the task has not run (broker down): draw it now, once
        record = services.record_pdf_store(record=record)
    services.record_download_record(record=record, actor=request.user, file_format="pdf")
    name = f"closeout-record-{record.case.reference}-{slugify(record.audience_label)}.pdf"
    response = FileResponse(default_storage.open(record.pdf.name, "rb"), as_attachment=True, filename=name)
    return _guarded(response, "application/pdf")


def _interim(request: HttpRequest, pk: int) -> tuple[bytes, ReviewCase, str] | HttpResponse:
    case = selectors.interim_case_for(request.user, pk)
    held = standing(request.user, case, seen=True)
    refusal = policy.interim_report_refusal(case, held)
    if refusal is not None:
        if refusal.forbidden:
            raise Http404("No such report.")
        messages.info(request, refusal)
        return redirect("cases:detail", pk=case.pk)
    audience, agency = selectors.interim_audience(held.roles, held.membership)
    html, _sha256 = rendering.render_html(selectors.interim_report_content(case, audience, agency))
    return html, case, audience


@login_required
@require_GET
def interim_html(request: HttpRequest, pk: int) -> HttpResponse:
    drawn = _interim(request, pk)
    if isinstance(drawn, HttpResponse):
        return drawn
    html, case, audience = drawn
    services.interim_report_record(case=case, actor=request.user, audience=audience, file_format="html")
    return _guarded(HttpResponse(html), "text/html; charset=utf-8")


@login_required
@require_GET
def interim_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    drawn = _interim(request, pk)
    if isinstance(drawn, HttpResponse):
        return drawn
    html, case, audience = drawn
    services.interim_report_record(case=case, actor=request.user, audience=audience, file_format="pdf")
    response = HttpResponse(rendering.render_pdf(html))
    response["Content-Disposition"] = f'attachment; filename="interim-report-{case.reference}.pdf"'
    return _guarded(response, "application/pdf")
