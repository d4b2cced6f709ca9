"""Signing in by email and password through allauth; no public sign-up; the admin has no door of its own."""

import json

import pytest
from django.contrib.auth import SESSION_KEY

from accounts.models import User
from audit.models import AuditEvent
from tests.builders import PASSWORD, enrol_totp, totp_code, totp_secret
from tests.web.support import words

LOGIN_URL = "/accounts/login/"


def test_sign_in_page_has_labelled_email_and_password_fields(client):
    response = client.get(LOGIN_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'for="id_login"' in page
    assert 'for="id_password"' in page
    assert "by invitation" in page


def test_wrong_password_shows_an_error_and_signs_nobody_in(client, alex):
    response = client.post(LOGIN_URL, {"login": alex.email, "password": "not-the-password"})

    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_signup_page_says_accounts_are_by_invitation_and_creates_nobody(client, db):
    response = client.get("/accounts/signup/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Accounts are by invitation" in page
    assert 'type="password"' not in page

    response = client.post(
        "/accounts/signup/", {"email": "mallory@example.test", "password1": "a-long-enough-password-1"}
    )
    assert "Accounts are by invitation" in response.content.decode()
    assert not User.objects.filter(email="mallory@example.test").exists()


def test_password_and_totp_sign_in_end_to_end(client, alex):
    enrol_totp(alex)

    response = client.post(LOGIN_URL, {"login": "ALEX@northwind.test", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    # Half way there: the password alone signs nobody in.
    assert SESSION_KEY not in client.session
    assert client.get("/").status_code == 302

    page = client.get("/accounts/2fa/authenticate/").content.decode()
    assert 'for="id_code"' in page

    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(totp_secret(alex))})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200

    event = AuditEvent.objects.filter(action="auth.login").get()
    assert event.actor == alex
    assert event.data["methods"] == ["password", "mfa:totp"]


def test_wrong_totp_code_is_refused_and_audited(client, alex):
    enrol_totp(alex)
    client.post(LOGIN_URL, {"login": alex.email, "password": PASSWORD})
    good = totp_code(totp_secret(alex))
    wrong = f"{(int(good) + 1) % 1000000:06d}"

    response = client.post("/accounts/2fa/authenticate/", {"code": wrong})

    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    assert SESSION_KEY not in client.session
    event = AuditEvent.objects.filter(action="auth.login_failed").get()
    assert event.actor is None
    assert event.data == {"email": alex.email, "reason": "mfa_code"}


def test_deactivated_account_cannot_sign_in(client, alex, coordinator):
    from accounts.services import user_deactivate

    user_deactivate(user=alex, actor=coordinator)

    right = client.post(LOGIN_URL, {"login": alex.email, "password": PASSWORD}, follow=True)
    wrong = client.post(LOGIN_URL, {"login": alex.email, "password": "not-the-password"}, follow=True)

    # Nothing tells whoever typed it that the password was right: the same page as a wrong one.
    assert right.status_code == wrong.status_code == 200
    assert right.redirect_chain == wrong.redirect_chain == []
    assert words(right) == words(wrong)
    assert "deactivated" not in right.content.decode()
    assert SESSION_KEY not in client.session
    reasons = list(AuditEvent.objects.filter(action="auth.login_failed").values_list("data__reason", flat=True))
    assert reasons == ["inactive", "password"]


class TestThereIsNoDjangoAdmin:
    """The read-only Django admin was an oracle: its change lists filtered on any field through the
    query string (a password hash, one character a request). Coordinators have the portal's own
    pages, so the admin is not installed at all: none of its doors exist, for anyone."""

    ORACLE_QUERIES = (
        "/admin/accounts/user/?email=alex@northwind.test&password__startswith=md5%24",
        "/admin/cases/reviewcase/?evaluator_access__startswith=a",
        "/admin/cases/reviewcase/?safeguard_configuration__startswith=a",
        "/admin/cases/closeoutdecision/?reason__startswith=a",
        "/admin/",
        "/admin/login/?next=/admin/",
        "/admin/password_change/",
    )

    @pytest.mark.parametrize("path", ORACLE_QUERIES)
    def test_a_signed_in_coordinator_finds_no_admin(self, client_for, coordinator, alex, path):
        client = client_for(coordinator)

        response = client.get(path)

        assert response.status_code == 404
        assert b"Page not found" in response.content
        # Nothing but the header's own link to one's password change mentions a password.
        assert (
            response.content.replace(b'<a href="/accounts/password/change/">Change password</a>', b"").count(
                b"password"
            )
            == 0
        )

    @pytest.mark.parametrize("path", ["/admin/", "/admin/login/"])
    def test_anonymous_visitors_find_no_admin_login(self, client, db, path):
        assert client.get(path).status_code == 404

    def test_posting_credentials_to_the_old_admin_login_signs_nobody_in(self, client, coordinator):
        response = client.post("/admin/login/?next=/admin/", {"username": coordinator.email, "password": PASSWORD})

        assert response.status_code == 404
        assert SESSION_KEY not in client.session

    def test_the_admin_app_is_not_installed(self, settings):
        assert "django.contrib.admin" not in settings.INSTALLED_APPS


def test_failed_sign_in_is_audited_without_the_password(client, alex):
    client.post(LOGIN_URL, {"login": "  Alex@Northwind.TEST ", "password": "hunter2-guess"})

    event = AuditEvent.objects.filter(action="auth.login_failed").get()
    assert event.actor is None
    assert event.target_id == str(alex.pk)
    assert event.data == {"email": "alex@northwind.test", "reason": "password"}
    assert "hunter2" not in json.dumps(event.data)


def test_failed_sign_in_for_an_unknown_email_is_audited(client, db):
    client.post(LOGIN_URL, {"login": "Nobody@Example.test", "password": "whatever-1"})

    event = AuditEvent.objects.filter(action="auth.login_failed").get()
    assert event.target_id == ""
    assert event.data["email"] == "nobody@example.test"


def test_sign_out_is_audited(client_for, alex):
    client = client_for(alex)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert SESSION_KEY not in client.session
    event = AuditEvent.objects.filter(action="auth.logout").get()
    assert event.actor == alex


@pytest.mark.parametrize("path", ["/accounts/logout/"])
def test_sign_out_by_get_asks_for_confirmation(client_for, alex, path):
    client = client_for(alex)

    response = client.get(path)

    assert response.status_code == 200
    assert SESSION_KEY in client.session
