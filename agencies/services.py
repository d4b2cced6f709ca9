from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.text import slugify

from accounts.models import User
from accounts.roles import agency_membership
from accounts.services import require_coordinator, require_no_organisation
from agencies.models import Agency, AgencyMembership, AgencyRole
from audit.actions import AuditAction
from audit.services import audit_record
from core.errors import DomainError


@transaction.atomic
def agency_create(*, code: str, name: str, short_name: str, actor: User | None) -> Agency:
    if actor is not None:
        require_coordinator(actor, "add agencies")
    code = slugify(code)[:20]
    if not code or not name.strip() or not short_name.strip():
        raise DomainError("An agency needs a code, a name and a short name.")
    if Agency.objects.filter(code=code).exists() or Agency.objects.filter(name__iexact=name.strip()).exists():
        raise DomainError(f"An agency with the code {code!r} or the name {name!r} already exists.")
    group = Group.objects.create(name=f"agency:{code}")
    agency = Agency.objects.create(code=code, name=name.strip(), short_name=short_name.strip(), group=group)
    audit_record(actor=actor, action=AuditAction.AGENCY_CREATED, target=agency, data={"code": code})
    return agency


def _may_manage_members(actor: User, agency: Agency, role: str) -> bool:
    if actor.is_staff and actor.is_active:
        return True
    acting = agency_membership(actor)
    # A supervisor brings in reviewers of their own agency; supervisors are the coordinators' call.
    return bool(acting and acting.is_supervisor and acting.agency_id == agency.pk and role == AgencyRole.REVIEWER)


@transaction.atomic
def agency_membership_add(*, agency: Agency, user: User, role: str, actor: User | None) -> AgencyMembership:
    if role not in AgencyRole.values:
        raise DomainError(f"{role!r} is not an agency role (reviewer or supervisor).")
    if actor is not None and not _may_manage_members(actor, agency, role):
        raise DomainError(
            "Only a program coordinator, or a supervisor of this agency for reviewers, can add its members.",
            code="forbidden",
        )
    require_no_organisation(user)
    membership = AgencyMembership.objects.create(user=user, agency=agency, role=role)
    user.groups.add(agency.group)
    audit_record(
        actor=actor,
        action=AuditAction.AGENCY_MEMBER_ADDED,
        target=membership,
        data={"agency": agency.pk, "user": user.pk, "role": role},
    )
    return membership


@transaction.atomic
def agency_membership_remove(*, membership: AgencyMembership, actor: User) -> None:
    if not _may_manage_members(actor, membership.agency, membership.role):
        raise DomainError("Only a program coordinator can remove this member.", code="forbidden")
    if membership.user_id == actor.pk:
        raise DomainError("You cannot remove yourself from your agency.")
    membership.user.groups.remove(membership.agency.group)
    audit_record(
        actor=actor,
        action=AuditAction.AGENCY_MEMBER_REMOVED,
        target=membership.user,
        data={"agency": membership.agency_id, "user": membership.user_id},
    )
    membership.delete()
