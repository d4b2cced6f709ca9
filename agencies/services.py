from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.text import slugify

from accounts.models import User
from accounts.services import require_coordinator, require_no_organisation
from agencies import policy
from agencies.models import Agency, AgencyMembership, AgencyRole
from audit.actions import AuditAction
from audit.services import audit_record
from core.errors import DomainError
from core.policy import require


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


@transaction.atomic
def agency_membership_add(*, agency: Agency, user: User, role: str, actor: User | None) -> AgencyMembership:
    if role not in AgencyRole.values:
        raise DomainError(f"{role!r} is not an agency role (reviewer or supervisor).")
    if actor is not None:
        require(policy.agency_member_add_refusal(actor, agency, role=role))
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
    require(policy.agency_member_remove_refusal(actor, membership.agency, member=membership.user, role=membership.role))
    membership.user.groups.remove(membership.agency.group)
    audit_record(
        actor=actor,
        action=AuditAction.AGENCY_MEMBER_REMOVED,
        target=membership.user,
        data={"agency": membership.agency_id, "user": membership.user_id},
    )
    membership.delete()
