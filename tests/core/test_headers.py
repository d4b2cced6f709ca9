"""Headers on every page: nothing the portal serves is kept by a cache."""

from __future__ import annotations

from django.urls import reverse


def test_case_pages_documents_and_exports_are_never_stored(client_for, alex, coordinator):
    from tests import builders

    case = builders.make_case(alex, state="submitted")
    document = case.documents.get(kind="system_card")
    client = client_for(alex)
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
