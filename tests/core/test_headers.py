"""Headers on every page: nothing the portal serves is kept by a cache."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse


@pytest.fixture
def signed_in(login):
    return lambda user: login(Client(), user)


def test_case_pages_documents_and_exports_are_never_stored(signed_in, alex, coordinator):
    from tests import factories

    case = factories.make_case(alex, state="submitted")
    document = case.documents.get(kind="system_card")
    client = signed_in(alex)
    for url in (
        "/",
        reverse("cases:detail", args=[case.pk]),
        reverse("documents:download", args=[document.pk, 1]),
        reverse("findings:export"),
        reverse("cases:edit", args=[case.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"no-store", "no-cache", "private"} <= directives, url


def test_the_sign_in_and_404_pages_too(client, db):
    for url, status in (("/accounts/login/", 200), ("/no-such-page/", 404)):
        response = client.get(url)
        assert response.status_code == status
        assert "no-store" in response["Cache-Control"]
