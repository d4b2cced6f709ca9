"""Uploads through the API stream like the page's: the same checks, limits and refusal words,
nothing stored on a refusal (no row, no file, no temp file), the refusal audited; an optional
sha256 from the client must match. Downloads stream with the page's headers and are audited."""

from __future__ import annotations

import hashlib
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from documents.models import Document, DocumentVersion
from tests import builders

pytestmark = pytest.mark.django_db

MARKDOWN = b"# Evaluation report\n\nNothing live here.\n"


def _form(content: bytes = MARKDOWN, name: str = "report.md", **fields) -> dict:
    return {
        "file": SimpleUploadedFile(name, content, content_type="text/markdown"),
        "kind": "evaluation_report",
        "title": "Evaluation report",
        "marking": "PROPRIETARY",
        **fields,
    }


def _nothing_kept(settings, before_docs: int, before_versions: int) -> None:
    assert Document.objects.count() == before_docs
    assert DocumentVersion.objects.count() == before_versions
    temp = settings.DOCUMENT_UPLOAD_TEMP_DIR
    assert not os.path.isdir(temp) or not os.listdir(temp)


def test_a_liaison_uploads_with_its_sha256_and_downloads_it(api_for, alex, case):
    api = api_for(alex)
    digest = hashlib.sha256(MARKDOWN).hexdigest()
    created = api.post(f"/api/v1/cases/{case.pk}/documents/", _form(sha256=digest))
    assert created.status_code == 201, created.json()
    document = Document.objects.get(pk=created.json()["id"])
    versions = api.get(f"/api/v1/documents/{document.pk}/versions/").json()["results"]
    assert versions[0]["sha256"] == digest
    download = api.get(versions[0]["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == MARKDOWN
    assert download["Content-Security-Policy"] == "sandbox"
    assert download["Content-Disposition"].startswith("attachment;")
    assert AuditEvent.objects.filter(action="document.downloaded", actor=alex).count() == 1
    second = api.post(
        f"/api/v1/documents/{document.pk}/versions/",
        {"file": SimpleUploadedFile("report.md", MARKDOWN + b"More.\n", content_type="text/markdown")},
    )
    assert second.status_code == 201
    assert second.json()["number"] == 2


def test_a_sha256_mismatch_is_refused_and_nothing_is_kept(api_for, alex, case, settings):
    api = api_for(alex)
    before = Document.objects.count(), DocumentVersion.objects.count()
    response = api.post(f"/api/v1/cases/{case.pk}/documents/", _form(sha256="0" * 64))
    assert response.status_code == 400
    assert "changed on the way" in response.json()["sha256"][0]
    _nothing_kept(settings, *before)
    assert AuditEvent.objects.get(action="document.upload_refused").data["code"] == "sha256_mismatch"


def test_the_pages_checks_refuse_with_the_pages_words(api_for, alex, case, settings):
    api = api_for(alex)
    before = Document.objects.count(), DocumentVersion.objects.count()
    live = api.post(f"/api/v1/cases/{case.pk}/documents/", _form(b"# Findings\n\n<script>alert(1)</script>\n"))
    assert live.status_code == 400
    page = builders.sign_in(__import__("django.test", fromlist=["Client"]).Client(), alex).post(
        f"/cases/{case.pk}/documents/new/",
        _form(b"# Findings\n\n<script>alert(1)</script>\n"),
        headers={"Accept": "application/json"},
    )
    assert live.json()["detail"] == page.json()["error"]
    empty = api.post(f"/api/v1/cases/{case.pk}/documents/", _form(b""))
    assert empty.status_code == 400
    _nothing_kept(settings, *before)


def test_an_upload_over_the_limit_is_413_and_nothing_is_kept(api_for, alex, case, settings):
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 1024
    api = api_for(alex)
    before = Document.objects.count(), DocumentVersion.objects.count()
    response = api.post(f"/api/v1/cases/{case.pk}/documents/", _form(b"# Big\n" + b"a" * 4096))
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]
    _nothing_kept(settings, *before)


def test_who_may_not_upload_is_refused_before_the_body_is_read(api_for, kim, coordinator, case, settings):
    before = Document.objects.count(), DocumentVersion.objects.count()
    assert api_for(kim).post(f"/api/v1/cases/{case.pk}/documents/", _form()).status_code == 404
    refused = api_for(coordinator).post(f"/api/v1/cases/{case.pk}/documents/", _form())
    assert refused.status_code == 403
    _nothing_kept(settings, *before)


def test_a_closed_case_takes_no_upload(api_for, alex, settings):
    closed = builders.make_case(alex, state="closed")
    response = api_for(alex).post(f"/api/v1/cases/{closed.pk}/documents/", _form())
    assert response.status_code == 409
    assert "read-only" in response.json()["detail"]
