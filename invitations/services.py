"""Sending, accepting and revoking invitations.

Accepting runs with the inviter's authority *as it stands at acceptance*: the membership is added
by ``firms``/``agencies``/``accounts`` services with ``actor=`` the inviter, and the invitation
rule (``invitations.permissions``) is checked again first. So an invitation from someone who has
since lost the right to send it (deactivated, removed from their firm, no longer admin or
supervisor) cannot be used: the invitee is told to ask for a new one, and nothing is created.
Outstanding invitations therefore never outlive their sender's authority.
"""

from __future__ import annotations

import datetime
import logging
import re
import secrets
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import belongs_to_an_organisation
from accounts.services import coordinator_appoint, require_coordinator
from agencies.models import Agency, AgencyRole
from agencies.services import agency_membership_add
from audit.actions import AuditAction
from audit.services import audit_record
from core import formats
from core.errors import DomainError
from firms.models import Firm
from firms.services import firm_membership_add
from invitations.models import Invitation, InvitationKind, InvitationTarget
from invitations.permissions import invite_refusal
from invitations.selectors import invitation_by_token, token_hash

logger = logging.getLogger(__name__)

DEFAULT_TTL_DAYS = 7
# Namespace of the advisory locks that serialise invitations per email address (two-key form,
# so it cannot collide with the audit chain's one-key lock).
_EMAIL_LOCK_NAMESPACE = 0x494E56  # "INV"

# Link refusals: each its own code (the web layer answers 404 for unknown, 410 for the rest).
LINK_UNKNOWN = "invitation_unknown"
LINK_USED = "invitation_used"
LINK_REVOKED = "invitation_revoked"
LINK_EXPIRED = "invitation_expired"
LINK_CODES = frozenset({LINK_UNKNOWN, LINK_USED, LINK_REVOKED, LINK_EXPIRED})


def invitation_ttl() -> datetime.timedelta:
    return datetime.timedelta(days=getattr(settings, "INVITATION_TTL_DAYS", DEFAULT_TTL_DAYS))


def describe_moment(moment: datetime.datetime) -> str:
    """A moment in the program's time zone, in the portal's one format: 'Dec 4, 2026, 10:15 EST'."""
    return formats.moment(moment)


def _normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(f"{email or 'An empty address'} is not a valid email address.") from None
    return email


def _lock_email(email: str) -> None:
    """Serialise invitations for one address, so two inviters cannot both open one."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_EMAIL_LOCK_NAMESPACE, email])
    # SQLite (the demo) has a single writer already.


def _refuse_flood(actor: User) -> None:
    """At most INVITATIONS_PER_HOUR invitations by one inviter in the last hour: an account taken
    over (or a mistake in a script) cannot mail the world from the portal's address. Counted in the
    database, so every web node sees the same count; the inviter's row is locked while counting."""
    limit = settings.INVITATIONS_PER_HOUR
    User.objects.select_for_update().filter(pk=actor.pk).values_list("pk").first()
    since = timezone.now() - datetime.timedelta(hours=1)
    if Invitation.objects.filter(invited_by=actor, created_at__gte=since).count() >= limit:
        raise DomainError(
            f"You have sent {limit} invitations in the last hour, the most the portal allows. "
            "Try again later, or ask the program office."
        )


def _refuse_existing_account(email: str) -> None:
    existing = User.objects.filter(email__iexact=email).first()
    if existing is None:
        return
    if belongs_to_an_organisation(existing):
        raise DomainError(f"{email} already has an account with an organisation; a person has exactly one.")
    if not existing.is_active:
        raise DomainError(f"{email} belongs to a deactivated account, which cannot be invited back.")


def _target(
    *, firm: Firm | None, is_admin: bool, agency: Agency | None, agency_role: str, coordinator: bool
) -> InvitationTarget:
    chosen = [firm is not None, agency is not None, coordinator]
    if sum(chosen) != 1:
        raise DomainError("Choose one organisation to invite to: a firm, an agency or the program office.")
    if firm is not None:
        return InvitationTarget(kind=InvitationKind.FIRM, firm=firm, is_admin=is_admin)
    if agency is not None:
        if agency_role not in AgencyRole.values:
            raise DomainError("Choose the agency role: reviewer or supervisor.")
        return InvitationTarget(kind=InvitationKind.AGENCY, agency=agency, agency_role=agency_role)
    return InvitationTarget(kind=InvitationKind.COORDINATOR)


