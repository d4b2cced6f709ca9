"""Two-factor authentication is required of every account: enrolment, TOTP, replay, recovery codes,
encryption at rest, re-authentication, and the audit trail of second factors."""

import datetime
import json
import re

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.test import Client

from accounts.adapters import MFAAdapter
from audit.models import AuditEvent
from tests.builders import PASSWORD, enrol_totp, totp_code, totp_secret

LOGIN_URL = "/accounts/login/"
MFA_URL = "/accounts/2fa/authenticate/"
ENROL_URL = "/accounts/2fa/"
A_MOMENT = datetime.datetime(2026, 3, 2, 15, 0, 5, tzinfo=datetime.UTC)


def sign_in_with_password(client, user):
    response = client.post(LOGIN_URL, {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response


def reauthenticate(client, next_url):
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD, "next": next_url})
    assert response.status_code == 302, response.content.decode()
    return response


class TestHeldAtEnrolment:
    @pytest.mark.parametrize(
        "path", ["/", "/accounts/password/change/", "/accounts/email/", "/audit/", "/accounts/2fa/recovery-codes/"]
    )
    def test_every_other_page_redirects_to_enrolment(self, client, sam, path):
        sign_in_with_password(client, sam)
        assert SESSION_KEY in client.session

        response = client.get(path)

        assert response.status_code == 302
        assert response["Location"] == ENROL_URL

    def test_posts_are_refused_too(self, client, sam):
        sign_in_with_password(client, sam)

        response = client.post("/accounts/password/change/", {"oldpassword": PASSWORD, "password1": "x" * 20})

        assert response["Location"] == ENROL_URL
        sam.refresh_from_db()
        assert sam.check_password(PASSWORD)

    def test_enrolment_page_explains_what_to_do(self, client, sam):
        sign_in_with_password(client, sam)

        response = client.get(ENROL_URL)

        page = response.content.decode()
        assert response.status_code == 200
        assert "Set up a second factor to continue" in page
        assert 'href="/accounts/2fa/totp/activate/"' in page
        assert 'href="/accounts/2fa/webauthn/add/"' in page

    @pytest.mark.parametrize("path", ["/accounts/2fa/totp/activate/", "/accounts/2fa/webauthn/add/"])
    def test_enrolment_pages_ask_for_the_password_again_first(self, client, sam, path):
        sign_in_with_password(client, sam)

        response = client.get(path)

        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/reauthenticate/?next=")
        assert client.get(response["Location"]).status_code == 200
        reauthenticate(client, path)
        assert client.get(path).status_code == 200

    def test_sign_out_still_works(self, client, sam):
        sign_in_with_password(client, sam)

        client.post("/accounts/logout/")

        assert SESSION_KEY not in client.session

    def test_api_paths_answer_403_json(self, client, sam, settings):
        settings.ROOT_URLCONF = "tests.accounts.urls_api"
        sign_in_with_password(client, sam)

        response = client.get("/api/probe/")

        assert response.status_code == 403
        assert "Two-factor authentication is required" in response.json()["detail"]

    def test_htmx_requests_are_sent_to_enrolment_by_header(self, client, sam):
        sign_in_with_password(client, sam)

        response = client.get("/", headers={"HX-Request": "true"})

        assert response["HX-Redirect"] == ENROL_URL

    def test_the_demo_may_switch_the_requirement_off(self, client, sam, settings):
        settings.CHECKPOINT_REQUIRE_MFA = False
        sign_in_with_password(client, sam)

        assert client.get("/").status_code == 200


def test_enrolling_totp_end_to_end_releases_the_account(client, sam, django_capture_on_commit_callbacks):
    sign_in_with_password(client, sam)
    client.get("/accounts/2fa/totp/activate/")
    reauthenticate(client, "/accounts/2fa/totp/activate/")

    page = client.get("/accounts/2fa/totp/activate/").content.decode()
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
    assert 'for="id_code"' in page

    wrong = client.post("/accounts/2fa/totp/activate/", {"code": "000000" if totp_code(secret) != "000000" else "1"})
    assert "Incorrect code" in wrong.content.decode()
    assert not Authenticator.objects.filter(user=sam).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/recovery-codes/"
    assert client.get("/").status_code == 200

    added = AuditEvent.objects.filter(action="mfa.authenticator_added", actor=sam)
    assert sorted(event.data["type"] for event in added) == ["recovery_codes", "totp"]
    # The secret is stored encrypted, not as the key the person typed into their app.
    stored = Authenticator.objects.get(user=sam, type=Authenticator.Type.TOTP).data
    assert secret not in json.dumps(stored)
    assert MFAAdapter().decrypt(stored["secret"]) == secret


