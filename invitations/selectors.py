"""Reads for the invitation and account pages. Fetch-and-authorize functions answer 404 alike
for "does not exist" and "not yours"."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from accounts.roles import agency_membership, firm_membership, is_coordinator
from agencies.models import Agency, AgencyRole
from core.permissions import refuse_access
from firms.models import Firm
from invitations.models import Invitation, InvitationKind, InvitationTarget
from invitations.permissions import may_invite


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_by_token(*, token: str, for_update: bool = False) -> Invitation | None:
    """The invitation a link's token opens, or None (unknown or tampered)."""
    queryset = Invitation.objects.select_related("firm", "agency", "invited_by")
    if for_update:
        # Lock the invitation row only: the joined firm or agency is on the nullable side.
        queryset = queryset.select_for_update(of=("self",))
    return queryset.filter(token_hash=token_hash(token)).first()


def invitation_targets_for(*, actor: Any) -> list[InvitationTarget]:
    """Every place ``actor`` may invite someone to, in the order a form offers them."""
    if is_coordinator(actor):
        targets: list[InvitationTarget] = []
        for firm in Firm.objects.order_by("name"):
            targets.append(InvitationTarget(kind=InvitationKind.FIRM, firm=firm, is_admin=True))
            targets.append(InvitationTarget(kind=InvitationKind.FIRM, firm=firm, is_admin=False))
        for agency in Agency.objects.order_by("short_name"):
            for role in (AgencyRole.SUPERVISOR, AgencyRole.REVIEWER):
                targets.append(InvitationTarget(kind=InvitationKind.AGENCY, agency=agency, agency_role=role))
        targets.append(InvitationTarget(kind=InvitationKind.COORDINATOR))
        return targets
    candidates: list[InvitationTarget] = []
    if firm_side := firm_membership(actor):
        candidates.append(InvitationTarget(kind=InvitationKind.FIRM, firm=firm_side.firm, is_admin=False))
    if agency_side := agency_membership(actor):
        candidates.append(
            InvitationTarget(kind=InvitationKind.AGENCY, agency=agency_side.agency, agency_role=AgencyRole.REVIEWER)
        )
    # The rule in permissions.py decides; this only lists the candidates it could allow.
    return [target for target in candidates if may_invite(actor, target)]


def may_invite_anyone(*, actor: Any) -> bool:
    return bool(invitation_targets_for(actor=actor))


def invitations_pending_for(*, actor: Any) -> QuerySet[Invitation]:
    """The pending invitations ``actor`` may see: a coordinator all; a firm admin their firm's;
    a supervisor their agency's; anyone else none."""
    pending = Invitation.objects.pending().select_related("firm", "agency", "invited_by")
    if is_coordinator(actor):
        return pending
    if (firm := firm_membership(actor)) and firm.is_admin:
        return pending.filter(firm_id=firm.firm_id)
    if (agency := agency_membership(actor)) and agency.is_supervisor:
        return pending.filter(agency_id=agency.agency_id)
    return pending.none()


def _refused(actor: Any, what: str, pk: Any) -> Http404:
    return refuse_access(actor, what, pk)


def get_pending_invitation_for(*, actor: Any, pk: Any) -> Invitation:
    try:
        return invitations_pending_for(actor=actor).get(pk=pk)
    except (Invitation.DoesNotExist, ValueError, TypeError):
        raise _refused(actor, "invitations.invitation", pk) from None


def accounts_for(*, actor: Any) -> QuerySet[User]:
    """The accounts a coordinator manages (all of them); none for anyone else."""
    if not is_coordinator(actor):
        return User.objects.none()
    return User.objects.select_related("firm_membership__firm", "agency_membership__agency").order_by("email")


def get_account_for(*, actor: Any, pk: Any) -> User:
    try:
        return accounts_for(actor=actor).get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise _refused(actor, "accounts.user", pk) from None
