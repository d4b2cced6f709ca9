"""The password-reset email is the portal's own, and an address without an account gets nothing:
no offer of a sign-up that does not exist, no mail from the portal to strangers."""

from __future__ import annotations

import re

import pytest
from django.core import mail


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://checkpoint.example.gov"


def test_a_person_with_an_account_gets_the_portals_own_reset_email(client, alex):
    response = client.post("/accounts/password/reset/", {"email": alex.email})

    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == [alex.email]
    assert message.subject == "Checkpoint: Reset your password"
    assert "https://checkpoint.example.gov" in message.body
    assert re.search(r"http://testserver/accounts/password/reset/key/\S+", message.body)
    assert "second factor" in message.body
    for words in ("sign up", "signup", "username", "example.com", "Hello from"):
        assert words not in message.body.lower()


def test_an_address_without_an_account_gets_no_email_and_the_page_says_the_same(client, alex):
    known = client.post("/accounts/password/reset/", {"email": alex.email}, follow=True)
    mail.outbox.clear()

    unknown = client.post("/accounts/password/reset/", {"email": "stranger@example.test"}, follow=True)

    assert mail.outbox == []
    assert unknown.redirect_chain == known.redirect_chain
    assert unknown.status_code == known.status_code == 200


def test_changing_ones_password_tells_the_holder(client_for, alex):
    from tests.accounts.test_mfa import reauthenticate
    from tests.builders import PASSWORD

    client = client_for(alex)
    reauthenticate(client, "/accounts/password/change/")
    new = "lantern-orchid-basalt-41"

    response = client.post("/accounts/password/change/", {"oldpassword": PASSWORD, "password1": new, "password2": new})

    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == [alex.email]
    assert message.subject == "Checkpoint: Password Changed"
    assert "If you did not make it, contact the program office" in message.body
