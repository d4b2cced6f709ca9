from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction

from accounts.models import User
from accounts.roles import agency_membership, firm_membership, is_coordinator
from audit.actions import AuditAction
from audit.services import audit_record
from core.errors import DomainError
from core.permissions import coordinators_group


def require_coordinator(actor: Any, what: str) -> None:
    if not is_coordinator(actor):
        raise DomainError(f"Only a program coordinator can {what}.", code="forbidden")


def require_no_organisation(user: User) -> None:
    # Read the membership tables themselves: a deactivated account still belongs where it was.
    from agencies.models import AgencyMembership
    from firms.models import FirmMembership

    if (
        user.is_staff
        or FirmMembership.objects.filter(user=user).exists()
        or AgencyMembership.objects.filter(user=user).exists()
    ):
        raise DomainError(f"{user.email} already belongs to an organisation; a person has exactly one.")


@transaction.atomic
def coordinator_appoint(*, user: User, actor: User | None) -> User:
    """Make ``user`` a program coordinator. ``actor`` None is the operator at the command line."""
    if actor is not None:
        require_coordinator(actor, "appoint coordinators")
    if firm_membership(user) or agency_membership(user):
        raise DomainError(
            f"{user.email} already belongs to a firm or an agency; a person has exactly one organisation."
        )
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(coordinators_group())
    audit_record(actor=actor, action=AuditAction.COORDINATOR_APPOINTED, target=user, data={"email": user.email})
    return user


def _end_sessions_of(user: User) -> int:
    """Delete the user's open sessions (database sessions), so that they are gone for good and a
    later reactivation does not bring them back. A deactivated user's sessions would stop working
    at their next request anyway: the authentication backends refuse inactive accounts."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            ended.append(session.pk)
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


@transaction.atomic
def user_deactivate(*, user: User, actor: User) -> User:
    """Deactivate an account: it can no longer sign in and sees nothing."""
    require_coordinator(actor, "deactivate accounts")
    if user.pk == actor.pk:
        raise DomainError("You cannot deactivate your own account.")
    if not user.is_active:
        raise DomainError(f"{user.email} is already deactivated.")
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = _end_sessions_of(user)
    audit_record(
        actor=actor,
        action=AuditAction.USER_DEACTIVATED,
        target=user,
        data={"email": user.email, "sessions_ended": ended},
    )
    return user


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
    from allauth.account.models import EmailAddress

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
    from invitations.models import Invitation

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
