"""Who may invite whom: the one rule, used to offer choices, to send, to revoke and to accept.

- A program coordinator invites anyone: firm admins and liaisons of any firm, reviewers and
  supervisors of any agency, and other coordinators.
- A firm admin invites liaisons (not admins) of their own firm.
- An agency supervisor invites reviewers (not supervisors) of their own agency.
- Nobody else invites.

Making someone an admin or a supervisor is the program office's call. The rule on who adds members
is the firms' and agencies' own (``firms.policy``, ``agencies.policy``); this module only says
who invites at all.
"""

from __future__ import annotations

from typing import Any

from accounts.roles import agency_membership, firm_membership, is_coordinator
from agencies.policy import agency_member_add_refusal
from firms.policy import firm_member_add_refusal
from invitations.models import Invitation, InvitationKind, InvitationTarget

NOBODY_ELSE = "Only a program coordinator, a firm admin or an agency supervisor can invite people."
FIRM_ADMINS_OWN_FIRM = "A firm admin can invite liaisons of their own firm only."
SUPERVISORS_OWN_AGENCY = "An agency supervisor can invite reviewers of their own agency only."


def invite_refusal(actor: Any, target: InvitationTarget) -> str | None:
    """Why ``actor`` may not invite someone to ``target``; None when they may. An accepted
    invitation adds a member, so the membership rules decide (``firms.policy``,
    ``agencies.policy``); this adds only who invites at all, and to which kind of organisation."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return NOBODY_ELSE
    if is_coordinator(actor):
        return None
    firm_admin = (acting_firm := firm_membership(actor)) is not None and acting_firm.is_admin
    supervisor = (acting_agency := agency_membership(actor)) is not None and acting_agency.is_supervisor
    if firm_admin:
        if target.kind != InvitationKind.FIRM or target.firm is None:
            return FIRM_ADMINS_OWN_FIRM
        return firm_member_add_refusal(actor, target.firm, is_admin=target.is_admin)
    if supervisor:
        if target.kind != InvitationKind.AGENCY or target.agency is None:
            return SUPERVISORS_OWN_AGENCY
        return agency_member_add_refusal(actor, target.agency, role=target.agency_role)
    return NOBODY_ELSE


def may_invite(actor: Any, target: InvitationTarget) -> bool:
    return invite_refusal(actor, target) is None


def may_revoke(actor: Any, invitation: Invitation) -> bool:
    """One may withdraw the invitations one could have sent."""
    return may_invite(actor, invitation.target)
