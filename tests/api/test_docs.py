"""The OpenAPI schema, Swagger UI and Redoc come from the portal itself (no CDN), and every
operation documents its errors."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_swagger_ui_and_redoc_load_nothing_from_a_cdn(client):
    for url in ("/api/v1/docs/", "/api/v1/redoc/"):
        page = client.get(url).content.decode()
        assert "/static/drf_spectacular_sidecar/" in page, url
        assert "cdn" not in page.lower(), url


def test_every_operation_documents_its_errors(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    operations = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if method in ("get", "post", "patch")
    ]
    assert len(operations) > 40
    for path, method, operation in operations:
        codes = set(operation["responses"])
        assert {"401", "403", "429"} <= codes, (method, path)
        if "{" in path or method != "get":
            assert "404" in codes, (method, path)
        if method != "get":
            assert {"400", "409"} <= codes, (method, path)
    assert schema["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