class TestEncryptionAtRest:
    def test_totp_secret_is_not_stored_in_plaintext(self, alex):
        authenticator = enrol_totp(alex)
        authenticator.refresh_from_db()
        secret = totp_secret(alex)

        assert authenticator.data["secret"] != secret
        assert secret not in json.dumps(authenticator.data)
        assert authenticator.data["secret"].startswith("gAAAAA")  # a Fernet token

    def test_recovery_code_seed_is_not_stored_in_plaintext(self, alex):
        enrol_totp(alex)
        codes = RecoveryCodes.activate(alex)
        seed = MFAAdapter().decrypt(codes.instance.data["seed"])

        assert seed not in json.dumps(codes.instance.data)

    def test_another_key_cannot_read_the_secret(self, alex, settings):
        enrol_totp(alex)
        settings.MFA_ENCRYPTION_KEYS = ["W4DYK07PnYufdoR9RIKoBP7dKrYs18mlngytXdtzVAM="]

        with pytest.raises(RuntimeError, match="cannot be decrypted"):
            totp_secret(alex)

    def test_a_rotated_key_still_reads_old_secrets(self, alex, settings):
        enrol_totp(alex)
        secret_before = totp_secret(alex)
        settings.MFA_ENCRYPTION_KEYS = ["W4DYK07PnYufdoR9RIKoBP7dKrYs18mlngytXdtzVAM=", *settings.MFA_ENCRYPTION_KEYS]

        assert totp_secret(alex) == secret_before


class TestTOTPReplay:
    def test_the_cache_that_remembers_used_codes_is_redis(self):
        assert isinstance(caches["default"], RedisCache)

    def test_a_used_code_is_refused_the_second_time(self, client, alex):
        enrol_totp(alex)
        with time_machine.travel(A_MOMENT, tick=False):
            code = totp_code(totp_secret(alex))
            sign_in_with_password(client, alex)
            assert client.post(MFA_URL, {"code": code})["Location"] == "/"
            client.post("/accounts/logout/")

            # The same code, at once, from another browser (another gunicorn worker, same Redis).
            other = Client()
            sign_in_with_password(other, alex)
            response = other.post(MFA_URL, {"code": code})

            assert response.status_code == 200
            assert "Incorrect code" in response.content.decode()
            assert SESSION_KEY not in other.session
            assert cache.get(f"allauth.mfa.totp.used?user={alex.pk}&code={code}") == "y"

    def test_the_next_code_works(self, client, alex):
        enrol_totp(alex)
        with time_machine.travel(A_MOMENT, tick=False) as traveller:
            sign_in_with_password(client, alex)
            client.post(MFA_URL, {"code": totp_code(totp_secret(alex))})
            client.post("/accounts/logout/")
            traveller.shift(30)

            sign_in_with_password(client, alex)
            assert client.post(MFA_URL, {"code": totp_code(totp_secret(alex))})["Location"] == "/"


def test_a_recovery_code_works_once_only(client, alex):
    enrol_totp(alex)
    first, second = RecoveryCodes.activate(alex).get_unused_codes()[:2]

    sign_in_with_password(client, alex)
    assert client.post(MFA_URL, {"code": first})["Location"] == "/"
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")

    sign_in_with_password(client, alex)
    refused = client.post(MFA_URL, {"code": first})
    assert refused.status_code == 200
    assert "Incorrect code" in refused.content.decode()
    assert SESSION_KEY not in client.session

    assert client.post(MFA_URL, {"code": second})["Location"] == "/"
    used = AuditEvent.objects.filter(action="mfa.recovery_code_used", actor=alex).order_by("id")
    assert [event.data["unused_codes"] for event in used] == [9, 8]


