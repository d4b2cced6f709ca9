from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.models import SignedInSession, User
from accounts.roles import agency_membership, belongs_to_an_organisation, firm_membership, is_coordinator
from audit.actions import AuditAction
from audit.services import audit_record
from core.errors import DomainError
from core.permissions import coordinators_group


def require_coordinator(actor: Any, what: str) -> None:
    if not is_coordinator(actor):
        raise DomainError(f"Only a program coordinator can {what}.", code="forbidden")


def require_no_organisation(user: User) -> None:
    if belongs_to_an_organisation(user):
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
    """Delete the user's open sessions, so that they are gone for good and a later reactivation
    does not bring them back. A deactivated user's sessions would stop working at their next
    request anyway: the authentication backends refuse inactive accounts."""
    ended, _ = SignedInSession.objects.filter(user=user).delete()
    return ended


@transaction.atomic
def sessions_end_others(*, actor: User, current_session_key: str | None) -> int:
    """Sign ``actor`` out everywhere but the session ``current_session_key`` (their own, on this
    device): each other device's next request finds no session and asks to sign in again."""
    others = SignedInSession.objects.filter(user=actor)
    if current_session_key:
        others = others.exclude(session_key=current_session_key)
    ended, _ = others.delete()
    audit_record(
        actor=actor, action=AuditAction.AUTH_OTHER_SESSIONS_ENDED, target=actor, data={"sessions_ended": ended}
    )
    return ended


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
