"""A creating POST repeated with the same Idempotency-Key and body returns the first answer and
creates nothing twice; the same key with another body is refused. Requests per token are limited
(DRF throttling in the shared cache) and a limited request says when to come back (Retry-After)."""

from __future__ import annotations

import pytest

from cases.models import AIModel, ReviewCase
from tests import builders

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_a_repeated_key_returns_the_first_answer_without_creating_twice(api_for, sam):
    api = api_for(sam)
    model = builders.make_model(sam)
    body = {"model": model.pk, "access_date": str(builders.days(3)), "sharing_date": str(builders.days(20))}
    first = api.post("/api/v1/cases/", body, content_type=JSON, headers={"Idempotency-Key": "run-42"})
    again = api.post("/api/v1/cases/", body, content_type=JSON, headers={"Idempotency-Key": "run-42"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert ReviewCase.objects.filter(model=model).count() == 1
    other = api.post(
        "/api/v1/cases/", {**body, "trusted_partners": "x"}, content_type=JSON, headers={"Idempotency-Key": "run-42"}
    )
    assert other.status_code == 422
    assert ReviewCase.objects.filter(model=model).count() == 1
    fresh = api.post("/api/v1/cases/", body, content_type=JSON, headers={"Idempotency-Key": "run-43"})
    assert fresh.status_code == 201
    assert ReviewCase.objects.filter(model=model).count() == 2


def test_keys_belong_to_their_token(api_for, sam, alex):
    body = {"name": "Orbit", "version": "1"}
    assert (
        api_for(sam).post("/api/v1/models/", body, content_type=JSON, headers={"Idempotency-Key": "k"}).status_code
        == 201
    )
    # Another token with the same key is another request: Northwind already has Orbit 1, so the
    # service answers for itself instead of replaying Sam's answer.
    response = api_for(alex).post("/api/v1/models/", body, content_type=JSON, headers={"Idempotency-Key": "k"})
    assert "Idempotent-Replayed" not in response
    assert AIModel.objects.filter(name="Orbit").count() == 1


def test_a_refused_request_is_not_remembered(api_for, sam):
    api = api_for(sam)
    refused = api.post(
        "/api/v1/models/", {"name": "", "version": "1"}, content_type=JSON, headers={"Idempotency-Key": "k1"}
    )
    assert refused.status_code == 400
    assert (
        api.post(
            "/api/v1/models/", {"name": "Orbit", "version": "1"}, content_type=JSON, headers={"Idempotency-Key": "k2"}
        ).status_code
        == 201
    )


def test_requests_per_token_are_limited_with_retry_after(api_for, sam, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api": "3/min"}}
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    try:
        api = api_for(sam)
        answers = [api.get("/api/v1/cases/").status_code for _ in range(4)]
        assert answers == [200, 200, 200, 429]
        limited = api.get("/api/v1/cases/")
        assert int(limited["Retry-After"]) > 0
        # Another token of another person has its own count.
        assert api_for(builders.make_liaison(sam.firm_membership.firm)).get("/api/v1/cases/").status_code == 200
    finally:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK}
        SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
