from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from accounts.models import User
from accounts.services import require_coordinator, require_no_organisation
from audit.actions import AuditAction
from audit.services import audit_record
from core.errors import DomainError
from core.policy import require
from firms import policy
from firms.models import Firm, FirmMembership


@transaction.atomic
def firm_create(*, name: str, actor: User | None) -> Firm:
    """Register a firm. ``actor`` None is the operator (demo data, the command line)."""
    if actor is not None:
        require_coordinator(actor, "register firms")
    name = name.strip()
    if not name:
        raise DomainError("A firm needs a name.")
    slug = slugify(name)[:60]
    if not slug:
        raise DomainError("A firm's name needs at least one letter or digit.")
    if Firm.objects.filter(name__iexact=name).exists() or Firm.objects.filter(slug=slug).exists():
        raise DomainError(f"A firm named {name!r} is already registered.")
    try:
        with transaction.atomic():
            group = Group.objects.create(name=f"firm:{slug}")
            firm = Firm.objects.create(name=name, slug=slug, group=group)
    except IntegrityError:
        raise DomainError(f"A firm named {name!r} is already registered.") from None
    audit_record(actor=actor, action=AuditAction.FIRM_CREATED, target=firm, data={"name": name})
    return firm


@transaction.atomic
def firm_membership_add(*, firm: Firm, user: User, is_admin: bool, actor: User | None) -> FirmMembership:
    """Make ``user`` a liaison of ``firm``. A coordinator adds anyone; a firm admin adds liaisons
    to their own firm; ``actor`` None is the operator."""
    if actor is not None:
        require(policy.firm_member_add_refusal(actor, firm, is_admin=is_admin))
    require_no_organisation(user)
    membership = FirmMembership.objects.create(user=user, firm=firm, is_admin=is_admin)
    user.groups.add(firm.group)
    audit_record(
        actor=actor,
        action=AuditAction.FIRM_MEMBER_ADDED,
        target=membership,
        data={"firm": firm.pk, "user": user.pk, "is_admin": is_admin},
    )
    return membership


@transaction.atomic
def firm_membership_remove(*, membership: FirmMembership, actor: User) -> None:
    require(policy.firm_member_remove_refusal(actor, membership.firm, member=membership.user))
    membership.user.groups.remove(membership.firm.group)
    audit_record(
        actor=actor,
        action=AuditAction.FIRM_MEMBER_REMOVED,
        target=membership.user,
        data={"firm": membership.firm_id, "user": membership.user_id},
    )
    membership.delete()
