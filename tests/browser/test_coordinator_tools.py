"""The program office's tools at scale: the audit log filtered by days and a known action, and the
filtered view exported as CSV (audited); the accounts page with its filters."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from audit.models import AuditEvent
from tests import builders
from tests.browser.conftest import field

pytestmark = pytest.mark.browser


def test_audit_log_filtered_and_exported(open_page, check_page, coordinator, alex):
    last_week = timezone.now() - datetime.timedelta(days=7)
    with time_machine.travel(last_week, tick=False):
        old = builders.make_case(alex, state="submitted")
    new = builders.make_case(alex, state="submitted")
    today = timezone.localdate()

    page = open_page(coordinator)
    check_page(page, "dashboard")
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    check_page(page, "audit-log")

    field(page, "From").fill(today.isoformat())
    field(page, "To").fill(today.isoformat())
    field(page, "Action").select_option("case.submitted")
    page.get_by_role("button", name="Apply filters").click()
    main = page.get_by_role("main")
    expect(main).to_contain_text("1 event.")
    expect(main).to_contain_text(f"case {new.reference}")
    expect(page.get_by_role("table")).not_to_contain_text(old.reference)
    check_page(page, "audit-log-filtered", docs="audit-log.png")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export these events (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == "checkpoint-audit-log.csv"
    rows = list(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8"))))
    assert [row[2:5] for row in rows[1:]] == [["case.submitted", new.reference, f"case {new.reference}"]]
    assert rows[1][0].startswith(today.isoformat() + "T")
    export = AuditEvent.objects.get(action="audit.exported")
    assert export.actor == coordinator
    assert export.data["filters"]["action"] == "case.submitted"
    assert export.data["rows"] == 1


def test_accounts_page_with_filters(open_page, check_page, coordinator, alex, sam, dod_reviewer):
    page = open_page(coordinator)
    check_page(page, "dashboard")
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Accounts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accounts")
    check_page(page, "accounts", docs="accounts.png")

    field(page, "Role").select_option("liaison")
    page.get_by_role("button", name="Apply filters").click()
    table = page.get_by_role("table")
    expect(table).to_contain_text(sam.email)
    expect(table).not_to_contain_text(alex.email)
    expect(table).not_to_contain_text(dod_reviewer.email)
    check_page(page, "accounts-filtered")