class TestRateLimits:
    def test_sign_in_is_refused_after_five_wrong_passwords_even_with_the_right_one(self, client, alex):
        enrol_totp(alex)
        for _ in range(5):
            client.post(LOGIN_URL, {"login": alex.email, "password": "wrong-password-guess"})

        response = client.post(LOGIN_URL, {"login": alex.email, "password": PASSWORD})

        assert response.status_code == 200
        assert "Too many failed login attempts" in response.content.decode()
        assert "_auth_user_id" not in client.session
        assert client.get(MFA_URL)["Location"].startswith(LOGIN_URL)
        failures = AuditEvent.objects.filter(action="auth.login_failed")
        assert [event.data["reason"] for event in failures] == ["password"] * 5 + ["rate_limited"]

    def test_a_refused_run_is_audited_once_not_per_attempt(self, client, alex):
        for _ in range(9):
            client.post(LOGIN_URL, {"login": alex.email, "password": "wrong-password-guess"})

        assert AuditEvent.objects.filter(action="auth.login_failed", data__reason="rate_limited").count() == 1

    def test_one_address_is_refused_after_ten_failures_across_accounts(self, client, alex):
        for n in range(10):
            client.post(LOGIN_URL, {"login": f"guess{n}@northwind.test", "password": "wrong-password-guess"})

        response = client.post(LOGIN_URL, {"login": alex.email, "password": PASSWORD})

        assert "Too many failed login attempts" in response.content.decode()

    def test_second_factor_codes_are_rate_limited(self, client, alex):
        enrol_totp(alex)
        with time_machine.travel(A_MOMENT, tick=False):
            good = totp_code(totp_secret(alex))
            wrong = f"{(int(good) + 1) % 1000000:06d}"
            sign_in_with_password(client, alex)
            for _ in range(5):
                client.post(MFA_URL, {"code": wrong})

            response = client.post(MFA_URL, {"code": good})

        assert response.status_code == 200
        assert "Too many failed login attempts" in response.content.decode()
        assert SESSION_KEY not in client.session


class TestReauthentication:
    @pytest.mark.parametrize(
        "path",
        [
            "/accounts/password/change/",
            "/accounts/2fa/totp/deactivate/",
            "/accounts/2fa/webauthn/add/",
            "/accounts/2fa/recovery-codes/generate/",
        ],
    )
    def test_changes_to_how_one_signs_in_ask_for_it(self, client_for, alex, path):
        client = client_for(alex)
        RecoveryCodes.activate(alex)

        response = client.get(path)

        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/reauthenticate/?next=")

    def test_a_wrong_password_is_refused_and_audited(self, client_for, alex):
        client = client_for(alex)

        response = client.post(
            "/accounts/reauthenticate/", {"password": "wrong-password-x", "next": "/accounts/password/change/"}
        )

        assert response.status_code == 200
        event = AuditEvent.objects.filter(action="auth.reauthentication_failed").get()
        assert event.actor == alex
        assert event.data == {"method": "password"}

    def test_a_second_factor_code_also_confirms(self, client_for, alex):
        client = client_for(alex)
        with time_machine.travel(A_MOMENT, tick=False):
            response = client.post(
                "/accounts/2fa/reauthenticate/",
                {"code": totp_code(totp_secret(alex)), "next": "/accounts/password/change/"},
            )
            assert response["Location"] == "/accounts/password/change/"
            assert client.get("/accounts/password/change/").status_code == 200

    def test_password_change_after_reauthentication_is_audited(self, client_for, alex):
        client = client_for(alex)
        reauthenticate(client, "/accounts/password/change/")

        response = client.post(
            "/accounts/password/change/",
            {"oldpassword": PASSWORD, "password1": "a-new-long-passphrase-9", "password2": "a-new-long-passphrase-9"},
        )

        assert response.status_code == 302
        alex.refresh_from_db()
        assert alex.check_password("a-new-long-passphrase-9")
        assert AuditEvent.objects.filter(action="auth.password_changed", actor=alex).exists()


def test_removing_the_authenticator_app_is_audited_and_holds_the_account_at_enrolment(client_for, alex):
    client = client_for(alex)
    RecoveryCodes.activate(alex)
    reauthenticate(client, "/accounts/2fa/totp/deactivate/")

    response = client.post("/accounts/2fa/totp/deactivate/")

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=alex).exists()
    removed = AuditEvent.objects.filter(action="mfa.authenticator_removed", actor=alex)
    assert sorted(event.data["type"] for event in removed) == ["recovery_codes", "totp"]
    assert client.get("/")["Location"] == ENROL_URL


def test_regenerating_recovery_codes_is_audited(client_for, alex, django_capture_on_commit_callbacks):
    client = client_for(alex)
    old = RecoveryCodes.activate(alex).get_unused_codes()
    reauthenticate(client, "/accounts/2fa/recovery-codes/generate/")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/2fa/recovery-codes/generate/")

    assert response.status_code == 302
    new = Authenticator.objects.get(user=alex, type=Authenticator.Type.RECOVERY_CODES).wrap().get_unused_codes()
    assert set(new).isdisjoint(old)
    assert AuditEvent.objects.filter(action="mfa.recovery_codes_regenerated", actor=alex).count() == 1


def test_a_session_that_skipped_the_second_factor_is_ended(client, alex):
    enrol_totp(alex)
    client.force_login(alex)  # signed in without passing the second factor: not how allauth signs in

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert SESSION_KEY not in client.session
    assert AuditEvent.objects.filter(action="auth.session_ended", data__reason="mfa_missing").exists()
