"""What organisation a person belongs to, and in what role. A person has exactly one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist

if TYPE_CHECKING:
    from agencies.models import AgencyMembership
    from firms.models import FirmMembership


def firm_membership(user: Any) -> FirmMembership | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    try:
        return user.firm_membership
    except ObjectDoesNotExist:
        return None


def agency_membership(user: Any) -> AgencyMembership | None:
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    try:
        return user.agency_membership
    except ObjectDoesNotExist:
        return None


def is_supervisor(user: Any) -> bool:
    membership = agency_membership(user)
    return bool(membership and membership.is_supervisor)


def is_coordinator(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)


def has_organisation(user: Any) -> bool:
    return bool(user.is_staff or firm_membership(user) or agency_membership(user))


def role_label(user: Any) -> str:
    """A short description for headers: 'Liaison, Northwind AI', 'Supervisor, DoD', ..."""
    if membership := firm_membership(user):
        return f"{'Firm admin' if membership.is_admin else 'Liaison'}, {membership.firm.name}"
    if membership := agency_membership(user):
        return f"{membership.get_role_display()}, {membership.agency.short_name}"
    if is_coordinator(user):
        return "Program coordinator"
    return ""