def _audit_data(invitation: Invitation) -> dict[str, Any]:
    return {
        "email": invitation.email,
        "kind": invitation.kind,
        "firm": invitation.firm_id,
        "is_admin": invitation.is_admin,
        "agency": invitation.agency_id,
        "agency_role": invitation.agency_role,
        "invited_by": invitation.invited_by_id,
        "expires_at": invitation.expires_at,
    }


_PLAIN_NAME = re.compile(r"[^\W\d_](?:[^\W_]|[ .,'\u2019-])*", re.UNICODE)
_DOMAIN_LIKE = re.compile(r"[^\W_]\.[^\W\d_]{2,}")


def plain_name(user: User) -> str:
    """The name to put in an email: a person's name as they typed it when it reads as a name, else
    their address. A name is chosen by its holder; one that carries a link, markup or line breaks
    ("Security team: visit https://…") must not speak in the portal's voice."""
    name = " ".join((user.get_full_name() or "").split())
    if name and len(name) <= 80 and _PLAIN_NAME.fullmatch(name) and not _DOMAIN_LIKE.search(name):
        return name
    return user.email


def accept_url(token: str) -> str:
    return str(settings.SITE_URL) + reverse("invitations:accept", kwargs={"token": token})


def _send_invitation_email(invitation: Invitation, token: str) -> None:
    inviter = invitation.invited_by
    context = {
        "invitation": invitation,
        "inviter_name": plain_name(inviter),
        "inviter_email": inviter.email,
        "target": invitation.target,
        "link": accept_url(token),
        "expires": describe_moment(invitation.expires_at),
        "site_url": settings.SITE_URL,
    }
    subject = render_to_string("invitations/email/invitation_subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string("invitations/email/invitation_message.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(render_to_string("invitations/email/invitation_message.html", context), "text/html")
    message.send()


@transaction.atomic
def invitation_create(
    *,
    email: str,
    actor: User,
    firm: Firm | None = None,
    is_admin: bool = False,
    agency: Agency | None = None,
    agency_role: str = "",
    coordinator: bool = False,
) -> tuple[Invitation, str]:
    """Invite ``email`` to exactly one of: ``firm`` (as admin when ``is_admin``), ``agency`` (in
    ``agency_role``) or the program office (``coordinator``). Emails the link after commit.

    Returns the invitation and the link's token; the token is not stored anywhere.
    """
    target = _target(firm=firm, is_admin=is_admin, agency=agency, agency_role=agency_role, coordinator=coordinator)
    if refusal := invite_refusal(actor, target):
        raise DomainError(refusal, code="forbidden")
    _refuse_flood(actor)
    email = _normalise_email(email)
    _lock_email(email)
    _refuse_existing_account(email)
    if Invitation.objects.pending().filter(email=email).exists():
        raise DomainError(
            f"{email} already has an open invitation. Revoke it first if you want to send a different one."
        )
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = Invitation.objects.create(
        email=email,
        kind=target.kind,
        firm=target.firm,
        is_admin=target.is_admin,
        agency=target.agency,
        agency_role=target.agency_role,
        invited_by=actor,
        created_at=now,
        expires_at=now + invitation_ttl(),
        token_hash=token_hash(token),
    )
    audit_record(actor=actor, action=AuditAction.INVITATION_SENT, target=invitation, data=_audit_data(invitation))
    # robust: a mail server that is down is logged and does not turn the committed invitation
    # into an error page; the inviter can revoke and send again.
    transaction.on_commit(lambda: _send_invitation_email(invitation, token), robust=True)
    return invitation, token


def _link_refusal(invitation: Invitation | None, now: datetime.datetime) -> DomainError | None:
    if invitation is None:
        return DomainError(
            "This invitation link is not valid. Check that you opened the whole link from the email, "
            "or ask the person who invited you for a new invitation.",
            code=LINK_UNKNOWN,
        )
    if invitation.accepted_at is not None:
        return DomainError(
            "This invitation has already been used to set up an account. If that was you, sign in; "
            "if not, tell the person who invited you.",
            code=LINK_USED,
        )
    if invitation.revoked_at is not None:
        return DomainError(
            f"This invitation was withdrawn on {describe_moment(invitation.revoked_at)}. "
            "Ask the person who invited you for a new invitation if you still need an account.",
            code=LINK_REVOKED,
        )
    if invitation.expires_at <= now:
        return DomainError(
            f"This invitation expired on {describe_moment(invitation.expires_at)}. "
            "Ask the person who invited you, or a program coordinator, for a new invitation.",
            code=LINK_EXPIRED,
        )
    return None


def _record_expired_use(invitation: Invitation) -> None:
    """Its own transaction, after the refused one has rolled back, so the record survives."""
    with transaction.atomic():
        audit_record(
            actor=None,
            action=AuditAction.INVITATION_EXPIRED,
            target=invitation,
            data={"email": invitation.email, "expires_at": invitation.expires_at},
        )


def invitation_check_link(*, token: str) -> Invitation:
    """The invitation a link opens, if it can still be accepted; otherwise the DomainError that
    says why (code: one of ``LINK_CODES``). Using an expired link is audited."""
    invitation = invitation_by_token(token=token)
    if refusal := _link_refusal(invitation, timezone.now()):
        if refusal.code == LINK_EXPIRED and invitation is not None:
            _record_expired_use(invitation)
        raise refusal
    assert invitation is not None
    return invitation


def _validate_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), code="invalid_password") from None


