"""Who changes the address a person signs in with: the program office, never the person.

The outside test added an address on allauth's email page, made it primary without verifying it,
signed in with it, and so blocked the real owner's invitation. The page is now read-only and a
coordinator changes addresses (audited, both addresses told)."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEvent
from core.errors import DomainError
from invitations.services import account_change_email, invitation_create
from tests.assertions import refused, rows_unchanged


def test_a_person_cannot_add_or_make_primary_an_address_of_their_own(client_for, sam, alex, coordinator, mailoutbox):
    client = client_for(sam)
    page = client.get("/accounts/email/")
    with rows_unchanged():
        answers = [
            client.post("/accounts/email/", {"action_add": "", "email": "victim@agency.test"}),
            client.post("/accounts/email/", {"action_primary": "", "email": "victim@agency.test"}),
        ]

    assert page.status_code == 200
    assert "sam@northwind.test" in page.content.decode()
    assert "ask the program office" in page.content.decode()
    assert b"<form" not in page.content.split(b"<main", 1)[-1]
    assert [answer.status_code for answer in answers] == [405, 405]
    assert not EmailAddress.objects.filter(email="victim@agency.test").exists()
    # The real owner of the address can still be invited.
    invitation, _ = invitation_create(email="victim@agency.test", agency=None, coordinator=True, actor=coordinator)
    assert invitation.pk


def test_a_coordinator_changes_an_address_audited_and_both_addresses_are_told(
    client_for, sam, coordinator, django_capture_on_commit_callbacks, mailoutbox
):
    client = client_for(coordinator)
    url = reverse("invitations:account_email", args=[sam.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": " Sam.Smith@Northwind.TEST "})

    assert response.status_code == 302
    sam.refresh_from_db()
    assert sam.email == "sam.smith@northwind.test"
    assert list(EmailAddress.objects.filter(user=sam).values_list("email", "verified", "primary")) == [
        ("sam.smith@northwind.test", True, True)
    ]
    event = AuditEvent.objects.get(action="account.email_changed")
    assert (event.actor, event.target_id, event.data) == (
        coordinator,
        str(sam.pk),
        {"from": "sam@northwind.test", "to": "sam.smith@northwind.test"},
    )
    [notice] = mailoutbox
    assert set(notice.to) == {"sam@northwind.test", "sam.smith@northwind.test"}
    assert "If you did not ask for this" in notice.body


@pytest.mark.parametrize(
    ("new_email", "message"),
    [
        ("not-an-address", "not-an-address is not a valid email address."),
        ("alex@northwind.test", "alex@northwind.test is the address of another account."),
        ("sam@northwind.test", "sam@northwind.test is already this person's address."),
        ("invited@agency.test", "invited@agency.test has an open invitation. Revoke it first."),
    ],
)
def test_a_bad_new_address_is_refused_and_changes_nothing(sam, alex, coordinator, new_email, message):
    invitation_create(email="invited@agency.test", coordinator=True, actor=coordinator)
    with refused(message):
        account_change_email(user=sam, new_email=new_email, actor=coordinator)


def test_nobody_but_a_coordinator_changes_an_address(client_for, sam, alex, dod_supervisor):
    for actor in (sam, alex, dod_supervisor):
        with pytest.raises(DomainError, match="Only a program coordinator"):
            account_change_email(user=sam, new_email="elsewhere@example.test", actor=actor)
        response = client_for(actor).post(
            reverse("invitations:account_email", args=[sam.pk]), {"email": "elsewhere@example.test"}
        )
        assert response.status_code == 404
    assert User.objects.get(pk=sam.pk).email == "sam@northwind.test"
