from __future__ import annotations

import datetime
import hashlib
import threading

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from accounts.models import User
from accounts.roles import role_label
from accounts.services import user_deactivate
from agencies.models import Agency, AgencyMembership
from audit.services import verify_chain
from core.errors import DomainError
from core.permissions import COORDINATORS_GROUP
from firms.models import FirmMembership
from invitations.models import Invitation, InvitationStatus
from invitations.services import (
    LINK_EXPIRED,
    LINK_REVOKED,
    LINK_UNKNOWN,
    LINK_USED,
    describe_moment,
    invitation_accept,
    invitation_create,
    invitation_revoke,
)
from tests import builders
from tests.invitations.conftest import NEWCOMER, STRONG_PASSWORD, actions


def _counts() -> tuple[int, int, int, int]:
    return (
        User.objects.count(),
        FirmMembership.objects.count(),
        AgencyMembership.objects.count(),
        User.objects.filter(is_staff=True).count(),
    )


# --- who may invite whom ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "label"),
    [
        ({"firm": "northwind", "is_admin": True}, "Firm admin, Northwind AI"),
        ({"firm": "lumen", "is_admin": False}, "Liaison, Lumen Labs"),
        ({"agency": "dod", "agency_role": "supervisor"}, "Supervisor, DoD"),
        ({"agency": "cisa", "agency_role": "reviewer"}, "Reviewer, CISA"),
        ({"coordinator": True}, "Program coordinator"),
    ],
)
def test_a_coordinator_invites_to_any_firm_agency_or_the_program_office(
    coordinator, northwind, lumen, invite, mailoutbox, target, label
):
    if "firm" in target:
        target["firm"] = {"northwind": northwind, "lumen": lumen}[target["firm"]]
    if "agency" in target:
        target["agency"] = Agency.objects.get(code=target["agency"])
    invitation, _token = invite(coordinator, **target)
    assert invitation.target.label == label
    assert invitation.invited_by == coordinator
    assert invitation.status() == InvitationStatus.PENDING
    assert actions("invitation.sent") == ["invitation.sent"]
    assert len(mailoutbox) == 1


def test_a_firm_admin_invites_liaisons_of_their_own_firm(alex, northwind, invite):
    invitation, _token = invite(alex, firm=northwind)
    assert invitation.target.label == "Liaison, Northwind AI"


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ({"firm": "lumen"}, "own firm only"),
        ({"firm": "lumen", "is_admin": True}, "own firm only"),
        ({"firm": "northwind", "is_admin": True}, "Only a program coordinator can invite firm admins"),
        ({"agency": "dod", "agency_role": "reviewer"}, "own firm only"),
        ({"coordinator": True}, "own firm only"),
    ],
)
def test_a_firm_admin_is_refused_anything_else(alex, northwind, lumen, mailoutbox, target, message):
    if "firm" in target:
        target["firm"] = {"northwind": northwind, "lumen": lumen}[target["firm"]]
    if "agency" in target:
        target["agency"] = Agency.objects.get(code=target["agency"])
    with pytest.raises(DomainError, match=message) as refused:
        invitation_create(email=NEWCOMER, actor=alex, **target)
    assert refused.value.code == "forbidden"
    assert not Invitation.objects.exists()
    assert actions("invitation.sent") == []
    assert mailoutbox == []


def test_a_supervisor_invites_reviewers_of_their_own_agency_only(dod_supervisor, northwind, invite):
    dod, treasury = Agency.objects.get(code="dod"), Agency.objects.get(code="treasury")
    invitation, _token = invite(dod_supervisor, agency=dod, agency_role="reviewer")
    assert invitation.target.label == "Reviewer, DoD"
    with pytest.raises(DomainError, match="own agency only"):
        invitation_create(email="other@example.test", actor=dod_supervisor, agency=treasury, agency_role="reviewer")
    with pytest.raises(DomainError, match="Only a program coordinator can invite agency supervisors"):
        invitation_create(email="other@example.test", actor=dod_supervisor, agency=dod, agency_role="supervisor")
    with pytest.raises(DomainError, match="own agency only"):
        invitation_create(email="other@example.test", actor=dod_supervisor, firm=northwind)
    assert Invitation.objects.count() == 1