def _add_to_organisation(invitation: Invitation, user: User) -> None:
    inviter = invitation.invited_by
    if invitation.kind == InvitationKind.FIRM:
        assert invitation.firm is not None
        firm_membership_add(firm=invitation.firm, user=user, is_admin=invitation.is_admin, actor=inviter)
    elif invitation.kind == InvitationKind.AGENCY:
        assert invitation.agency is not None
        agency_membership_add(agency=invitation.agency, user=user, role=invitation.agency_role, actor=inviter)
    else:
        coordinator_appoint(user=user, actor=inviter)


def invitation_accept(*, token: str, password: str, full_name: str) -> User:
    """Accept the invitation a link's ``token`` opens: create the account (or complete an
    existing account that has no organisation), set its password, add it to the organisation in
    the invited role, and mark the invitation used. All or nothing.

    Not wrapped in one ``atomic`` like the others: the use of an expired link is recorded after
    the refused transaction rolls back.
    """
    expired: Invitation | None = None
    try:
        with transaction.atomic():
            invitation = invitation_by_token(token=token, for_update=True)
            now = timezone.now()
            if refusal := _link_refusal(invitation, now):
                if refusal.code == LINK_EXPIRED:
                    expired = invitation
                raise refusal
            assert invitation is not None
            return _accept(invitation, now=now, password=password, full_name=full_name)
    except DomainError:
        if expired is not None:
            _record_expired_use(expired)
        raise


FULL_NAME_MAX = 150  # User.full_name's max_length


