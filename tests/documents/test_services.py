"""document_create and document_add_version: who may upload what, versions, names, storage, and
the refusal record that survives the failed transaction."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models.signals import post_save
from django.http import Http404

from audit.models import AuditEvent
from core.errors import DomainError
from documents.models import Document, DocumentKind, DocumentVersion, ImmutableError, Marking
from documents.selectors import documents_for, get_document_for, get_version_for
from documents.services import document_add_version, document_create
from tests.builders import close_case, make_case, pdf, pdf_bytes, upload, withdraw_case
from tests.documents.support import files_under


def create(case, actor, *, name="report.pdf", content=None, visibility=None, kind=DocumentKind.EVALUATION_REPORT):
    return document_create(
        case=case,
        kind=kind,
        title="Evaluation report",
        marking=Marking.CUI,
        upload=upload(name, content or pdf_bytes()),
        actor=actor,
        visibility=visibility,
    )


def test_firm_liaison_uploads_documentation_seen_by_firm_and_assigned_agencies(
    case, alex, sam, dod_reviewer, treasury_reviewer, cisa_reviewer, kim, coordinator, document_storage
):
    content = pdf_bytes("eval v1")
    document = create(case, sam, name="Eval report (final).pdf", content=content)

    version = document.versions.get()
    assert (document.agency, document.visibility, version.number) == (None, "firm", 1)
    assert version.sha256 == hashlib.sha256(content).hexdigest()
    assert (version.size, version.content_type, version.original_name) == (
        len(content),
        "application/pdf",
        "Eval report (final).pdf",
    )
    # Stored under a generated name, never the user's, in the private storage.
    assert "Eval" not in version.file.name
    assert version.file.name.startswith(f"cases/{case.pk}/documents/")
    assert default_storage.open(version.file.name).read() == content
    assert files_under(document_storage["temp"]) == []
    for reader in (alex, sam, dod_reviewer, treasury_reviewer):
        assert get_document_for(reader, document.pk) == document
    for outsider in (cisa_reviewer, kim, coordinator):
        with pytest.raises(Http404):
            get_document_for(outsider, document.pk)
        with pytest.raises(Http404):
            get_version_for(outsider, version.pk)
    event = AuditEvent.objects.filter(action="document.created").latest("id")
    assert event.data["version"] == version.pk
    assert event.data["sha256"] == version.sha256
    assert event.case_id == case.pk


def test_agency_working_files_follow_their_visibility(
    case, alex, dod_reviewer, dod_supervisor, treasury_reviewer, cisa_reviewer
):
    agency_only = create(case, dod_reviewer)
    government = create(case, dod_reviewer, visibility="government")
    for_firm = create(case, dod_supervisor, visibility="firm")

    assert agency_only.agency.code == "dod"
    assert agency_only.visibility == "agency"
    assert set(documents_for(dod_reviewer).filter(agency__isnull=False)) == {agency_only, government, for_firm}
    assert set(documents_for(treasury_reviewer).filter(agency__isnull=False)) == {government, for_firm}
    assert set(documents_for(alex).filter(agency__isnull=False)) == {for_firm}
    assert not documents_for(cisa_reviewer).exists()
    with pytest.raises(Http404):
        get_document_for(treasury_reviewer, agency_only.pk)


def test_a_reviewer_cannot_show_a_working_file_to_the_firm(case, dod_reviewer, ledger):
    before = ledger()
    with pytest.raises(DomainError, match="takes a supervisor"):
        create(case, dod_reviewer, visibility="firm")
    before.assert_nothing_kept(code="forbidden")


def test_agencies_do_not_upload_the_firms_system_card(case, dod_supervisor, ledger):
    before = ledger()
    with pytest.raises(DomainError, match="come from the firm"):
        create(case, dod_supervisor, kind=DocumentKind.SYSTEM_CARD)
    before.assert_nothing_kept(code="invalid")


def test_unassigned_agency_other_firm_and_coordinator_cannot_upload(case, cisa_reviewer, kim, coordinator, ledger):
    for outsider in (cisa_reviewer, kim, coordinator):
        before = ledger()
        with pytest.raises(DomainError, match="Only the firm's liaisons and the assigned agencies' reviewers"):
            create(case, outsider)
        before.assert_nothing_kept(code="forbidden")


def test_versions_are_numbered_and_a_duplicate_of_the_latest_is_refused(draft_case, alex, sam, ledger):
    first, second = pdf_bytes("one"), pdf_bytes("two")
    document = create(draft_case, alex, content=first)
    v2 = document_add_version(document=document, upload=upload("report-v2.pdf", second), actor=sam)
    assert (v2.number, v2.uploaded_by) == (2, sam)

    before = ledger()
    with pytest.raises(DomainError) as refused:
        document_add_version(document=document, upload=upload("again.pdf", second), actor=alex)
    assert "identical to version 2" in refused.value.message
    before.assert_nothing_kept(code="duplicate")

    # Going back to an earlier file is a change, so it is a new version.
    v3 = document_add_version(document=document, upload=upload("report.pdf", first), actor=alex)
    assert [v.number for v in document.versions.order_by("number")] == [1, 2, 3]
    assert v3.sha256 == document.versions.get(number=1).sha256


def test_a_version_is_never_overwritten_or_deleted(draft_case, alex):
    version = create(draft_case, alex).versions.get()
    version.size = 1
    with pytest.raises(ImmutableError):
        version.save()
    with pytest.raises(ImmutableError):
        version.delete()


def test_only_the_authoring_side_adds_versions(case, alex, dod_reviewer, treasury_reviewer, ledger):
    firm_doc = case.documents.get(kind=DocumentKind.SYSTEM_CARD)
    working = create(case, dod_reviewer, visibility="government")
    for actor, document in ((dod_reviewer, firm_doc), (alex, working), (treasury_reviewer, working)):
        before = ledger()
        with pytest.raises(DomainError, match="Only the firm versions its documentation"):
            document_add_version(document=document, upload=pdf(), actor=actor)
        before.assert_nothing_kept(code="forbidden")


@pytest.mark.parametrize("end", ["closed", "withdrawn"])
def test_closed_and_withdrawn_cases_take_no_uploads(case, alex, dod_reviewer, ledger, end):
    document = case.documents.get(kind=DocumentKind.SYSTEM_CARD)
    case = close_case(case) if end == "closed" else withdraw_case(case, alex)
    for actor in (alex, dod_reviewer):
        before = ledger()
        with pytest.raises(DomainError, match=re.escape(f"is {case.get_state_display().lower()}: it is read-only")):
            create(case, actor)
        before.assert_nothing_kept(code="read_only")
        if actor == alex:
            before = ledger()
            with pytest.raises(DomainError, match="it is read-only"):
                document_add_version(document=document, upload=pdf(), actor=actor)
            before.assert_nothing_kept(code="read_only")


def test_names_are_cleaned_for_display_and_never_used_for_storage(draft_case, alex):
    hostile = "..\\..\\evil\u202eFDP\u200b\x07 \t report" + "x" * 280 + ".pdf"
    document = document_create(
        case=draft_case,
        kind=DocumentKind.OTHER,
        title="  Odd   name ",
        marking=Marking.PROPRIETARY,
        upload=upload("x.pdf", pdf_bytes()),
        actor=alex,
    )
    assert document.title == "Odd name"
    # A plain File keeps whatever name it was given (no basename, no truncation): the service cleans it.
    raw = File(_BytesFile(pdf_bytes("raw")), name=hostile)
    version = document_add_version(document=document, upload=raw, actor=alex)
    name = version.original_name
    assert name.startswith("evilFDP report")
    assert name.endswith(".pdf")
    assert len(name) <= 200
    assert not any(ch in name for ch in "\\/\u202e\u200b\x07\t")
    assert "evil" not in version.file.name


class _BytesFile:
    """A minimal binary file object."""

    def __init__(self, data: bytes) -> None:
        import io

        self._io = io.BytesIO(data)
        self.size = len(data)

    def read(self, *args):
        return self._io.read(*args)

    def seek(self, *args):
        return self._io.seek(*args)

    def tell(self):
        return self._io.tell()


def test_case_precondition_sees_the_firms_documents(alex, coordinator):
    # The case is submitted only because the system card and access instructions are there.
    case = make_case(alex, state="in_review", agencies=("dod",), coordinator=coordinator, uploaded=True)
    assert case.state == "in_review"
    kinds = set(Document.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == {DocumentKind.SYSTEM_CARD, DocumentKind.ACCESS_INSTRUCTIONS}
    assert DocumentVersion.objects.filter(document__case=case).count() == 2


def test_the_refusal_is_recorded_outside_the_failed_transaction(draft_case, alex):
    """The duplicate is found inside the transaction that would store the version; that transaction
    rolls back, and the refusal is written after it, one level out, so it survives."""
    document = draft_case.documents.get(kind=DocumentKind.SYSTEM_CARD)
    depth: dict[str, int] = {}

    def spy(sender, instance, created, **kwargs):
        depth[instance.action] = len(connection.savepoint_ids)

    post_save.connect(spy, sender=AuditEvent)
    try:
        content = pdf_bytes("v2")
        document_add_version(document=document, upload=upload("v2.pdf", content), actor=alex)
        with pytest.raises(DomainError, match="identical to version 2"):
            document_add_version(document=document, upload=upload("v2-again.pdf", content), actor=alex)
    finally:
        post_save.disconnect(spy, sender=AuditEvent)
    assert depth["document.upload_refused"] == depth["document.version_added"] - 1
    assert document.versions.count() == 2
