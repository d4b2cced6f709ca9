"""A version uploaded by mistake is retracted with a reason: it leaves every list and download, for
every role, and stays in storage and in the audit log; the document page shows the retraction.
A firm answering a finding attaches a new document from the response form."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.urls import reverse

from audit.actions import AuditAction
from documents.models import DocumentVersion, VersionRetraction
from documents.services import document_version_retract
from findings.models import FindingResponse
from tests import builders
from tests.assertions import audit_events, refused
from tests.web.support import follow, text, words

READ_ONLY = "read_only"


def test_a_retracted_version_leaves_every_list_and_download(
    client_for, case, alex, sam, dod_reviewer, treasury_supervisor, dod_supervisor
):
    document = builders.attach_document(case, sam, "evaluation_report")
    version = document.versions.get()
    finding = builders.draft(case, dod_reviewer, related_versions=[version])
    detail = reverse("documents:detail", args=[document.pk])
    download = reverse("documents:download", args=[document.pk, 1])
    readers = [client_for(person) for person in (alex, sam, dod_reviewer, treasury_supervisor)]
    for reader in readers:
        assert reader.get(download).status_code == 200

    uploader = client_for(sam)
    page = text(uploader.get(detail))
    assert f"Retract version 1 of {document.title}" in page
    retract = reverse("documents:retract", args=[document.pk, 1])
    response = uploader.post(retract, {"reason": "Wrong file: the draft, not the final report."})
    assert response.status_code == 200  # not confirmed: nothing changes
    assert not VersionRetraction.objects.exists()
    response = uploader.post(retract, {"reason": "Wrong file: the draft, not the final report.", "confirm": "on"})
    assert "Version 1 of Evaluation Report is retracted" in text(follow(uploader, response))

    for reader in readers:
        assert reader.get(download).status_code == 404
        assert document.title not in text(reader.get(reverse("cases:detail", args=[case.pk])))
        assert document.title not in text(reader.get(reverse("documents:case_documents", args=[case.pk])))
        page = text(reader.get(detail))
        assert "Retracted</strong> on" in page
        assert "Wrong file: the draft, not the final report." in page
        assert download not in page
    finding_page = text(client_for(dod_reviewer).get(reverse("findings:detail", args=[finding.pk])))
    assert f"{document.title}</a>, version 1" not in finding_page
    assert f"{document.title}, version 1" not in text(
        client_for(dod_reviewer).get(reverse("findings:create", args=[case.pk]))
    )
    # Kept: the row, the file, the upload's record and the retraction's.
    assert DocumentVersion.objects.filter(pk=version.pk).exists()
    assert default_storage.exists(version.file.name)
    [event] = audit_events(AuditAction.DOCUMENT_VERSION_RETRACTED)
    assert event.actor == sam
    assert event.data["number"] == 1
    assert "retracted version 1 of a document" in words(client_for(alex).get(reverse("cases:detail", args=[case.pk])))


def test_who_may_retract(case, alex, sam, dod_reviewer, dod_supervisor, treasury_supervisor):
    firm_version = builders.attach_document(case, alex, "other").versions.get()
    working = builders.working_file(case, dod_reviewer, "dod", visibility="government")
    rule = (
        "A version is retracted by whoever uploaded it, a supervisor of the agency whose working file it is, "
        "or an admin of the firm whose document it is."
    )
    with refused(rule):
        document_version_retract(version=firm_version, actor=sam, reason="Not mine.")
    with refused(rule):
        document_version_retract(version=firm_version, actor=dod_supervisor, reason="Not ours.")
    with refused(rule):
        document_version_retract(version=working, actor=treasury_supervisor, reason="Not ours.")
    with refused("Say why the version is retracted: its readers will see your reason."):
        document_version_retract(version=working, actor=dod_supervisor, reason="  ")
    document_version_retract(version=working, actor=dod_supervisor, reason="Duplicate of the shared notes.")
    with refused(f"Version 1 of {working.document.title} is already retracted."):
        document_version_retract(version=working, actor=dod_reviewer, reason="Again.")
    own = builders.attach_document(case, sam, "red_team_report").versions.get()
    document_version_retract(version=own, actor=alex, reason="Sam uploaded it twice.")  # the firm admin
    assert VersionRetraction.objects.count() == 2


def test_retracting_the_only_system_card_puts_it_back_on_the_checklist(client_for, alex):
    case = builders.make_case(alex, state="draft")
    card = builders.attach_document(case, alex, "system_card").versions.get()
    builders.attach_document(case, alex, "access_instructions")
    document_version_retract(version=card, actor=alex, reason="The card of another model.")
    page = text(client_for(alex).get(reverse("cases:submit", args=[case.pk])))
    assert f"Before submitting {case.reference}, add a system card." in page


def test_a_closed_case_takes_no_retraction(case, alex):
    version = builders.attach_document(case, alex, "other").versions.get()
    builders.close_case(case)
    with refused(f"Case {case.reference} is closed (review concluded): it is read-only."):
        document_version_retract(version=version, actor=alex, reason="Too late.")


def test_the_firm_attaches_a_new_document_when_it_responds(client_for, case, alex, dod_reviewer, dod_supervisor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    finding = builders.released(case, dod_reviewer, dod_supervisor, visibility="firm")
    liaison = client_for(alex)
    detail = reverse("findings:detail", args=[finding.pk])
    page = text(liaison.get(detail))
    assert 'enctype="multipart/form-data"' in page
    assert "Attach a new document: its title" in page
    respond = reverse("findings:respond", args=[finding.pk])
    fields = {"choice": "mitigated", "text": "Fixed; the retest is attached."}
    notes = SimpleUploadedFile("retest.md", b"# Retest\n\n40 of 40 prompts refused.\n", content_type="text/markdown")
    response = liaison.post(respond, fields | {"new_document": notes})  # a file without a title
    assert response.status_code == 400
    assert "Give the attached document a title." in text(response)
    assert not FindingResponse.objects.exists()
    notes.seek(0)
    response = liaison.post(
        respond, fields | {"new_document": notes, "new_document_title": "Retest results", "new_document_kind": "other"}
    )
    assert response.status_code == 302
    answer = FindingResponse.objects.get()
    [version] = answer.documents.all()
    assert version.document.title == "Retest results"
    assert version.document.agency is None  # the firm's documentation, read by the assigned agencies
    assert "Retest results v1" in text(client_for(dod_reviewer).get(detail))
