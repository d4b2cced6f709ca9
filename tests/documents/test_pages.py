"""The upload pages (with and without JavaScript), the document page, the case's document list, and
the download: headers, audit, and 404 for whoever may not read the document."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from documents.models import Document, DocumentKind, DocumentVersion, Marking
from documents.services import document_add_version, document_create
from tests.builders import pdf_bytes, upload, upload_document
from tests.documents.support import files_under, ooxml_bytes
from tests.web.support import text


def test_upload_page_shows_the_rules_and_a_form_that_works_without_javascript(
    client_for, alex, draft_case, document_storage
):
    client = client_for(alex)
    url = reverse("documents:create", args=[draft_case.pk])
    page = text(client.get(url))
    assert 'enctype="multipart/form-data"' in page
    assert 'data-max-bytes="1073741824"' in page
    assert "At most 1.0\xa0GB per file. Empty files are refused." in page
    assert "The file's content must match its extension" in page
    assert "/static/js/upload.js" in page
    # The field order puts the file last, after the CSRF token and the metadata.
    assert page.index("csrfmiddlewaretoken") < page.index('name="title"') < page.index('type="file"')

    content = ooxml_bytes("word/")
    response = client.post(
        url,
        {
            "kind": DocumentKind.EVALUATION_REPORT,
            "title": "Capability evaluation",
            "marking": "CUI",
            "file": SimpleUploadedFile("Capability évaluation.docx", content),
        },
    )
    document = Document.objects.get(title="Capability evaluation")
    assert response.status_code == 302
    assert response["Location"] == reverse("documents:detail", args=[document.pk])
    version = document.versions.get()
    assert version.original_name == "Capability évaluation.docx"
    assert version.sha256 == hashlib.sha256(content).hexdigest()
    assert version.content_type.startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert files_under(document_storage["temp"]) == []

    detail = text(client.get(response["Location"]))
    assert "Capability evaluation: version 1 uploaded and checked." in detail
    assert version.sha256 in detail
    assert f"{len(content)}\xa0bytes" in detail  # said once: the exact count is added beside "1.2 MB" only
    assert f"({len(content)} bytes)" not in detail
    assert alex.get_full_name() in detail


def test_the_javascript_upload_gets_json(client_for, alex, draft_case):
    client = client_for(alex)
    document = draft_case.documents.get(kind=DocumentKind.SYSTEM_CARD)
    response = client.post(
        reverse("documents:version_create", args=[document.pk]),
        {"file": SimpleUploadedFile("system-card-v2.pdf", pdf_bytes("v2"))},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.json() == {"ok": True, "redirect": reverse("documents:detail", args=[document.pk])}
    assert document.versions.count() == 2


def test_the_csrf_token_is_checked_after_streaming_and_before_storing(client_for, alex, draft_case, document_storage):
    client = client_for(alex, enforce_csrf_checks=True)
    url = reverse("documents:create", args=[draft_case.pk])
    data = {
        "kind": "other",
        "title": "Forged",
        "marking": "PROPRIETARY",
        "file": SimpleUploadedFile("f.pdf", pdf_bytes()),
    }
    assert client.post(url, data).status_code == 403
    assert not Document.objects.filter(title="Forged").exists()
    assert files_under(document_storage["temp"]) == []

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(url).content.decode()).group(1)
    data["file"] = SimpleUploadedFile("f.pdf", pdf_bytes())
    response = client.post(url, {"csrfmiddlewaretoken": token, **data})
    assert response.status_code == 302
    assert Document.objects.filter(title="Forged").exists()


def test_a_reviewer_uploads_a_working_file_through_the_page(client_for, case, dod_reviewer):
    client = client_for(dod_reviewer)
    url = reverse("documents:create", args=[case.pk])
    page = text(client.get(url))
    # A reviewer chooses agency or government; firm visibility takes a supervisor. No system card.
    assert 'value="government"' in page
    assert 'value="firm"' not in page
    assert 'value="system_card"' not in page
    response = client.post(
        url,
        {
            "kind": "red_team_report",
            "title": "Jailbreak notes",
            "marking": "CUI",
            "visibility": "government",
            "file": SimpleUploadedFile("notes.txt", b"Prompt set A bypassed filter B.\n"),
        },
    )
    assert response.status_code == 302
    document = Document.objects.get(title="Jailbreak notes")
    assert (document.agency.code, document.visibility) == ("dod", "government")


def test_document_page_lists_versions_and_the_query_count_does_not_grow(client_for, alex, draft_case):
    client = client_for(alex)
    document = draft_case.documents.get(kind=DocumentKind.SYSTEM_CARD)
    url = reverse("documents:detail", args=[document.pk])
    with CaptureQueriesContext(connection) as one_version:
        assert client.get(url).status_code == 200
    for n in range(3):
        document_add_version(document=document, upload=upload(f"v{n + 2}.pdf", pdf_bytes(f"v{n}")), actor=alex)
    with CaptureQueriesContext(connection) as four_versions:
        page = text(client.get(url))
    assert len(four_versions) == len(one_version)
    for version in document.versions.all():
        assert version.sha256 in page
        assert version.original_name in page
    assert page.index("v4.pdf") < page.index("system-card.pdf")  # newest first

    list_url = reverse("documents:case_documents", args=[draft_case.pk])
    with CaptureQueriesContext(connection) as two_documents:
        assert client.get(list_url).status_code == 200
    for n in range(3):
        document_create(
            case=draft_case,
            kind="other",
            title=f"Annex {n}",
            marking="CUI",
            upload=upload(f"a{n}.csv", b"a,b\n"),
            actor=alex,
        )
    with CaptureQueriesContext(connection) as five_documents:
        listing = text(client.get(list_url))
    assert len(five_documents) == len(two_documents)
    assert "Annex 2" in listing
    assert "4 of 4" in listing


NAME = 'Évaluation "finale" v2.pdf'


def test_download_is_an_attachment_streamed_with_safe_headers_and_audited(client_for, alex, draft_case):
    client = client_for(alex)
    content = pdf_bytes("download me")
    document = document_create(
        case=draft_case,
        kind="evaluation_report",
        title="Eval",
        marking="CUI",
        upload=upload(NAME, content),
        actor=alex,
    )
    version = document.versions.get()
    response = client.get(reverse("documents:download", args=[document.pk, 1]))

    assert response.status_code == 200
    assert response.streaming
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"Evaluation _finale_ v2.pdf\"; filename*=UTF-8''" + quote(NAME, safe="")
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert {"private", "no-store"} <= {d.strip() for d in response["Cache-Control"].split(",")}
    assert int(response["Content-Length"]) == len(content)
    event = AuditEvent.objects.filter(action="document.downloaded").latest("id")
    assert (event.actor_id, event.case_id, event.data["version"], event.data["number"]) == (
        alex.pk,
        draft_case.pk,
        version.pk,
        1,
    )


def test_a_text_file_is_downloaded_as_an_attachment_not_rendered(client_for, alex, draft_case):
    client = client_for(alex)
    document = draft_case.documents.get(kind=DocumentKind.ACCESS_INSTRUCTIONS)
    response = client.get(reverse("documents:download", args=[document.pk, 1]))
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="access.md"; filename*=UTF-8')


@pytest.mark.parametrize(
    ("reader_name", "visibility", "may_read"),
    [
        ("dod_reviewer", "agency", True),
        ("treasury_reviewer", "agency", False),
        ("alex", "agency", False),
        ("treasury_reviewer", "government", True),
        ("alex", "government", False),
        ("alex", "firm", True),
        ("kim", "firm", False),
        ("cisa_reviewer", "firm", False),
        ("coordinator", "firm", False),
    ],
)
def test_working_files_download_only_for_their_audience(
    request, client_for, case, dod_supervisor, kim, cisa_reviewer, reader_name, visibility, may_read
):
    document = upload_document(
        case,
        dod_supervisor,
        DocumentKind.RED_TEAM_REPORT,
        title=f"Red-team notes ({visibility})",
        marking=Marking.CUI,
        file=upload("notes.md", f"# Notes for {visibility}\n".encode()),
        visibility=visibility,
    )
    reader = request.getfixturevalue(reader_name)
    client = client_for(reader)
    downloads = AuditEvent.objects.filter(action="document.downloaded").count()
    for url in (
        reverse("documents:download", args=[document.pk, 1]),
        reverse("documents:detail", args=[document.pk]),
    ):
        assert client.get(url).status_code == (200 if may_read else 404)
    assert AuditEvent.objects.filter(action="document.downloaded").count() == downloads + (1 if may_read else 0)


def test_other_firms_get_404_for_documents_versions_and_the_case_list(client_for, kim, draft_case):
    document = draft_case.documents.get(kind=DocumentKind.SYSTEM_CARD)
    client = client_for(kim)
    for url in (
        reverse("documents:detail", args=[document.pk]),
        reverse("documents:download", args=[document.pk, 1]),
        reverse("documents:download", args=[document.pk, 99]),
        reverse("documents:version_create", args=[document.pk]),
        reverse("documents:case_documents", args=[draft_case.pk]),
        reverse("documents:create", args=[draft_case.pk]),
        reverse("documents:detail", args=[987654]),
    ):
        assert client.get(url).status_code == 404, url


def test_a_missing_stored_file_is_reported_not_served(client_for, alex, draft_case):
    document = draft_case.documents.get(kind=DocumentKind.SYSTEM_CARD)
    version = document.versions.get()
    version.file.storage.delete(version.file.name)
    client = client_for(alex)
    response = client.get(reverse("documents:download", args=[document.pk, 1]))
    assert response.status_code == 500
    assert "The stored file is missing" in text(response)
    assert not AuditEvent.objects.filter(action="document.downloaded").exists()


def test_storage_has_no_public_url(draft_case):
    version = DocumentVersion.objects.filter(document__case=draft_case).first()
    with pytest.raises(NotImplementedError):
        version.file.url  # noqa: B018
