"""One look: the demo's missing page is the portal's, a favicon, sizes said once, the model just
registered is the one a new case starts from."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests import builders

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_with_debug_on_a_missing_page_is_the_portals_own(client_for, alex):
    response = client_for(alex).get("/no/such/page/")

    page = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in page
    assert "Using the URLconf" not in page  # Django's debug page lists the URL patterns


@override_settings(DEBUG=True)
def test_with_debug_on_a_forbidden_object_is_the_portals_own_page_too(client_for, alex, kim):
    case = builders.make_case(kim, state="draft")
    response = client_for(alex).get(f"/cases/{case.pk}/")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.content.decode()


def test_every_page_names_its_favicon(client_for, alex):
    assert 'rel="icon" href="/static/favicon.svg"' in client_for(alex).get("/").content.decode()


def test_registering_a_model_then_opening_a_case_preselects_it(client_for, alex):
    client = client_for(alex)
    builders.make_model(alex, name="Older")
    response = client.post(
        "/cases/models/new/",
        {"name": "Nimbus", "version": "2.0", "description": "A model", "intended_partners": "x"},
    )
    assert response.status_code == 302
    from cases.models import AIModel

    model = AIModel.objects.get(name="Nimbus")
    assert response["Location"] == f"/cases/new/?model={model.pk}"
    page = client.get(response["Location"]).content.decode()
    assert f'<option value="{model.pk}" selected>' in page


def test_a_small_files_size_is_said_once(client_for, alex):
    case = builders.make_case(alex, state="draft")
    document = builders.attach_document(case, alex, "other", content=b"x" * 179)
    page = client_for(alex).get(f"/documents/{document.pk}/").content.decode()
    assert page.count("179\xa0bytes") + page.count("179 bytes") == 1
