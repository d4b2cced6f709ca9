"""A person runs their own account: changes their password from the account menu, and signs out
the sessions they left open elsewhere."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import SignedInSession
from audit.models import AuditEvent
from tests.browser.conftest import field
from tests.builders import PASSWORD

pytestmark = pytest.mark.browser


def test_password_change_from_the_account_menu(open_page, check_page, alex):
    page = open_page(alex)
    check_page(page, "dashboard")
    page.get_by_role("navigation", name="Primary navigation").get_by_role("link", name="Change password").click()
    # Changing how one signs in asks for the password again first.
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    check_page(page, "confirm-it-is-you")
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    check_page(page, "password-change")

    # A wrong current password: said next to the field, nothing changes.
    field(page, "Current Password").fill("not-my-password")
    field(page, "New Password").fill("a-new-long-passphrase-2026")
    field(page, "New Password (again)").fill("a-new-long-passphrase-2026")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("main")).to_contain_text("Please type your current password.")
    check_page(page, "password-change-refused")
    alex.refresh_from_db()
    assert alex.check_password(PASSWORD)

    field(page, "Current Password").fill(PASSWORD)
    field(page, "New Password").fill("a-new-long-passphrase-2026")
    field(page, "New Password (again)").fill("a-new-long-passphrase-2026")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("main")).to_contain_text("Password successfully changed.")
    check_page(page, "password-changed")
    alex.refresh_from_db()
    assert alex.check_password("a-new-long-passphrase-2026")
    assert AuditEvent.objects.filter(action="auth.password_changed", actor=alex).exists()

    # Account security, titled so, leads here and to the sessions; signing out stays in the header.
    page.get_by_role("link", name="Account security", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Account security")
    expect(page.get_by_role("main").get_by_role("button", name="Sign out")).to_have_count(0)
    check_page(page, "account-security", docs="account-security.png")


def test_ending_other_sessions(open_page, check_page, alex):
    laptop = open_page(alex)
    phone = open_page(alex)
    check_page(phone, "phone-dashboard")

    laptop.get_by_role("link", name="Account security", exact=True).click()
    check_page(laptop, "account-security")
    laptop.get_by_role("link", name="Your sessions").click()
    expect(laptop.get_by_role("heading", level=1)).to_have_text("Your sessions")
    rows = laptop.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("This session")
    expect(laptop.get_by_role("main")).to_contain_text("You are signed in 1 other time.")
    check_page(laptop, "sessions", docs="own-sessions.png")

    laptop.get_by_role("button", name="Sign out everywhere else").click()
    expect(laptop.get_by_role("main")).to_contain_text("Signed out of 1 other session. This one stays signed in.")
    expect(rows).to_have_count(1)
    check_page(laptop, "sessions-after")
    assert SignedInSession.objects.filter(user=alex).count() == 1

    phone.reload()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Sign in")
    check_page(phone, "phone-signed-out")
    laptop.goto("/")
    expect(laptop.get_by_role("heading", level=1)).to_have_text("Dashboard")
    check_page(laptop, "laptop-still-signed-in")