@pytest.mark.parametrize("inviter", ["dod_reviewer", "sam"])
def test_reviewers_and_liaisons_who_are_not_admins_cannot_invite(request, inviter, northwind, mailoutbox):
    actor = request.getfixturevalue(inviter)
    dod = Agency.objects.get(code="dod")
    for target in ({"firm": northwind}, {"agency": dod, "agency_role": "reviewer"}, {"coordinator": True}):
        with pytest.raises(DomainError, match="Only a program coordinator, a firm admin or an agency supervisor"):
            invitation_create(email=NEWCOMER, actor=actor, **target)
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_a_deactivated_admin_cannot_invite(alex, northwind, coordinator):
    user_deactivate(user=alex, actor=coordinator)
    with pytest.raises(DomainError, match="Only a program coordinator"):
        invitation_create(email=NEWCOMER, actor=User.objects.get(pk=alex.pk), firm=northwind)


def test_an_address_that_already_has_an_organisation_is_refused(coordinator, sam, northwind, lumen):
    with pytest.raises(DomainError, match="already has an account with an organisation"):
        invitation_create(email="SAM@northwind.test", actor=coordinator, firm=lumen)
    # A deactivated account still has its organisation.
    user_deactivate(user=sam, actor=coordinator)
    with pytest.raises(DomainError, match="already has an account with an organisation"):
        invitation_create(email="sam@northwind.test", actor=coordinator, firm=lumen)
    assert not Invitation.objects.exists()


def test_a_second_open_invitation_for_the_same_address_is_refused(coordinator, alex, northwind, lumen, invite):
    invite(alex, email="Newcomer@Example.test", firm=northwind)
    with pytest.raises(DomainError, match="already has an open invitation"):
        invitation_create(email="newcomer@example.test", actor=coordinator, firm=lumen)
    assert Invitation.objects.count() == 1


def test_an_expired_invitation_does_not_block_a_new_one(alex, northwind, invite):
    invite(alex, firm=northwind)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=8)):
        invitation, _token = invite(alex, firm=northwind)
    assert Invitation.objects.count() == 2
    assert invitation.status(invitation.created_at) == InvitationStatus.PENDING


def test_a_malformed_address_is_refused(coordinator, northwind):
    with pytest.raises(DomainError, match="is not a valid email address"):
        invitation_create(email="not an address", actor=coordinator, firm=northwind)


def test_only_a_hash_of_the_token_is_stored(alex, northwind, invite, settings):
    settings.INVITATION_TTL_DAYS = 3
    invitation, token = invite(alex, firm=northwind)
    assert len(token) >= 43
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = Invitation.objects.filter(pk=invitation.pk).values().get()
    assert token not in {str(value) for value in stored.values()}
    assert invitation.expires_at - invitation.created_at == datetime.timedelta(days=3)


# --- the email --------------------------------------------------------------------------------


def test_the_email_names_inviter_organisation_role_link_and_expiry_and_no_password(
    alex, northwind, invite, mailoutbox, settings
):
    settings.SITE_URL = "https://checkpoint.example.gov"
    invitation, token = invite(alex, firm=northwind)
    [message] = mailoutbox
    link = f"https://checkpoint.example.gov/invitations/accept/{token}/"
    html = message.alternatives[0][0]
    assert message.to == [NEWCOMER]
    # A fixed subject: the inviter's chosen name never speaks in the subject line.
    assert message.subject == "Your invitation to Checkpoint"
    for body in (message.body, html):
        assert link in body
        assert alex.get_full_name() in body
        assert alex.email in body
        assert "Northwind AI" in body
        assert "liaison" in body
        assert describe_moment(invitation.expires_at) in body
        assert builders.PASSWORD not in body
        assert invitation.token_hash not in body


