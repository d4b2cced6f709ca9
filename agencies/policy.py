"""Who may add or remove an agency's members: the one rule, which invitations ask too."""

from __future__ import annotations

from typing import Any

from accounts.roles import agency_membership, is_coordinator
from agencies.models import Agency, AgencyRole
from core.policy import Refusal, forbidden


def agency_member_add_refusal(actor: Any, agency: Agency, *, role: str) -> Refusal | None:
    """A coordinator adds anyone; a supervisor adds reviewers (not supervisors) of their own agency.
    Making someone a supervisor is the program office's call."""
    if is_coordinator(actor):
        return None
    acting = agency_membership(actor)
    if acting is not None and acting.is_supervisor:
        if acting.agency_id != agency.pk:
            return forbidden("An agency supervisor can invite reviewers of their own agency only.")
        if role != AgencyRole.REVIEWER:
            return forbidden("Only a program coordinator can invite agency supervisors.")
        return None
    return forbidden("Only a program coordinator, or a supervisor of this agency for reviewers, can add its members.")


def agency_member_remove_refusal(actor: Any, agency: Agency, *, member: Any, role: str) -> Refusal | None:
    if agency_member_add_refusal(actor, agency, role=role) is not None:
        return forbidden("Only a program coordinator can remove this member.")
    if member.pk == getattr(actor, "pk", None):
        return Refusal("You cannot remove yourself from your agency.")
    return None
