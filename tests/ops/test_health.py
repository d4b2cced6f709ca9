"""/healthz and /readyz: JSON for the proxy and the operator, no secret and no version in it."""

from __future__ import annotations

import json
import time

import pytest
from django.core.cache import cache
from django.test import override_settings

from ops import health


@pytest.fixture
def beat_alive(settings):
    settings.READYZ_BEAT_MAX_AGE_SECONDS = 180
    health.record_beat_heartbeat()
    yield
    cache.delete(health.BEAT_HEARTBEAT_KEY)


def test_healthz_answers_without_asking_anything(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Content-Type"] == "application/json"


def test_readyz_is_ready_when_every_dependency_answers(client, db, beat_alive):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "redis": "ok", "storage": "ok", "beat": "ok"},
    }


def test_readyz_names_no_secret_host_or_version(client, db, beat_alive, settings):
    body = client.get("/readyz").content.decode()
    for secret in (settings.SECRET_KEY, settings.REDIS_URL, settings.DATABASES["default"]["NAME"], "5.2", "postgres"):
        assert secret not in body


def test_a_stale_beat_makes_the_node_unready(client, db, settings):
    settings.READYZ_BEAT_MAX_AGE_SECONDS = 60
    health.record_beat_heartbeat(now=time.time() - 61)
    try:
        response = client.get("/readyz")
    finally:
        cache.delete(health.BEAT_HEARTBEAT_KEY)
    assert response.status_code == 503
    assert response.json()["checks"]["beat"] == "unavailable"
    assert response.json()["status"] == "unavailable"


def test_redis_down_makes_the_node_unready_and_says_only_that(client, db, beat_alive, settings):
    caches = json.loads(json.dumps(settings.CACHES))
    caches["default"]["LOCATION"] = "redis://127.0.0.1:1/0"  # nothing listens there
    with override_settings(CACHES=caches):
        response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["redis"] == "unavailable"
    assert checks["database"] == "ok"
    assert "127.0.0.1" not in response.content.decode()


def test_storage_gone_makes_the_node_unready(client, db, beat_alive, monkeypatch, tmp_path):
    from django.core.files.storage import default_storage

    monkeypatch.setattr(default_storage, "location", str(tmp_path / "missing" / "store"), raising=False)
    monkeypatch.setattr(type(default_storage), "location", str(tmp_path / "missing" / "store"), raising=False)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == "unavailable"


def test_the_beat_task_writes_the_heartbeat(db, settings):
    from ops.tasks import beat_heartbeat

    cache.delete(health.BEAT_HEARTBEAT_KEY)
    beat_heartbeat.delay()  # eager in the tests
    assert time.time() - cache.get(health.BEAT_HEARTBEAT_KEY) < 5
    assert "ops.tasks.beat_heartbeat" in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}


def test_health_checks_answer_over_plain_http_where_everything_else_redirects(client, db, settings, beat_alive):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/accounts/login/").status_code == 301
