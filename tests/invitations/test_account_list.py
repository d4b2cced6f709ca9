"""The coordinators' accounts page: search, role, organisation, two-factor and status filters, each
account's second factors and last sign-in."""

from __future__ import annotations

import re

import pytest

from accounts.services import user_deactivate

pytestmark = pytest.mark.django_db

ACCOUNTS = "/invitations/accounts/"


def emails(client, **query) -> list[str]:
    page = client.get(ACCOUNTS, query).content.decode()
    return re.findall(r"<tr>\s*<td>([^<]+@[^<]+)</td>", page)


@pytest.fixture
def office(client_for, coordinator, alex, sam, kim, dod_reviewer, dod_supervisor, treasury_reviewer):
    client = client_for(coordinator)  # the coordinator signs in: a second factor and a last sign-in
    client_for(alex)
    return client


def test_every_account_with_its_role_second_factor_and_last_sign_in(office, coordinator, alex, sam):
    page = office.get(ACCOUNTS).content.decode()

    assert "7 accounts." in page
    row = re.search(rf"<tr>\s*<td>{re.escape(alex.email)}</td>.*?</tr>", page, re.S).group(0)
    assert "Firm admin, Northwind AI" in row
    assert ">App<" in row
    assert "Never" not in row  # alex signed in
    sams = re.search(rf"<tr>\s*<td>{re.escape(sam.email)}</td>.*?</tr>", page, re.S).group(0)
    assert "Not set up" in sams
    assert "Never" in sams
    office_row = re.search(rf"<tr>\s*<td>{re.escape(coordinator.email)}</td>.*?</tr>", page, re.S).group(0)
    assert "Program coordinator" in office_row


def test_search_role_and_organisation_filters(office, alex, sam, kim, dod_reviewer, dod_supervisor, treasury_reviewer):
    from agencies.models import Agency

    dod = Agency.objects.get(code="dod")
    assert emails(office, q="northwind") == [alex.email, sam.email]
    assert emails(office, role="reviewer") == sorted([dod_reviewer.email, treasury_reviewer.email])
    assert emails(office, role="firm_admin") == sorted([alex.email, kim.email])
    assert emails(office, organisation=f"agency-{dod.pk}") == sorted([dod_reviewer.email, dod_supervisor.email])
    assert emails(office, organisation="office", mfa="yes") != []
    assert emails(office, role="supervisor", organisation=f"agency-{dod.pk}") == [dod_supervisor.email]


def test_two_factor_and_status_filters(office, coordinator, alex, sam):
    user_deactivate(user=sam, actor=coordinator)

    assert alex.email in emails(office, mfa="yes")
    assert sam.email not in emails(office, mfa="yes")
    assert sam.email in emails(office, mfa="no")
    assert emails(office, status="deactivated") == [sam.email]
    page = office.get(ACCOUNTS, {"status": "deactivated"}).content.decode()
    assert "Liaison, Northwind AI" in page  # a deactivated account still shows where it was


def test_an_unknown_filter_value_shows_an_error_and_no_account(office):
    page = office.get(ACCOUNTS, {"role": "superuser"}).content.decode()

    assert "Select a valid choice." in page
    assert "No account matches." in page


def test_only_coordinators_see_the_accounts_page(client_for, alex, dod_supervisor):
    assert client_for(alex).get(ACCOUNTS).status_code == 404
    assert client_for(dod_supervisor).get(ACCOUNTS).status_code == 404
