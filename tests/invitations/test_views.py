from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from agencies.models import Agency
from firms.models import FirmMembership
from invitations.models import Invitation, InvitationStatus
from invitations.services import invitation_revoke
from tests.invitations.conftest import NEWCOMER, STRONG_PASSWORD, actions

CREATE = reverse("invitations:create")
LIST = reverse("invitations:list")
ACCOUNTS = reverse("invitations:accounts")


def accept_url(token: str) -> str:
    return reverse("invitations:accept", kwargs={"token": token})


def offered(response) -> list[str]:
    return re.findall(r"<option value=\"[^\"]*\"[^>]*>([^<]+)</option>", response.content.decode())


# --- the invite form --------------------------------------------------------------------------


def test_a_coordinator_is_offered_every_firm_agency_and_the_program_office(client_for, coordinator, northwind, lumen):
    response = client_for(coordinator).get(CREATE)
    assert response.status_code == 200
    assert offered(response) == [
        "Firm admin, Lumen Labs",
        "Liaison, Lumen Labs",
        "Firm admin, Northwind AI",
        "Liaison, Northwind AI",
        "Supervisor, CISA",
        "Reviewer, CISA",
        "Supervisor, DoD",
        "Reviewer, DoD",
        "Supervisor, Treasury",
        "Reviewer, Treasury",
        "Program coordinator",
    ]


def test_a_firm_admin_is_offered_liaisons_of_their_firm_only(client_for, alex, lumen):
    assert offered(client_for(alex).get(CREATE)) == ["Liaison, Northwind AI"]


def test_a_supervisor_is_offered_reviewers_of_their_agency_only(client_for, dod_supervisor, northwind):
    assert offered(client_for(dod_supervisor).get(CREATE)) == ["Reviewer, DoD"]


@pytest.mark.parametrize("who", ["sam", "dod_reviewer"])
@pytest.mark.parametrize("url", [CREATE, LIST, ACCOUNTS])
def test_people_who_cannot_invite_get_404(request, client_for, who, url):
    assert client_for(request.getfixturevalue(who)).get(url).status_code == 404


@pytest.mark.parametrize("url", [CREATE, LIST, ACCOUNTS])
def test_anonymous_visitors_are_sent_to_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_firm_admin_sends_an_invitation(client_for, alex, northwind, mailoutbox, django_capture_on_commit_callbacks):
    browser = client_for(alex)
    key = f"firm:{northwind.pk}:liaison"
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(CREATE, {"email": NEWCOMER, "target": key}, follow=True)
    assert response.redirect_chain[-1][0] == LIST
    assert f"Invitation sent to {NEWCOMER} as Liaison, Northwind AI" in response.content.decode()
    assert NEWCOMER in response.content.decode()
    assert Invitation.objects.get().invited_by == alex
    assert len(mailoutbox) == 1


