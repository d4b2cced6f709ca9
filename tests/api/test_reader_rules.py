"""What the API answers a reader is what the pages show that reader: each test tries a read the
pages withhold, as the reader they withhold it from, and expects it withheld in the API too (the
same rule answering both), and shown to a reader the pages show it to."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.base import ContentFile

from api import serializers as s
from cases.models import ReviewCase
from documents.models import DocumentVersion
from documents.services import document_version_retract
from tests import builders

pytestmark = pytest.mark.django_db
JSON = "application/json"

SAFEGUARDS = "SAFEGUARD-MARKER classifier v7 with the jailbreak filter off"
ACCESS = "ACCESS-MARKER vpn.northwind.example, user eval-1"
CONFIGURATION = {
    "fingerprint": "FINGERPRINT-MARKER",
    "safeguard_version": "GUARDVERSION-MARKER",
    "access_method": "METHOD-MARKER",
    "notes": "NOTES-MARKER",
}
MARKERS = (
    "SAFEGUARD-MARKER",
    "ACCESS-MARKER",
    "FINGERPRINT-MARKER",
    "GUARDVERSION-MARKER",
    "METHOD-MARKER",
    "NOTES-MARKER",
)


def _operational(case: ReviewCase) -> None:
    ReviewCase.objects.filter(pk=case.pk).update(safeguard_configuration=SAFEGUARDS, evaluator_access=ACCESS)
    builders.add_configuration(case, name="Agent sandbox", snapshot="sandbox-2026-11", **CONFIGURATION)


# --- coordinators: case metadata, not the firm's operational detail --------------------------------


def test_a_coordinator_reads_case_metadata_not_the_firms_operational_detail(
    api_for, client_for, alex, coordinator, case, dod_reviewer
):
    """The case page and the configurations page show a coordinator the case's metadata (dates,
    partners, snapshots) but not its safeguard configuration, how evaluators get access, nor a
    configuration's safeguard version, access method, fingerprint and notes
    (``cases.policy.operational_detail_shown_to``). The API answered them all."""
    _operational(case)
    submitted = builders.make_case(alex, state="submitted", coordinator=coordinator)
    _operational(submitted)

    api = api_for(coordinator, scope="read")
    answers = {
        "list": api.get("/api/v1/cases/"),
        "detail": api.get(f"/api/v1/cases/{case.pk}/"),
        "triage": api.get("/api/v1/triage/"),
        "configurations": api.get(f"/api/v1/cases/{case.pk}/configurations/"),
    }
    for name, response in answers.items():
        assert response.status_code == 200, name
        for marker in MARKERS:
            assert marker not in response.content.decode(), (name, marker)
    detail = answers["detail"].json()
    assert detail["safeguard_configuration"] == detail["evaluator_access"] == ""
    assert detail["trusted_partners"] == "Example partner"  # metadata stays
    assert submitted.pk in [row["id"] for row in answers["triage"].json()["results"]]
    sandbox = [row for row in answers["configurations"].json() if row["name"] == "Agent sandbox"]
    assert [row["snapshot"] for row in sandbox] == ["sandbox-2026-11"]
    assert sandbox[0]["notes"] == sandbox[0]["fingerprint"] == ""

    pages = client_for(coordinator)  # the pages withhold the same
    for url in (f"/cases/{case.pk}/", f"/cases/{case.pk}/configurations/"):
        page = pages.get(url)
        assert page.status_code == 200, url
        for marker in MARKERS:
            assert marker not in page.content.decode(), (url, marker)

    for reader in (alex, dod_reviewer):  # the firm and the reviewing agencies read it all
        api = api_for(reader, scope="read")
        text = api.get(f"/api/v1/cases/{case.pk}/").content.decode()
        text += api.get(f"/api/v1/cases/{case.pk}/configurations/").content.decode()
        for marker in MARKERS:
            assert marker in text, (reader.email, marker)


def test_a_serializer_without_its_reader_withholds(alex, case, dod_supervisor, dod_reviewer):
    """Built without ``context={"request": ...}``, a serializer answers as to the least entitled
    reader: no operational detail, a government author as their agency."""
    _operational(case)
    finding = builders.released(case, dod_reviewer, dod_supervisor, visibility="firm")
    comment = builders.comment(case, dod_supervisor, finding=finding, body="Look.", visibility="firm")
    configuration = case.configurations.get(name="Agent sandbox")

    case = ReviewCase.objects.get(pk=case.pk)
    assert s.CaseSerializer(case).data["safeguard_configuration"] == ""
    assert s.CaseSerializer(case).data["evaluator_access"] == ""
    assert s.ConfigurationSerializer(configuration).data["notes"] == ""
    assert s.CommentSerializer(comment).data["author"] == "DoD"


# --- retracted versions leave every list and download ----------------------------------------------


def _second_version(document, liaison, content: bytes) -> DocumentVersion:
    version = DocumentVersion(
        document=document,
        number=2,
        original_name="MISTAKE-secret-weights-path.txt",
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        content_type="text/plain",
        uploaded_by=liaison,
    )
    version.file.save("test/mistake.txt", ContentFile(content), save=False)
    version.save()
    return version


def test_a_retracted_version_is_neither_listed_nor_downloaded(api_for, client_for, alex, case, dod_reviewer):
    """The document page shows a retracted version only as "Retracted ... : reason", without its
    file name, size or sha256, and answers "not found" to its download. The API listed it with
    all of them and streamed its bytes."""
    document = builders.attach_document(case, alex, "other")
    mistake = _second_version(document, alex, b"the wrong file\n")
    document_version_retract(version=mistake, actor=alex, reason="Uploaded the wrong file.")

    for reader in (alex, dod_reviewer):
        api = api_for(reader, scope="read")
        listed = api.get(f"/api/v1/documents/{document.pk}/versions/")
        assert listed.status_code == 200
        assert [row["number"] for row in listed.json()["results"]] == [1], reader.email
        assert "MISTAKE" not in listed.content.decode()
        assert mistake.sha256 not in listed.content.decode()
        gone = api.get(f"/api/v1/documents/{document.pk}/versions/2/download/")
        missing = api.get(f"/api/v1/documents/{document.pk}/versions/9/download/")
        assert gone.status_code == missing.status_code == 404, reader.email
        assert api.get(f"/api/v1/documents/{document.pk}/versions/1/download/").status_code == 200
        page = client_for(reader).get(f"/documents/{document.pk}/versions/2/download/")
        assert page.status_code == 404  # the page's answer, for the same rule


def test_a_document_whose_every_version_is_retracted_leaves_the_case_list(api_for, alex, case, dod_reviewer):
    """The case's documents page lists a document only while a version of it counts."""
    document = builders.attach_document(case, alex, "other")
    document_version_retract(version=document.versions.get(), actor=alex, reason="Wrong case.")
    for reader in (alex, dod_reviewer):
        listed = api_for(reader, scope="read").get(f"/api/v1/cases/{case.pk}/documents/").json()["results"]
        assert document.pk not in [row["id"] for row in listed], reader.email
        assert listed, "the case's other documents are still listed"


