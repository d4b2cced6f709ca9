"""What organisation a person belongs to, and in what role. A person has exactly one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet

from core.permissions import COORDINATORS_GROUP

if TYPE_CHECKING:
    from accounts.models import User
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


def coordinators() -> QuerySet[User]:
    """The program coordinators: active staff in the coordinators' group, which holds their object
    permissions (``core.permissions``). Staff outside the group (say, an operator's superuser) are
    not coordinators: they would see no case."""
    from accounts.models import User

    return User.objects.filter(is_active=True, is_staff=True, groups__name=COORDINATORS_GROUP)


def is_coordinator(user: Any) -> bool:
    """Is ``user`` a program coordinator (``coordinators``)? Asked once per person object."""
    if user is None or not user.is_authenticated or not user.is_active or not user.is_staff:
        return False
    cached = getattr(user, "_checkpoint_is_coordinator", None)
    if cached is None:
        cached = user.groups.filter(name=COORDINATORS_GROUP).exists()
        user._checkpoint_is_coordinator = cached
    return bool(cached)


def belongs_to_an_organisation(user: Any) -> bool:
    """Has ``user`` an organisation (a firm, an agency, the program office), active or not? A
    deactivated account still belongs where it was: a person has exactly one organisation, ever."""
    for relation in ("firm_membership", "agency_membership"):
        try:
            getattr(user, relation)
        except ObjectDoesNotExist:
            continue
        return True
    return bool(user.is_staff)


def has_organisation(user: Any) -> bool:
    return bool(user.is_staff or firm_membership(user) or agency_membership(user))


def role_label(user: Any) -> str:
    """A short description for headers: 'Liaison, Northwind AI', 'Supervisor, DoD', ..."""
    if firm := firm_membership(user):
        return f"{'Firm admin' if firm.is_admin else 'Liaison'}, {firm.firm.name}"
    if agency := agency_membership(user):
        return f"{agency.get_role_display()}, {agency.agency.short_name}"
    if is_coordinator(user):
        return "Program coordinator"
    return ""


def sees_government_names(reader: Any) -> bool:
    """Whether ``reader`` reads the names of government reviewers and supervisors. A firm reads the
    agency instead ("DoD released this finding"), unless the program turns names on
    (``CHECKPOINT_FIRMS_SEE_REVIEWER_NAMES``). No reader (a serializer built without its request,
    anonymous) reads as a firm does: the default withholds the names."""
    if settings.CHECKPOINT_FIRMS_SEE_REVIEWER_NAMES:
        return True
    if reader is None or not getattr(reader, "is_authenticated", False):
        return False
    return firm_membership(reader) is None


def shown_name(person: Any, reader: Any, agency: Any = None) -> str:
    """``person``'s name as ``reader`` may read it: the name, or, for a firm reading a government
    person, the short name of their agency (``agency`` when the caller knows it)."""
    if person is None:
        return ""
    if sees_government_names(reader):
        return str(person.get_full_name())
    if agency is None:
        membership = agency_membership(person)
        if membership is None:
            return str(person.get_full_name())  # the firm's own people, the program office
        agency = membership.agency
    return str(agency.short_name)
