"""Sessions end after 30 idle minutes, after 12 hours in any case, and at once for a deactivated account."""

import datetime

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.contrib.auth import SESSION_KEY
from django.contrib.messages import get_messages

from accounts.services import user_deactivate
from audit.models import AuditEvent
from tests.builders import PASSWORD, enrol_totp, totp_code, totp_secret

SIGN_IN_TIME = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
MINUTE = 60
HOUR = 60 * MINUTE


def test_client_for_gives_a_session_the_mfa_middleware_lets_through(client_for, sam):
    client = client_for(sam)

    assert client.get("/").status_code == 200
    assert Authenticator.objects.filter(user=sam, type=Authenticator.Type.TOTP).exists()


def test_a_session_ends_after_thirty_idle_minutes(client_for, alex):
    with time_machine.travel(SIGN_IN_TIME, tick=False) as traveller:
        client = client_for(alex)
        traveller.shift(29 * MINUTE)
        assert client.get("/").status_code == 200
        traveller.shift(29 * MINUTE)  # 58 minutes after sign-in, but never 30 idle ones
        assert client.get("/").status_code == 200

        traveller.shift(30 * MINUTE)
        response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2F"
    assert SESSION_KEY not in client.session
    assert "30 minutes without activity" in next(str(m) for m in get_messages(response.wsgi_request))
    event = AuditEvent.objects.filter(action="auth.session_ended").get()
    assert event.data["reason"] == "idle_timeout"
    assert event.target_id == str(alex.pk)
    assert not AuditEvent.objects.filter(action="auth.logout").exists()


def test_the_idle_limit_is_a_setting(client_for, alex, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 5 * MINUTE
    with time_machine.travel(SIGN_IN_TIME, tick=False) as traveller:
        client = client_for(alex)
        traveller.shift(6 * MINUTE)

        assert client.get("/")["Location"].startswith("/accounts/login/")


def test_a_session_ends_twelve_hours_after_sign_in_however_active(client_for, alex):
    with time_machine.travel(SIGN_IN_TIME, tick=False) as traveller:
        client = client_for(alex)
        for _ in range(28):  # a request every 25 minutes: 11 h 40 min
            traveller.shift(25 * MINUTE)
            assert client.get("/").status_code == 200

        traveller.shift(20 * MINUTE)  # 12 hours
        response = client.get("/")

    assert response["Location"].startswith("/accounts/login/")
    assert SESSION_KEY not in client.session
    assert AuditEvent.objects.filter(action="auth.session_ended", data__reason="absolute_timeout").exists()


def test_the_clock_starts_at_sign_in_through_allauth(client, alex):
    enrol_totp(alex)
    with time_machine.travel(SIGN_IN_TIME, tick=False) as traveller:
        client.post("/accounts/login/", {"login": alex.email, "password": PASSWORD})
        client.post("/accounts/2fa/authenticate/", {"code": totp_code(totp_secret(alex))})
        assert client.get("/").status_code == 200

        traveller.shift(31 * MINUTE)
        assert client.get("/")["Location"].startswith("/accounts/login/")


def test_api_requests_of_an_expired_session_answer_401(client_for, alex, settings):
    settings.ROOT_URLCONF = "tests.accounts.urls_api"
    with time_machine.travel(SIGN_IN_TIME, tick=False) as traveller:
        client = client_for(alex)
        assert client.get("/api/probe/").status_code == 200
        traveller.shift(31 * MINUTE)

        response = client.get("/api/probe/")

    assert response.status_code == 401
    assert "without activity" in response.json()["detail"]


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_deactivated_account_is_signed_out_on_its_next_request(client_for, sam, alex, coordinator, method):
    client = client_for(sam)
    assert client.get("/").status_code == 200

    user_deactivate(user=sam, actor=coordinator)
    response = getattr(client, method)("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert SESSION_KEY not in client.session
    # Deactivation deleted the open session itself (so a later reactivation cannot revive it).
    event = AuditEvent.objects.filter(action="user.deactivated").get()
    assert event.data == {"email": sam.email, "sessions_ended": 1}
