"""The closeout record: stored once per audience as the case closes, from what that audience may
see; HTML and PDF with the marking on every page, page numbers and its own sha256; downloads
audited; verify_documents covers it; never regenerated. Open cases: an interim report on demand."""

from __future__ import annotations

import hashlib
import io
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.test import TestCase
from pypdf import PdfReader

from audit.models import AuditEvent
from cases.models import Closeout
from cases.services import case_move_sharing_date
from core.errors import DomainError
from documents.services import document_add_version, document_version_retract
from findings.services import finding_withdraw
from records.models import Audience, CloseoutRecord, ImmutableRecordError
from records.rendering import HASH_LINE_TOKEN, record_sha256, without_hash_line
from records.services import closeout_records_store, record_pdf_store
from records.tasks import render_record_pdf
from tests import builders
from workflow.services import closeout_decide

pytestmark = pytest.mark.django_db

NOT_A_PERMISSION = "A concluded review is not a permission to deploy"


@pytest.fixture
def review(alex, coordinator, dod_reviewer, dod_supervisor, treasury_reviewer, treasury_supervisor):
    """Northwind's case reviewed by DoD and Treasury, with findings at every visibility."""
    case = builders.make_case(
        alex,
        state="in_review",
        agencies=("dod", "treasury"),
        coordinator=coordinator,
        reviewers={dod_supervisor: dod_reviewer, treasury_supervisor: treasury_reviewer},
    )
    case_move_sharing_date(case=case, actor=alex, new_sharing_date=builders.days(25), reason="Partner asked for a week")
    firm = builders.responded(case, dod_reviewer, dod_supervisor, alex)
    firm.refresh_from_db()
    government = builders.released(
        case, dod_reviewer, dod_supervisor, visibility="government", title="Gov-wide jailbreak note"
    )
    dod_only = builders.released(case, dod_reviewer, dod_reviewer, visibility="agency", title="DoD eyes-only probe")
    treasury_only = builders.released(
        case, treasury_reviewer, treasury_reviewer, visibility="agency", title="Treasury ledger probe"
    )
    # Treasury withdraws its own finding before the closeout (the requester cannot see it to carry it).
    finding_withdraw(finding=treasury_only, actor=treasury_reviewer, reason="Superseded by a retest")
    dod_draft = builders.draft(case, dod_reviewer, title="DoD unfinished draft")
    working = builders.working_file(case, dod_reviewer, "dod")
    open_ids = [firm.pk, government.pk, dod_only.pk]
    closeout = builders.request_closeout(
        case,
        dod_reviewer,
        carried_forward={pk: f"Reason {pk}: the firm declined, which is its right." for pk in open_ids},
    )
    return {
        "case": case,
        "closeout": closeout,
        "firm": firm,
        "government": government,
        "dod_only": dod_only,
        "treasury_only": treasury_only,
        "dod_draft": dod_draft,
        "working": working,
    }


def close(review, dod_supervisor, treasury_supervisor, *, pdfs=False):
    """Close the case; with ``pdfs``, draw the four PDFs as the worker's task does (a few seconds).
    (Tasks run in-process in the tests, so closing queues none: see records.services._queue_pdfs.)"""
    with TestCase.captureOnCommitCallbacks(execute=True):
        closeout_decide(
            closeout=review["closeout"], actor=dod_supervisor, approve=True, statement="DoD statement: done."
        )
        closeout_decide(
            closeout=review["closeout"], actor=treasury_supervisor, approve=True, statement="Treasury statement: done."
        )
    review["case"].refresh_from_db()
    records = CloseoutRecord.objects.filter(case=review["case"]).select_related("agency")
    if pdfs:
        for record in records:
            assert render_record_pdf(record.pk) is True
    return {
        (r.audience, r.agency.code if r.agency else None): r
        for r in CloseoutRecord.objects.filter(case=review["case"]).select_related("agency")
    }