def test_a_retracted_version_cannot_be_attached_to_a_response(api_for, alex, case, dod_reviewer, dod_supervisor):
    """The response form offers live versions only; the API took a retracted one's id."""
    finding = builders.released(case, dod_reviewer, dod_supervisor, visibility="firm")
    document = builders.attach_document(case, alex, "other")
    mistake = _second_version(document, alex, b"the wrong file\n")
    document_version_retract(version=mistake, actor=alex, reason="Uploaded the wrong file.")
    answer = api_for(alex).post(
        f"/api/v1/findings/{finding.pk}/respond/",
        {"choice": "acknowledged", "text": "Noted.", "documents": [mistake.pk]},
        content_type=JSON,
    )
    assert answer.status_code == 400
    assert answer.json() == {"documents": ["No such document version, or it is not yours to see."]}


# --- assigning reviewers names nobody outside the supervisor's agency ------------------------------


def test_assigning_reviewers_reveals_no_other_account(api_for, alex, case, dod_supervisor, treasury_reviewer):
    """The assign page offers the supervisor's own agency's active members only. The API looked up
    any account id: a missing one answered "No such person.", an existing one the refusal naming
    its email address, so a supervisor could list every account's address by id."""
    api = api_for(dod_supervisor)
    url = f"/api/v1/cases/{case.pk}/assign-reviewers/"
    answers = [api.post(url, {"reviewers": [person.pk]}, content_type=JSON) for person in (alex, treasury_reviewer)]
    answers.append(api.post(url, {"reviewers": [10**9]}, content_type=JSON))
    for answer in answers:
        assert answer.status_code == 400
        assert answer.json() == {"reviewers": ["No such reviewer of your agency."]}
    for person in (alex, treasury_reviewer):
        assert person.email not in str([a.content for a in answers])

    not_theirs = api_for(alex).post(url, {"reviewers": [alex.pk]}, content_type=JSON)
    assert not_theirs.status_code == 403  # the role's refusal comes first, as from the service
