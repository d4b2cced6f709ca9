from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.models import User
from accounts.roles import agency_membership, firm_membership, is_coordinator
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
    audit_record(actor=actor, action="coordinator.appointed", target=user, data={"email": user.email})
    return user


@transaction.atomic
def user_deactivate(*, user: User, actor: User) -> User:
    """Deactivate an account: it can no longer sign in and sees nothing."""
    require_coordinator(actor, "deactivate accounts")
    if user.pk == actor.pk:
        raise DomainError("You cannot deactivate your own account.")
    if not user.is_active:
        raise DomainError(f"{user.email} is already deactivated.")
    user.is_active = False
    # A new (unusable) password hash invalidates every open session for good: reactivating the
    # account later does not bring them back, and it then starts with a password reset.
    user.set_unusable_password()
    user.save(update_fields=["is_active", "password"])
    audit_record(actor=actor, action="user.deactivated", target=user, data={"email": user.email})
    return user
