"""The closeout record and the interim report in the browser: linked from the case page, readable
with print styles, checked with axe. Refreshes docs/screenshots/closeout-record.png."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from playwright.sync_api import expect

from records.models import CloseoutRecord
from records.services import record_pdf_store
from tests import builders
from tests.browser.conftest import DOCS_SCREENSHOTS, SCREENSHOTS, UPDATE_DOCS

pytestmark = pytest.mark.browser


def first_page_png(record) -> None:
    """The first page of the record's PDF as a picture: test-artifacts/, and the README's with
    UPDATE_DOCS_SCREENSHOTS=1."""
    import pypdfium2

    with default_storage.open(record.pdf.name, "rb") as handle:
        pdf = pypdfium2.PdfDocument(handle.read())
    image = pdf[0].render(scale=1.4).to_pil()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    image.save(SCREENSHOTS / "closeout-record-firm-page-1.png")
    if UPDATE_DOCS:
        image.save(DOCS_SCREENSHOTS / "closeout-record.png")


def test_a_liaison_reads_the_firms_closeout_record(
    open_page, check_page, alex, coordinator, dod_reviewer, dod_supervisor
):
    case = builders.make_case(
        alex, state="in_review", agencies=("dod",), coordinator=coordinator, reviewers={dod_supervisor: dod_reviewer}
    )
    finding = builders.responded(case, dod_reviewer, dod_supervisor, alex)
    closeout = builders.request_closeout(case, dod_reviewer, carried_forward={finding.pk: "The firm declined to act."})
    builders.close_case(case, closeout=closeout)
    record = CloseoutRecord.objects.get(case=case, audience="firm")
    open_case = builders.make_case(
        alex, state="in_review", agencies=("dod",), coordinator=coordinator, reviewers={dod_supervisor: dod_reviewer}
    )

    # The record's HTML holds no script (its Content-Security-Policy says so): axe is let in.
    page = open_page(alex, bypass_csp=True)
    check_page(page, "liaison-dashboard")
    page.goto(f"/cases/{case.pk}/")
    expect(page.get_by_role("heading", name="Closeout records")).to_be_visible()
    check_page(page, "case-with-records")
    page.get_by_role("link", name="HTML record for The firm").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Closeout record: {case.reference}")
    expect(page.get_by_text("A concluded review is not a permission to deploy")).to_be_visible()
    expect(page.get_by_text(f"Record sha256: {record.sha256}")).to_be_visible()
    page.emulate_media(media="print")
    check_page(page, "closeout-record-firm")
    first_page_png(record_pdf_store(record=record))

    page.emulate_media(media="screen")
    page.goto(f"/cases/{open_case.pk}/")
    check_page(page, "open-case-with-report")
    page.get_by_role("link", name="HTML", exact=True).click()
    expect(page.get_by_text("INTERIM — NOT A RECORD", exact=False).first).to_be_visible()
    check_page(page, "interim-report")