def test_a_firm_admin_cannot_forge_a_choice_for_another_firm(client_for, alex, lumen, mailoutbox):
    response = client_for(alex).post(CREATE, {"email": NEWCOMER, "target": f"firm:{lumen.pk}:liaison"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_a_refusal_from_the_service_is_shown_next_to_the_field(client_for, coordinator, sam, lumen):
    response = client_for(coordinator).post(CREATE, {"email": sam.email, "target": f"firm:{lumen.pk}:liaison"})
    assert response.status_code == 200
    assert re.search(r'id="id_email_error".*already has an account with an organisation', response.content.decode())
    assert not Invitation.objects.exists()


# --- the pending list and revoking ------------------------------------------------------------


def test_each_inviter_sees_the_pending_invitations_of_their_organisation(
    client_for, invite, coordinator, alex, kim, dod_supervisor, northwind, lumen
):
    dod = Agency.objects.get(code="dod")
    invite(alex, email="n1@example.test", firm=northwind)
    invite(kim, email="l1@example.test", firm=lumen)
    invite(dod_supervisor, email="d1@example.test", agency=dod, agency_role="reviewer")
    revoked, _ = invite(coordinator, email="gone@example.test", firm=northwind)
    invitation_revoke(invitation=revoked, actor=coordinator)

    def listed(user: User) -> set[str]:
        page = client_for(user).get(LIST).content.decode()
        return {email for email in ("n1", "l1", "d1", "gone") if f"{email}@example.test" in page}

    assert listed(coordinator) == {"n1", "l1", "d1"}
    assert listed(alex) == {"n1"}
    assert listed(kim) == {"l1"}
    assert listed(dod_supervisor) == {"d1"}


def test_the_list_page_costs_the_same_queries_for_one_or_many_invitations(client_for, invite, coordinator, northwind):
    browser = client_for(coordinator)
    invite(coordinator, email="first@example.test", firm=northwind)
    browser.get(LIST)
    with CaptureQueriesContext(connection) as one:
        browser.get(LIST)
    for n in range(5):
        invite(coordinator, email=f"more{n}@example.test", firm=northwind)
    with CaptureQueriesContext(connection) as six:
        browser.get(LIST)
    assert len(six) == len(one)


def test_a_firm_admin_revokes_their_firms_invitation(client_for, invite, alex, northwind):
    invitation, token = invite(alex, firm=northwind)
    response = client_for(alex).post(reverse("invitations:revoke", args=[invitation.pk]), follow=True)
    assert "its link no longer works" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status() == InvitationStatus.REVOKED
    assert Client().get(accept_url(token)).status_code == 410


def test_another_firms_admin_cannot_revoke_it(client_for, invite, alex, kim, northwind):
    invitation, _token = invite(alex, firm=northwind)
    response = client_for(kim).post(reverse("invitations:revoke", args=[invitation.pk]))
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.status() == InvitationStatus.PENDING
    assert actions("invitation.revoked") == []
    assert actions("access.refused") == ["access.refused"]


def test_revoking_needs_a_post(client_for, invite, alex, northwind):
    invitation, _token = invite(alex, firm=northwind)
    assert client_for(alex).get(reverse("invitations:revoke", args=[invitation.pk])).status_code == 405
    invitation.refresh_from_db()
    assert invitation.status() == InvitationStatus.PENDING


# --- the public accept page -------------------------------------------------------------------


def test_the_accept_page_says_who_invited_whom_to_what(client, invite, alex, northwind):
    _invitation, token = invite(alex, firm=northwind)
    response = client.get(accept_url(token))
    page = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    for text in (alex.get_full_name(), alex.email, NEWCOMER, "liaison", "Northwind AI"):
        assert text in page
    for field in ("id_full_name", "id_password1", "id_password2"):
        assert f'<label for="{field}"' in page


def test_accepting_signs_the_person_in_and_sends_them_to_mfa_enrolment(client, invite, alex, northwind):
    _invitation, token = invite(alex, firm=northwind)
    response = client.post(
        accept_url(token), {"full_name": "Nadia Newcomer", "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_index")
    user = User.objects.get(email=NEWCOMER)
    assert client.session[SESSION_KEY] == str(user.pk)
    assert FirmMembership.objects.get(user=user).firm == northwind
    # Anything but enrolment sends the new account to MFA enrolment first.
    assert client.get(reverse("home"))["Location"] == reverse("mfa_index")
    assert client.get(reverse("mfa_index")).status_code == 200


def test_mismatched_passwords_are_shown_next_to_the_field_and_create_nothing(client, invite, alex, northwind):
    _invitation, token = invite(alex, firm=northwind)
    response = client.post(
        accept_url(token),
        {"full_name": "Nadia Newcomer", "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD + "x"},
    )
    assert response.status_code == 200
    assert re.search(r'id="id_password2_error".*The two passwords are not the same', response.content.decode())
    assert not User.objects.filter(email=NEWCOMER).exists()


def test_a_weak_password_is_shown_next_to_the_field(client, invite, alex, northwind):
    _invitation, token = invite(alex, firm=northwind)
    response = client.post(
        accept_url(token), {"full_name": "Nadia Newcomer", "password1": "short", "password2": "short"}
    )
    assert response.status_code == 200
    assert re.search(r'id="id_password1_error".*too short', response.content.decode())
    assert not User.objects.filter(email=NEWCOMER).exists()


def _post_accept(client: Client, token: str):
    return client.post(
        accept_url(token), {"full_name": "Nadia Newcomer", "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD}
    )


def test_a_tampered_link_answers_404_and_creates_nothing(client, invite, alex, northwind):
    _invitation, token = invite(alex, firm=northwind)
    tampered = token[:-2] + ("xy" if token[-2:] != "xy" else "yz")
    for response in (client.get(accept_url(tampered)), _post_accept(client, tampered)):
        assert response.status_code == 404
        assert "This invitation link is not valid" in response.content.decode()
    assert not User.objects.filter(email=NEWCOMER).exists()
    assert Invitation.objects.get().status() == InvitationStatus.PENDING


def test_an_expired_link_answers_410_creates_nothing_and_is_audited(client, invite, alex, northwind):
    invitation, token = invite(alex, firm=northwind)
    with time_machine.travel(invitation.expires_at + datetime.timedelta(minutes=1)):
        response = _post_accept(client, token)
    assert response.status_code == 410
    assert "This invitation expired on" in response.content.decode()
    assert not User.objects.filter(email=NEWCOMER).exists()
    assert actions("invitation.expired") == ["invitation.expired"]


def test_a_used_link_answers_410(client, invite, alex, northwind):
    _invitation, token = invite(alex, firm=northwind)
    assert _post_accept(client, token).status_code == 302
    other = Client()
    response = _post_accept(other, token)
    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert User.objects.filter(email=NEWCOMER).count() == 1


def test_a_revoked_link_answers_410(client, invite, alex, northwind):
    invitation, token = invite(alex, firm=northwind)
    invitation_revoke(invitation=invitation, actor=alex)
    response = client.get(accept_url(token))
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()


def test_a_signed_in_person_is_asked_to_sign_out_first(client_for, invite, alex, northwind):
    _invitation, token = invite(alex, firm=northwind)
    browser = client_for(alex)
    response = _post_accept(browser, token)
    assert response.status_code == 200
    assert "Sign out to accept" in response.content.decode()
    assert not User.objects.filter(email=NEWCOMER).exists()
    assert browser.session[SESSION_KEY] == str(alex.pk)


# --- deactivating an account ------------------------------------------------------------------


def test_a_coordinator_deactivates_an_account_and_its_open_session_ends(client_for, coordinator, sam):
    sams_browser = client_for(sam)
    assert sams_browser.get(reverse("home")).status_code == 200
    desk = client_for(coordinator)
    url = reverse("invitations:deactivate", args=[sam.pk])

    assert sam.email in desk.get(url).content.decode()
    response = desk.post(url, {"confirm": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == ACCOUNTS
    assert f"{sam.email} is deactivated" in response.content.decode()

    sam.refresh_from_db()
    assert not sam.is_active
    assert actions("user.deactivated") == ["user.deactivated"]
    response = sams_browser.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert response.wsgi_request.user.is_anonymous
    assert sams_browser.get(reverse("home")).wsgi_request.user.is_anonymous


def test_deactivation_needs_the_confirmation(client_for, coordinator, sam):
    response = client_for(coordinator).post(reverse("invitations:deactivate", args=[sam.pk]), {})
    assert response.status_code == 200
    assert re.search(r'id="id_confirm_error".*Tick the box', response.content.decode())
    sam.refresh_from_db()
    assert sam.is_active
    assert actions("user.deactivated") == []


def test_a_coordinator_cannot_deactivate_themselves(client_for, coordinator):
    response = client_for(coordinator).post(reverse("invitations:deactivate", args=[coordinator.pk]), {"confirm": "on"})
    assert "You cannot deactivate your own account" in response.content.decode()
    coordinator.refresh_from_db()
    assert coordinator.is_active


@pytest.mark.parametrize("who", ["alex", "dod_supervisor", "sam"])
def test_only_a_coordinator_can_deactivate(request, client_for, who, sam, kim):
    browser = client_for(request.getfixturevalue(who))
    url = reverse("invitations:deactivate", args=[kim.pk])
    assert browser.get(url).status_code == 404
    assert browser.post(url, {"confirm": "on"}).status_code == 404
    kim.refresh_from_db()
    assert kim.is_active
    assert actions("user.deactivated") == []


def test_the_accounts_page_lists_accounts_with_their_role(client_for, coordinator, alex, dod_reviewer):
    page = client_for(coordinator).get(ACCOUNTS).content.decode()
    assert "Firm admin, Northwind AI" in page
    assert "Reviewer, DoD" in page
    assert reverse("invitations:deactivate", args=[alex.pk]) in page
    assert reverse("invitations:deactivate", args=[coordinator.pk]) not in page
