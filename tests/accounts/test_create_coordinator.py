"""The operator's bootstrap: the first coordinator, from the command line."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from audit.models import AuditEvent


def test_the_first_coordinator_sets_a_password_through_the_printed_link_then_must_enrol_mfa(db, client):
    out = StringIO()
    call_command("create_coordinator", "--email", "Chief@Program.example", "--name", "Pat Chief", stdout=out)

    user = User.objects.get(email="chief@program.example")
    assert user.is_coordinator
    assert not user.has_usable_password()
    assert AuditEvent.objects.filter(action="coordinator.appointed", actor=None).exists()
    link = re.search(r"http\S+/accounts/password/reset/key/\S+", out.getvalue()).group(0)

    path = re.sub(r"^https?://[^/]+", "", link)
    page = client.get(path, follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else path
    new_password = "a-long-coordinator-passphrase-2026"
    done = client.post(form_url, {"password1": new_password, "password2": new_password}, follow=True)
    assert done.status_code == 200
    user.refresh_from_db()
    assert user.check_password(new_password)

    client.logout()
    signed_in = client.post("/accounts/login/", {"login": user.email, "password": new_password}, follow=True)
    assert signed_in.redirect_chain[-1][0].startswith("/accounts/2fa/")


def test_an_existing_account_is_not_made_a_coordinator_from_the_command_line(alex):
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_coordinator", "--email", alex.email)
    alex.refresh_from_db()
    assert not alex.is_staff