@pytest.mark.parametrize(
    "name",
    [
        "Security team: visit https://evil.example/reset",
        "Alex\n\nYour account is locked, call +1 555 0100",
        "<a href='https://evil.example'>IT desk</a>",
        "IT desk at evil.example",
    ],
)
def test_an_inviters_name_that_is_not_a_plain_name_is_replaced_by_their_address(
    alex, northwind, invite, mailoutbox, name
):
    alex.full_name = name
    alex.save(update_fields=["full_name"])

    invite(alex, firm=northwind)

    [message] = mailoutbox
    for body in (message.body, message.alternatives[0][0]):
        assert "evil.example" not in body
        assert "555 0100" not in body
        assert f"{alex.email} ({alex.email})" in body


@pytest.mark.parametrize("name", ["Nicole Burns", "Seán O\u2019Brien-Ní Dhuibhir", "J.R. Smith", "Zoë Ångström"])
def test_a_plain_name_is_kept(alex, northwind, invite, mailoutbox, name):
    alex.full_name = name
    alex.save(update_fields=["full_name"])
    invite(alex, firm=northwind)
    assert f"{name} ({alex.email})" in mailoutbox[0].body


def test_an_inviter_is_stopped_after_the_hourly_limit_and_nothing_is_sent(
    alex, northwind, invite, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.INVITATIONS_PER_HOUR = 3
    for number in range(3):
        invite(alex, email=f"person{number}@example.test", firm=northwind)
    mailoutbox.clear()

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(DomainError, match="3 invitations in the last hour"),
    ):
        invitation_create(email="person4@example.test", actor=alex, firm=northwind)

    assert not Invitation.objects.filter(email="person4@example.test").exists()
    assert mailoutbox == []
    # An hour later the inviter may send again; other inviters were never held back.
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1, minutes=1)):
        invite(alex, email="person4@example.test", firm=northwind)


def test_no_email_leaves_when_the_invitation_is_refused(sam, northwind, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError):
        invitation_create(email=NEWCOMER, actor=sam, firm=northwind)
    assert mailoutbox == []


# --- accepting --------------------------------------------------------------------------------


def test_accepting_creates_exactly_the_user_membership_group_and_audit_rows(alex, northwind, invite):
    invitation, token = invite(alex, firm=northwind)
    users, firm_members, agency_members, staff = _counts()
    before = actions()

    user = invitation_accept(token=token, password=STRONG_PASSWORD, full_name="  Nadia   Newcomer ")

    assert _counts() == (users + 1, firm_members + 1, agency_members, staff)
    assert user.email == NEWCOMER
    assert user.full_name == "Nadia Newcomer"
    assert user.check_password(STRONG_PASSWORD)
    assert user.is_active
    assert not user.is_staff
    assert role_label(user) == "Liaison, Northwind AI"
    assert list(user.groups.values_list("name", flat=True)) == [northwind.group.name]
    invitation.refresh_from_db()
    assert invitation.status() == InvitationStatus.ACCEPTED
    assert invitation.accepted_user == user
    assert actions()[len(before) :] == ["firm.member_added", "invitation.accepted"]
    assert user.emailaddress_set.get().verified
    assert verify_chain() is None


def test_accepting_an_agency_invitation(coordinator, invite):
    dod = Agency.objects.get(code="dod")
    _invitation, token = invite(coordinator, agency=dod, agency_role="supervisor")
    user = invitation_accept(token=token, password=STRONG_PASSWORD, full_name="Sofia Supervisor")
    assert role_label(user) == "Supervisor, DoD"
    assert list(user.groups.values_list("name", flat=True)) == ["agency:dod"]


