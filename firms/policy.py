"""Who may add or remove a firm's liaisons: the one rule, which invitations ask too."""

from __future__ import annotations

from typing import Any

from accounts.roles import firm_membership, is_coordinator
from core.policy import Refusal, forbidden
from firms.models import Firm


def firm_member_add_refusal(actor: Any, firm: Firm, *, is_admin: bool = False) -> Refusal | None:
    """A coordinator adds anyone; a firm admin adds liaisons (not admins) of their own firm."""
    if is_coordinator(actor):
        return None
    acting = firm_membership(actor)
    if acting is not None and acting.is_admin:
        if acting.firm_id != firm.pk:
            return forbidden("A firm admin can invite liaisons of their own firm only.")
        if is_admin:
            return forbidden("Only a program coordinator can invite firm admins.")
        return None
    return forbidden("Only a program coordinator or an admin of this firm can add its liaisons.")


def firm_member_remove_refusal(actor: Any, firm: Firm, *, member: Any) -> Refusal | None:
    if is_coordinator(actor):
        refusal = None
    else:
        acting = firm_membership(actor)
        if acting is None or not acting.is_admin or acting.firm_id != firm.pk:
            return forbidden("Only a program coordinator or an admin of this firm can remove its liaisons.")
        refusal = None
    if member.pk == getattr(actor, "pk", None):
        return Refusal("You cannot remove yourself from your firm.")
    return refusal