def pdf_pages(record) -> list[str]:
    with default_storage.open(record.pdf.name, "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def test_each_audience_gets_its_own_record_with_what_it_may_see(review, dod_supervisor, treasury_supervisor):
    records = close(review, dod_supervisor, treasury_supervisor, pdfs=True)
    assert set(records) == {("firm", None), ("government", None), ("agency", "dod"), ("agency", "treasury")}
    case = review["case"]
    titles = {name: review[name].title for name in ("firm", "government", "dod_only", "treasury_only", "dod_draft")}
    expected = {
        ("firm", None): {"firm"},
        ("government", None): {"firm", "government"},
        ("agency", "dod"): {"firm", "government", "dod_only"},
        ("agency", "treasury"): {"firm", "government", "treasury_only"},
    }
    for key, record in records.items():
        assert record.pdf, key  # drawn by the task
        pages = pdf_pages(record)
        text = " ".join(pages)
        for name, title in titles.items():
            assert (title in text) == (name in expected[key]), (key, name)
        assert case.reference in text
        assert NOT_A_PERMISSION in text
        assert f"Record sha256: {record.sha256}" in text.replace(" ", " ") or record.sha256 in text.replace(" ", "")
        assert "Partner asked for a week" in text  # the sharing date's move, with its reason
        assert "DoD statement: done." in text
        assert "Treasury statement: done." in text
        for number, page in enumerate(pages, start=1):
            assert "PROPRIETARY" in page, (key, number)  # the marking on every page
            assert f"Page {number} of {len(pages)}" in page, (key, number)
        assert "INTERIM" not in text
    firm_text = " ".join(pdf_pages(records[("firm", None)]))
    assert review["firm"].responses.get().text in firm_text  # the firm's response
    assert f"Reason {review['firm'].pk}" in firm_text  # carried forward, and why
    assert f"Reason {review['dod_only'].pk}" not in firm_text
    assert review["working"].sha256 not in firm_text  # DoD's working file stays in DoD
    dod_text = "".join(pdf_pages(records[("agency", "dod")])).replace(" ", "")
    assert review["working"].sha256 in dod_text
    assert case.documents.get(kind="system_card").versions.get().sha256 in dod_text


def test_a_retracted_version_is_in_no_record(review, alex, dod_supervisor, treasury_supervisor):
    card = review["case"].documents.get(kind="system_card")
    mistaken = document_add_version(document=card, upload=builders.pdf("mistake.pdf", "by mistake"), actor=alex)
    document_version_retract(version=mistaken, actor=alex, reason="Wrong file")
    records = close(review, dod_supervisor, treasury_supervisor, pdfs=True)
    kept = card.versions.get(number=1).sha256
    for key, record in records.items():
        text = "".join(pdf_pages(record)).replace(" ", "")
        assert mistaken.sha256 not in text, key
        assert kept in text, key


def test_the_stored_sha256_is_the_one_printed_and_the_files_match(review, dod_supervisor, treasury_supervisor):
    records = close(review, dod_supervisor, treasury_supervisor)
    for record in records.values():
        record = record_pdf_store(record=record)  # as the task does
        with default_storage.open(record.html.name, "rb") as handle:
            html = handle.read()
        assert record_sha256(html) == record.sha256 == hashlib.sha256(without_hash_line(html)).hexdigest()
        (line,) = [line for line in html.splitlines() if HASH_LINE_TOKEN in line]
        assert record.sha256.encode() in line
        with default_storage.open(record.pdf.name, "rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == record.pdf_sha256
    out = StringIO()
    call_command("verify_documents", stdout=out)
    assert "All 4 closeout records verified" in out.getvalue()


def test_a_record_is_never_regenerated(review, dod_supervisor, treasury_supervisor):
    records = close(review, dod_supervisor, treasury_supervisor)
    case = review["case"]
    before = {r.pk: (r.html.name, r.sha256, r.pdf.name) for r in records.values()}
    with pytest.raises(DomainError, match="never regenerated"):
        closeout_records_store(case=case, closeout=review["closeout"], actor=dod_supervisor)
    with pytest.raises(DomainError):
        closeout_decide(closeout=Closeout.objects.get(pk=review["closeout"].pk), actor=dod_supervisor, approve=True)
    record = records[("firm", None)]
    assert not record.pdf  # the commit's task did not run here: the first call draws it, the second keeps it
    drawn = record_pdf_store(record=record)
    assert record_pdf_store(record=drawn).pdf.name == drawn.pdf.name
    before[record.pk] = (*before[record.pk][:2], drawn.pdf.name)
    with pytest.raises(ImmutableRecordError):
        record.save()
    with pytest.raises(ImmutableRecordError):
        record.delete()
    assert {r.pk: (r.html.name, r.sha256, r.pdf.name) for r in CloseoutRecord.objects.filter(case=case)} == before
    assert AuditEvent.objects.filter(case=case, action="record.stored").count() == 4


def test_verify_documents_names_an_altered_record(review, dod_supervisor, treasury_supervisor):
    record = close(review, dod_supervisor, treasury_supervisor)[("firm", None)]
    with default_storage.open(record.html.name, "rb") as handle:
        html = handle.read()
    path = default_storage.path(record.html.name)
    with open(path, "wb") as handle:
        handle.write(html.replace(b"Partner asked", b"Partner begged"))
    err = StringIO()
    with pytest.raises(CommandError, match="1 problems in 4 closeout records"):
        call_command("verify_documents", stdout=StringIO(), stderr=err)
    assert f"Closeout record {record.pk}" in err.getvalue()


def test_downloads_go_to_the_records_readers_and_are_audited(
    review, client_for, alex, kim, dod_supervisor, treasury_supervisor, treasury_reviewer, coordinator
):
    records = close(review, dod_supervisor, treasury_supervisor)
    firm, government = records[("firm", None)], records[("government", None)]
    dod, treasury = records[("agency", "dod")], records[("agency", "treasury")]
    answers = {
        alex: {firm: 200, government: 404, dod: 404, treasury: 404},
        treasury_reviewer: {firm: 200, government: 200, dod: 404, treasury: 200},
        kim: {firm: 404, government: 404, dod: 404, treasury: 404},
        coordinator: {firm: 404, government: 404, dod: 404, treasury: 404},
    }
    for user, expected in answers.items():
        client = client_for(user)
        for record, status in expected.items():
            assert client.get(f"/records/{record.pk}/").status_code == status, (user.email, record.audience_label)
    client = client_for(alex)
    response = client.get(f"/records/{firm.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    firm.refresh_from_db()  # the download drew the PDF (the commit's task did not run here)
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == firm.pdf_sha256
    html = client.get(f"/records/{firm.pk}/")
    assert "default-src 'none'" in html["Content-Security-Policy"]
    downloads = AuditEvent.objects.filter(action="record.downloaded", actor=alex, target_id=str(firm.pk))
    assert downloads.count() == 3
    page = client.get(f"/cases/{review['case'].pk}/").content.decode()
    assert f"/records/{firm.pk}/pdf/" in page
    assert f"/records/{government.pk}/" not in page


def test_an_open_case_has_an_interim_report_marked_not_a_record(review, client_for, alex, dod_reviewer, coordinator):
    case = review["case"]
    client = client_for(dod_reviewer)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/{case.pk}/report/" in page
    html = client.get(f"/cases/{case.pk}/report/").content.decode()
    assert "INTERIM — NOT A RECORD" in html
    assert review["dod_only"].title in html
    assert review["treasury_only"].title not in html
    response = client_for(alex).get(f"/cases/{case.pk}/report/pdf/")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "INTERIM" in text
    assert review["government"].title not in text
    assert review["firm"].title in text
    assert client_for(coordinator).get(f"/cases/{case.pk}/report/").status_code == 404
    assert not CloseoutRecord.objects.exists()  # drawn on demand, never stored
    assert AuditEvent.objects.filter(action="report.interim_viewed", case=case).count() == 2


def test_a_closed_case_sends_the_interim_report_to_its_records(
    review, client_for, alex, dod_supervisor, treasury_supervisor
):
    close(review, dod_supervisor, treasury_supervisor)
    response = client_for(alex).get(f"/cases/{review['case'].pk}/report/", follow=True)
    assert response.redirect_chain[-1][0] == f"/cases/{review['case'].pk}/"
    assert "closeout records are stored" in response.content.decode()


def test_the_audience_labels():
    assert Audience.GOVERNMENT.label.startswith("The government")


def test_closing_queues_each_pdf_for_a_worker(review, dod_supervisor, treasury_supervisor, settings, monkeypatch):
    """In production (tasks on a worker) the commit hands each record's PDF to the worker."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    queued = []
    monkeypatch.setattr(render_record_pdf, "delay", queued.append)
    records = close(review, dod_supervisor, treasury_supervisor)
    assert sorted(queued) == sorted(r.pk for r in records.values())