def test_accepting_a_coordinator_invitation(coordinator, invite):
    _invitation, token = invite(coordinator, coordinator=True)
    user = invitation_accept(token=token, password=STRONG_PASSWORD, full_name="Casey Coordinator")
    assert role_label(user) == "Program coordinator"
    assert list(user.groups.values_list("name", flat=True)) == [COORDINATORS_GROUP]


def _refused_and_nothing_created(token: str, code: str, message: str) -> None:
    before = _counts()
    with pytest.raises(DomainError, match=message) as refused:
        invitation_accept(token=token, password=STRONG_PASSWORD, full_name="Nadia Newcomer")
    assert refused.value.code == code
    assert _counts() == before
    assert not User.objects.filter(email=NEWCOMER).exists()


def test_an_expired_link_is_refused_and_the_attempt_audited(alex, northwind, invite):
    invitation, token = invite(alex, firm=northwind)
    with time_machine.travel(invitation.expires_at + datetime.timedelta(seconds=1)):
        _refused_and_nothing_created(token, LINK_EXPIRED, "This invitation expired on")
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert actions("invitation.expired", "invitation.accepted") == ["invitation.expired"]


def test_the_link_works_until_its_last_moment(alex, northwind, invite):
    invitation, token = invite(alex, firm=northwind)
    with time_machine.travel(invitation.expires_at - datetime.timedelta(seconds=1)):
        assert invitation_accept(token=token, password=STRONG_PASSWORD, full_name="Nadia Newcomer")


def test_a_used_link_is_refused(alex, northwind, invite):
    _invitation, token = invite(alex, firm=northwind)
    invitation_accept(token=token, password=STRONG_PASSWORD, full_name="Nadia Newcomer")
    before = _counts()
    with pytest.raises(DomainError, match="already been used") as refused:
        invitation_accept(token=token, password="another-long-passphrase-9", full_name="Mallory")
    assert refused.value.code == LINK_USED
    assert _counts() == before
    assert User.objects.get(email=NEWCOMER).check_password(STRONG_PASSWORD)
    assert actions("invitation.accepted") == ["invitation.accepted"]


def test_a_revoked_link_is_refused(alex, northwind, invite):
    invitation, token = invite(alex, firm=northwind)
    invitation_revoke(invitation=invitation, actor=alex)
    _refused_and_nothing_created(token, LINK_REVOKED, "This invitation was withdrawn on")


@pytest.mark.parametrize("tamper", [lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), lambda t: t[:-1], lambda t: ""])
def test_a_tampered_link_is_refused(alex, northwind, invite, tamper):
    _invitation, token = invite(alex, firm=northwind)
    _refused_and_nothing_created(tamper(token), LINK_UNKNOWN, "This invitation link is not valid")
    assert Invitation.objects.get().status() == InvitationStatus.PENDING


def test_a_weak_password_is_refused_and_the_link_still_works(alex, northwind, invite):
    invitation, token = invite(alex, firm=northwind)
    for weak in ("short", "password1234", "newcomer@example.test"):
        with pytest.raises(DomainError) as refused:
            invitation_accept(token=token, password=weak, full_name="Nadia Newcomer")
        assert refused.value.code == "invalid_password"
    with pytest.raises(DomainError, match="full name"):
        invitation_accept(token=token, password=STRONG_PASSWORD, full_name="   ")
    assert not User.objects.filter(email=NEWCOMER).exists()
    invitation.refresh_from_db()
    assert invitation.status() == InvitationStatus.PENDING


def test_an_invitation_from_someone_who_lost_the_right_cannot_be_used(alex, northwind, coordinator, invite):
    """Decision: acceptance uses the inviter's authority as it stands then (see services.py)."""
    _invitation, token = invite(alex, firm=northwind)
    user_deactivate(user=alex, actor=coordinator)
    _refused_and_nothing_created(token, "inviter_lost_rights", "can no longer invite people")


