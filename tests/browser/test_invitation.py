"""Invitation-only accounts with a second factor, in the browser: an invited liaison goes from the
link in their email through password, TOTP enrolment and recovery codes to their first real
sign-in, reading the TOTP secret off the page as an authenticator app would."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from audit.models import AuditEvent
from invitations.services import invitation_create
from tests.browser.conftest import field
from tests.builders import totp_code

pytestmark = pytest.mark.browser

NEWCOMER = "jordan.lee@northwind.test"
PASSWORD = "lantern-orchid-basalt-41"


def test_an_invited_liaison_sets_a_password_enrols_totp_and_signs_in(alex, open_page, check_page, totp, mailoutbox):
    # Northwind's firm admin invites a liaison (the invitation form has its own tests).
    invitation, _token = invitation_create(email=NEWCOMER, actor=alex, firm=alex.firm_membership.firm)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [NEWCOMER]
    link = re.search(r"https?://\S+/invitations/accept/\S+/", mailoutbox[0].body).group(0)

    page = open_page()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Accept your invitation")
    expect(page.get_by_role("main")).to_contain_text(f"invited {NEWCOMER}")
    expect(page.get_by_role("main")).to_contain_text("Northwind AI")
    check_page(page, "accept-invitation")

    # Mismatched passwords: the error is next to the field and no account is created.
    field(page, "Full name").fill("Jordan Lee")
    field(page, "Password").fill(PASSWORD)
    field(page, "Password again").fill(PASSWORD + "x")
    page.get_by_role("button", name="Create my account").click()
    expect(field(page, "Password again")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("main")).to_contain_text("The two passwords are not the same.")
    check_page(page, "accept-invitation-error")
    assert not User.objects.filter(email=NEWCOMER).exists()

    field(page, "Password").fill(PASSWORD)
    field(page, "Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()

    # Held at enrolment: a second factor is required before anything else.
    expect(page.get_by_role("heading", level=1)).to_have_text("Account security")
    expect(page.get_by_role("alert")).to_contain_text("Set up a second factor to continue.")
    check_page(page, "mfa-required")
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Account security")

    page.get_by_role("link", name="Set up an authenticator app").click()
    # allauth 65.22 asks for the password again before a second factor is added: the password
    # the invitee has just chosen does not count as a re-authentication. (If the accept step comes
    # to count as one, this page is skipped.)
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile("Confirm it is you|Set up an authenticator app"))
    if heading.inner_text() == "Confirm it is you":
        check_page(page, "confirm-password")
        field(page, "Password").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    check_page(page, "totp-setup")
    secret = page.locator("code#totp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret

    # A wrong code is refused, and nothing is enrolled.
    field(page, "Authenticator code").fill("000000" if totp_code(secret) != "000000" else "111111")
    page.get_by_role("button", name="Turn on").click()
    expect(field(page, "Authenticator code")).to_have_attribute("aria-invalid", "true")
    check_page(page, "totp-setup-wrong-code")

    secret = page.locator("code#totp-secret").inner_text().strip()
    field(page, "Authenticator code").fill(totp(secret))
    page.get_by_role("button", name="Turn on").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery Codes")
    codes = field(page, "Unused codes").input_value().split()
    assert len(codes) >= 10
    check_page(page, "recovery-codes")

    user = User.objects.get(email=NEWCOMER)
    assert user.get_full_name() == "Jordan Lee"
    invitation.refresh_from_db()
    assert invitation.accepted_user == user
    assert {"invitation.accepted", "mfa.authenticator_added"} <= set(
        AuditEvent.objects.filter(actor=user).values_list("action", flat=True)
    )

    # Enrolled, the dashboard opens; then sign out.
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    check_page(page, "first-dashboard")
    page.get_by_role("navigation", name="Primary navigation").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    check_page(page, "signed-out")

    # Sign in again: password, then a fresh code from the app (the enrolment code was used).
    field(page, "Email").fill(NEWCOMER)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your second factor")
    check_page(page, "second-factor")
    field(page, "Code").fill(totp(secret))
    page.get_by_role("main").get_by_role("button", name="Sign in").first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page.get_by_role("main")).to_contain_text("Northwind AI: your review cases")
    expect(page.get_by_role("navigation", name="Primary navigation")).to_contain_text("Jordan Lee")
    check_page(page, "dashboard")
    assert list(
        AuditEvent.objects.filter(actor=user, action__in=["auth.login", "auth.logout"])
        .values_list("action", flat=True)
        .order_by("id")
    )[-2:] == ["auth.logout", "auth.login"]