def _accept(invitation: Invitation, *, now: datetime.datetime, password: str, full_name: str) -> User:
    full_name = " ".join((full_name or "").split())
    if not full_name:
        raise DomainError("Please give your full name.", code="invalid_name")
    if len(full_name) > FULL_NAME_MAX:
        raise DomainError("Your name is too long for the form; please shorten it.", code="invalid_name")
    inviter = invitation.invited_by
    if invite_refusal(inviter, invitation.target):
        raise DomainError(
            f"{inviter.get_full_name()}, who sent this invitation, can no longer invite people as "
            f"{invitation.target.label}, so it cannot be used. "
            "Ask your organisation or a program coordinator for a new invitation.",
            code="inviter_lost_rights",
        )
    user = User.objects.select_for_update().filter(email__iexact=invitation.email).first()
    existing_account = user is not None
    if user is None:
        user = User(email=invitation.email, full_name=full_name)
        _validate_password(password, user)
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save(force_insert=True)
        except IntegrityError:
            raise DomainError(
                f"An account for {invitation.email} was created at the same moment; try the link again.",
                code="conflict",
            ) from None
    else:
        if not user.is_active:
            raise DomainError(f"The account for {user.email} has been deactivated; it cannot accept invitations.")
        if belongs_to_an_organisation(user):
            raise DomainError(f"{user.email} already belongs to an organisation; a person has exactly one.")
        user.full_name = full_name
        _validate_password(password, user)
        user.set_password(password)
        user.save(update_fields=["full_name", "password"])
    # The link reached this mailbox: the address is verified, for allauth's own flows.
    EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).update(primary=False)
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    _add_to_organisation(invitation, user)
    invitation.accepted_at = now
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    audit_record(
        actor=user,
        action=AuditAction.INVITATION_ACCEPTED,
        target=invitation,
        data={**_audit_data(invitation), "user": user.pk, "existing_account": existing_account},
    )
    return user


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    """Withdraw a pending invitation: its link stops working at once."""
    # Locked, so that a revocation and an acceptance of the same link cannot both succeed.
    invitation = (
        Invitation.objects.select_for_update(of=("self",)).select_related("firm", "agency").get(pk=invitation.pk)
    )
    if refusal := invite_refusal(actor, invitation.target):
        raise DomainError(f"You cannot revoke this invitation. {refusal}", code="forbidden")
    if invitation.accepted_at is not None:
        raise DomainError(
            f"{invitation.email} has already accepted this invitation; deactivate the account instead if needed."
        )
    if invitation.revoked_at is not None:
        raise DomainError(f"The invitation to {invitation.email} was already revoked.")
    now = timezone.now()
    if invitation.expires_at <= now:
        raise DomainError(f"The invitation to {invitation.email} has already expired; there is nothing to revoke.")
    invitation.revoked_at = now
    invitation.revoked_by = actor
    invitation.save(update_fields=["revoked_at", "revoked_by"])
    audit_record(actor=actor, action=AuditAction.INVITATION_REVOKED, target=invitation, data=_audit_data(invitation))
    return invitation


def _notify_email_change(*, old: str, new: str) -> None:
    """Tell both addresses, so that the owner of the old one hears of a change they did not ask for."""
    body = (
        "Hello,\n\n"
        f"The program office changed the address you sign in to Checkpoint with from {old} to {new}.\n\n"
        "If you did not ask for this, contact the program office at once.\n\n"
        f"Checkpoint\n{settings.SITE_URL}\n"
    )
    send_mail("Your Checkpoint sign-in address was changed", body, None, [old, new])


@transaction.atomic
def account_change_email(*, user: User, new_email: str, actor: User) -> User:
    """A program coordinator changes the address a person signs in with.

    The address is a person's identity here (invitations, sign-in, password reset), so nobody
    changes their own: an address added by its holder would become their sign-in identity before
    anyone knew it was theirs, and would block the real owner's invitation. The coordinator
    confirms the new address with the person out of band; both addresses are told of the change.
    """
    require_coordinator(actor, "change a person's email address")
    new_email = (new_email or "").strip().lower()
    try:
        validate_email(new_email)
    except ValidationError:
        raise DomainError(f"{new_email or 'An empty address'} is not a valid email address.") from None
    user = User.objects.select_for_update().get(pk=user.pk)
    old_email = user.email
    if new_email == old_email.lower():
        raise DomainError(f"{old_email} is already this person's address.")
    if (
        User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists()
        or EmailAddress.objects.filter(email__iexact=new_email).exclude(user=user).exists()
    ):
        raise DomainError(f"{new_email} is the address of another account.")
    if Invitation.objects.pending().filter(email=new_email).exists():
        raise DomainError(f"{new_email} has an open invitation. Revoke it first.")
    user.email = new_email
    user.save(update_fields=["email"])
    EmailAddress.objects.filter(user=user).delete()
    EmailAddress.objects.create(user=user, email=new_email, verified=True, primary=True)
    audit_record(
        actor=actor, action=AuditAction.ACCOUNT_EMAIL_CHANGED, target=user, data={"from": old_email, "to": new_email}
    )
    transaction.on_commit(lambda: _notify_email_change(old=old_email, new=new_email), robust=True)
    return user
