"""Who may invite whom: the one rule, used to offer choices, to send, to revoke and to accept.

- A program coordinator invites anyone: firm admins and liaisons of any firm, reviewers and
  supervisors of any agency, and other coordinators.
- A firm admin invites liaisons (not admins) of their own firm.
- An agency supervisor invites reviewers (not supervisors) of their own agency.
- Nobody else invites.

Making someone an admin or a supervisor is the program office's call, as it is in
``agencies.services`` for supervisors.
"""

from __future__ import annotations

from typing import Any

from accounts.roles import agency_membership, firm_membership, is_coordinator
from agencies.models import AgencyRole
from invitations.models import Invitation, InvitationKind, InvitationTarget

NOBODY_ELSE = "Only a program coordinator, a firm admin or an agency supervisor can invite people."


def invite_refusal(actor: Any, target: InvitationTarget) -> str | None:
    """Why ``actor`` may not invite someone to ``target``; None when they may."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return NOBODY_ELSE
    if is_coordinator(actor):
        return None
    if (acting_firm := firm_membership(actor)) and acting_firm.is_admin:
        if target.kind != InvitationKind.FIRM or target.firm is None or target.firm.pk != acting_firm.firm_id:
            return "A firm admin can invite liaisons of their own firm only."
        if target.is_admin:
            return "Only a program coordinator can invite firm admins."
        return None
    if (acting_agency := agency_membership(actor)) and acting_agency.is_supervisor:
        if target.kind != InvitationKind.AGENCY or target.agency is None or target.agency.pk != acting_agency.agency_id:
            return "An agency supervisor can invite reviewers of their own agency only."
        if target.agency_role != AgencyRole.REVIEWER:
            return "Only a program coordinator can invite agency supervisors."
        return None
    return NOBODY_ELSE


def may_invite(actor: Any, target: InvitationTarget) -> bool:
    return invite_refusal(actor, target) is None


def may_revoke(actor: Any, invitation: Invitation) -> bool:
    """One may withdraw the invitations one could have sent."""
    return may_invite(actor, invitation.target)
