"""Personal access tokens: made on a page only after a sign-in with the second factor, shown once,
stored as a hash, scoped, expiring, revocable by their owner and by a coordinator; every refusal
audited; a token acts exactly as its person."""

from __future__ import annotations

import datetime
import hashlib

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import User
from accounts.services import user_deactivate
from api.models import ApiToken
from audit.models import AuditEvent
from tests import builders
from tests.api.conftest import make_token

pytestmark = pytest.mark.django_db


def _bearer(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _actions(**filters) -> list[str]:
    return list(AuditEvent.objects.filter(**filters).order_by("id").values_list("action", flat=True))


def test_the_page_creates_a_token_shown_once_and_stored_hashed(client_for, sam):
    client = client_for(sam)
    response = client.post("/api-tokens/", {"name": "release pipeline", "scope": "write", "days": "30"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=sam)
    raw = response.context["new_token"]
    assert raw.startswith(f"cp_{token.prefix}_")
    assert raw.encode() in response.content
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    assert _actions(action="api.token_created", actor=sam) == ["api.token_created"]
    # Shown once: the list afterwards names it by its prefix only.
    again = client.get("/api-tokens/")
    assert raw.encode() not in again.content
    assert f"cp_{token.prefix}".encode() in again.content
    assert _bearer(raw).get("/api/v1/cases/").status_code == 200


def test_a_session_without_a_second_factor_cannot_create_a_token(client, sam, settings):
    settings.CHECKPOINT_REQUIRE_MFA = False  # the demo's password-only sign-in
    client.force_login(sam)
    page = client.get("/api-tokens/")
    assert b"needs a sign-in with your second factor" in page.content
    response = client.post("/api-tokens/", {"name": "x", "scope": "read", "days": "5"})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    assert b"needs a sign-in with your second factor" in response.content


def test_expiry_is_capped_by_the_setting(client_for, sam, settings):
    settings.API_TOKEN_MAX_DAYS = 10
    response = client_for(sam).post("/api-tokens/", {"name": "long", "scope": "read", "days": "11"})
    assert not ApiToken.objects.exists()
    assert "days" in response.context["form"].errors


def test_an_unknown_token_is_refused_and_audited(db):
    response = _bearer("cp_deadbeef_not-a-token").get("/api/v1/cases/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert _actions(action="access.refused") == ["access.refused"]


def test_an_expired_token_is_refused_and_audited(sam):
    raw = make_token(sam, days=1)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1, minutes=1)):
        response = _bearer(raw).get("/api/v1/cases/")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]
    assert AuditEvent.objects.get(action="api.token_refused").data["reason"] == "expired"


def test_a_revoked_token_is_refused_and_audited(client_for, sam):
    raw = make_token(sam)
    token = ApiToken.objects.get(user=sam)
    assert client_for(sam).post(f"/api-tokens/{token.pk}/revoke/").status_code == 302
    assert _actions(action="api.token_revoked", actor=sam) == ["api.token_revoked"]
    response = _bearer(raw).get("/api/v1/cases/")
    assert response.status_code == 401
    assert AuditEvent.objects.get(action="api.token_refused").data["reason"] == "revoked"


def test_a_coordinator_revokes_anyones_token_and_others_cannot(client_for, sam, alex, coordinator):
    raw = make_token(sam)
    token = ApiToken.objects.get(user=sam)
    # Another liaison, even of the same firm, gets "not found" and changes nothing.
    assert client_for(alex).post(f"/api-tokens/{token.pk}/revoke/").status_code == 404
    assert _bearer(raw).get("/api/v1/cases/").status_code == 200
    coordinator_client = client_for(coordinator)
    assert sam.email.encode() in coordinator_client.get("/api-tokens/all/").content
    assert coordinator_client.post(f"/api-tokens/{token.pk}/revoke/").status_code == 302
    assert AuditEvent.objects.get(action="api.token_revoked").actor == coordinator
    assert _bearer(raw).get("/api/v1/cases/").status_code == 401
    assert client_for(alex).get("/api-tokens/all/").status_code == 403


def test_a_read_only_token_cannot_change_anything_and_is_audited(sam):
    raw = make_token(sam, scope="read")
    before = User.objects.count(), ApiToken.objects.count()
    response = _bearer(raw).post("/api/v1/models/", {"name": "Orbit", "version": "1"}, content_type="application/json")
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    assert (User.objects.count(), ApiToken.objects.count()) == before
    assert AuditEvent.objects.get(action="api.token_refused").data["reason"] == "scope"
    assert not AuditEvent.objects.filter(action="model.registered").exists()


def test_deactivating_the_account_kills_its_tokens(sam, coordinator):
    raw = make_token(sam)
    user_deactivate(user=sam, actor=coordinator)
    response = _bearer(raw).get("/api/v1/cases/")
    assert response.status_code == 401
    assert AuditEvent.objects.get(action="api.token_refused").data["reason"] == "inactive"


def test_last_use_is_recorded(sam):
    raw = make_token(sam)
    assert ApiToken.objects.get().last_used_at is None
    _bearer(raw).get("/api/v1/cases/")
    assert ApiToken.objects.get().last_used_at is not None


def test_a_token_acts_exactly_as_its_person(sam, kim):
    """Kim's token cannot reach Northwind's case any more than Kim can."""
    case = builders.make_case(sam, state="draft")
    assert _bearer(make_token(sam)).get(f"/api/v1/cases/{case.pk}/").status_code == 200
    assert _bearer(make_token(kim)).get(f"/api/v1/cases/{case.pk}/").status_code == 404


def test_session_calls_need_csrf(client_for, sam):
    strict = client_for(sam, enforce_csrf_checks=True)
    assert strict.get("/api/v1/cases/").status_code == 200
    response = strict.post("/api/v1/models/", {"name": "Orbit", "version": "1"}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_anonymous_calls_are_refused(client):
    assert client.get("/api/v1/cases/").status_code in (401, 403)
