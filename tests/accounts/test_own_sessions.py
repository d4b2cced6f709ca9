"""A person's own sessions: the list, "sign out everywhere else", and a password change that ends
the other sessions; the account menu leads to both."""

from __future__ import annotations

import pytest

from accounts.models import SignedInSession
from audit.models import AuditEvent
from tests.accounts.test_mfa import reauthenticate
from tests.builders import PASSWORD

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def test_the_sessions_page_lists_ones_own_sessions_only(client_for, alex, sam):
    laptop = client_for(alex)
    client_for(alex)  # a second device
    client_for(sam)

    page = laptop.get("/accounts/sessions/").content.decode()

    assert page.count("<tr>") == 3  # header and alex's two sessions; never sam's
    assert "This session" in page
    assert "You are signed in 1 other time." in page
    assert SignedInSession.objects.filter(user=alex).count() == 2


def test_a_session_remembers_where_it_signed_in(client, alex):
    client.post(
        "/accounts/login/", {"login": alex.email, "password": PASSWORD}, HTTP_USER_AGENT=BROWSER
    )  # the password step; alex has no second factor in this test, so the demo-less MFA rule applies later
    session = SignedInSession.objects.get(user=alex)

    assert session.get_decoded()["checkpoint_session_client"] == {"ip": "127.0.0.1", "browser": "Firefox on Linux"}


def test_sign_out_everywhere_else_ends_the_other_sessions_and_keeps_this_one(client_for, alex, sam):
    laptop, phone, tablet = client_for(alex), client_for(alex), client_for(alex)
    sams = client_for(sam)

    response = laptop.post("/accounts/sessions/", follow=True)

    assert "Signed out of 2 other sessions. This one stays signed in." in response.content.decode()
    assert laptop.get("/").status_code == 200
    assert phone.get("/")["Location"].startswith("/accounts/login/")
    assert tablet.get("/")["Location"].startswith("/accounts/login/")
    assert sams.get("/").status_code == 200
    event = AuditEvent.objects.get(action="auth.other_sessions_ended")
    assert (event.actor_id, event.data) == (alex.pk, {"sessions_ended": 2})


def test_sign_out_everywhere_else_with_no_other_session_says_so(client_for, alex):
    response = client_for(alex).post("/accounts/sessions/", follow=True)

    assert "You had no other session" in response.content.decode()


def test_the_sessions_page_needs_a_signed_in_person(client):
    assert client.get("/accounts/sessions/")["Location"].startswith("/accounts/login/")
    assert client.post("/accounts/sessions/")["Location"].startswith("/accounts/login/")
    assert not AuditEvent.objects.filter(action="auth.other_sessions_ended").exists()


def test_changing_the_password_ends_the_other_sessions(client_for, alex):
    laptop, phone = client_for(alex), client_for(alex)
    new_password = "a-new-long-passphrase-2026"
    reauthenticate(laptop, "/accounts/password/change/")

    response = laptop.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": new_password, "password2": new_password},
        follow=True,
    )

    assert response.status_code == 200
    alex.refresh_from_db()
    assert alex.check_password(new_password)
    assert laptop.get("/").status_code == 200
    assert phone.get("/")["Location"].startswith("/accounts/login/")
    assert AuditEvent.objects.filter(action="auth.password_changed", actor=alex).exists()


def test_a_wrong_current_password_changes_nothing(client_for, alex):
    laptop, phone = client_for(alex), client_for(alex)
    reauthenticate(laptop, "/accounts/password/change/")

    response = laptop.post(
        "/accounts/password/change/",
        {"oldpassword": "not-the-password", "password1": "x" * 20 + "9!", "password2": "x" * 20 + "9!"},
    )

    assert response.status_code == 200
    assert "Please type your current password." in response.content.decode()
    alex.refresh_from_db()
    assert alex.check_password(PASSWORD)
    assert phone.get("/").status_code == 200


def test_the_account_menu_leads_to_security_and_the_password_change(client_for, sam):
    client = client_for(sam)
    header = client.get("/").content.decode()
    assert 'href="/accounts/2fa/"' in header
    assert ">Account security<" in header
    assert 'href="/accounts/password/change/"' in header

    page = client.get("/accounts/2fa/").content.decode()
    assert "<h1>Account security</h1>" in page
    assert "<title>Account security · Checkpoint</title>" in page
    main = page.split('id="main-content"')[1]
    assert "Sign out" not in main  # signing out is the header's, not a primary button here
    assert 'href="/accounts/sessions/"' in main
