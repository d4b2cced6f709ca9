"""The API's pages in the browser: a liaison creates a token (shown once) and revokes it; a firm
admin adds a webhook endpoint and opens its delivery log; the coordinators' list of live tokens.
Every page is checked with axe-core (WCAG 2.1 A and AA)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from api.models import ApiToken
from api.services import token_create
from tests.browser.conftest import choose

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_liaison_creates_and_revokes_a_token(open_page, check_page, alex):
    page = open_page(alex)
    check_page(page, "dashboard")
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    check_page(page, "api-tokens")
    page.get_by_label("Name").fill("release pipeline")
    choose(page, "Read and write")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("heading", name="Your new token")).to_be_visible()
    token = ApiToken.objects.get(user=alex)
    expect(page.locator("#new-token")).to_contain_text(f"cp_{token.prefix}_")
    check_page(page, "api-token-created")
    page.get_by_role("button", name="Revoke release pipeline").click()
    expect(page.get_by_role("main")).to_contain_text("Revoked")
    check_page(page, "api-token-revoked")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_firm_admin_adds_a_webhook(open_page, check_page, alex):
    page = open_page(alex)
    check_page(page, "dashboard")
    page.goto("/webhooks/")
    check_page(page, "webhooks")
    page.get_by_label("HTTPS address").fill("https://hooks.northwind.test/checkpoint")
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.get_by_role("heading", name="The endpoint's signing secret")).to_be_visible()
    check_page(page, "webhook-added")
    page.get_by_role("link", name="https://hooks.northwind.test/checkpoint").click()
    expect(page.get_by_role("heading", name="Delivery log")).to_be_visible()
    check_page(page, "webhook-deliveries")


def test_coordinators_see_every_live_token(open_page, check_page, coordinator, alex):
    token_create(actor=alex, name="pipeline", scope="read", days=30, passed_mfa=True)
    page = open_page(coordinator)
    check_page(page, "dashboard")
    page.goto("/api-tokens/all/")
    expect(page.get_by_role("main")).to_contain_text(alex.email)
    check_page(page, "every-live-token")