def test_an_account_created_elsewhere_meanwhile_is_not_taken_over(alex, northwind, lumen, invite):
    _invitation, token = invite(alex, firm=northwind)
    builders.make_liaison(lumen, email=NEWCOMER)
    before = _counts()
    with pytest.raises(DomainError, match="already belongs to an organisation"):
        invitation_accept(token=token, password=STRONG_PASSWORD, full_name="Nadia Newcomer")
    assert _counts() == before
    assert not User.objects.get(email=NEWCOMER).check_password(STRONG_PASSWORD)


# --- revoking ---------------------------------------------------------------------------------


def test_revoking_is_for_those_who_could_have_sent_it(coordinator, alex, kim, northwind, invite):
    admin_invitation, _ = invite(coordinator, email="admin2@northwind.test", firm=northwind, is_admin=True)
    liaison_invitation, _ = invite(coordinator, email="liaison@northwind.test", firm=northwind)
    with pytest.raises(DomainError, match="Only a program coordinator can invite firm admins"):
        invitation_revoke(invitation=admin_invitation, actor=alex)
    with pytest.raises(DomainError, match="own firm only"):
        invitation_revoke(invitation=liaison_invitation, actor=kim)
    invitation_revoke(invitation=liaison_invitation, actor=alex)
    liaison_invitation.refresh_from_db()
    admin_invitation.refresh_from_db()
    assert liaison_invitation.status() == InvitationStatus.REVOKED
    assert liaison_invitation.revoked_by == alex
    assert admin_invitation.status() == InvitationStatus.PENDING
    assert actions("invitation.revoked") == ["invitation.revoked"]
    with pytest.raises(DomainError, match="already revoked"):
        invitation_revoke(invitation=liaison_invitation, actor=coordinator)


def test_an_accepted_invitation_cannot_be_revoked(alex, northwind, invite):
    invitation, token = invite(alex, firm=northwind)
    invitation_accept(token=token, password=STRONG_PASSWORD, full_name="Nadia Newcomer")
    with pytest.raises(DomainError, match="already accepted"):
        invitation_revoke(invitation=invitation, actor=alex)
    assert actions("invitation.revoked") == []


# --- two people accepting the same link at once -----------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_accepts_of_one_link_create_one_user():
    northwind = builders.make_firm("Northwind AI")
    alex = builders.make_liaison(northwind, is_admin=True, email="alex@northwind.test")
    invitation, token = invitation_create(email=NEWCOMER, actor=alex, firm=northwind)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def accept(password: str) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(invitation_accept(token=token, password=password, full_name="Nadia Newcomer"))
        except DomainError as error:
            outcomes.append(error.code)
        except Exception as error:  # any other failure is the test's finding
            outcomes.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=accept, args=(password,)) for password in (STRONG_PASSWORD, "second-long-passphrase-77")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(outcomes) == 2
    assert sum(isinstance(outcome, User) for outcome in outcomes) == 1
    assert LINK_USED in outcomes
    assert User.objects.filter(email=NEWCOMER).count() == 1
    assert FirmMembership.objects.filter(user__email=NEWCOMER).count() == 1
    invitation.refresh_from_db()
    assert invitation.accepted_user == User.objects.get(email=NEWCOMER)
    assert actions("invitation.accepted") == ["invitation.accepted"]


def test_an_account_left_without_organisation_is_completed_not_duplicated(coordinator, alex, sam, lumen, invite):
    from firms.services import firm_membership_remove

    firm_membership_remove(membership=sam.firm_membership, actor=alex)
    _invitation, token = invite(coordinator, email=sam.email, firm=lumen)
    users = User.objects.count()
    user = invitation_accept(token=token, password=STRONG_PASSWORD, full_name="Sam Again")
    assert user.pk == sam.pk
    assert User.objects.count() == users
    assert user.check_password(STRONG_PASSWORD)
    assert role_label(User.objects.get(pk=sam.pk)) == "Liaison, Lumen Labs"
    assert list(user.groups.values_list("name", flat=True)) == [lumen.group.name]
