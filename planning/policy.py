"""Who may use the planning pages: one rule per action."""

from __future__ import annotations

from typing import Any

from accounts.roles import has_organisation, is_supervisor
from core.policy import Refusal, forbidden


def calendar_feed_create_refusal(actor: Any) -> Refusal | None:
    """Anyone of the program (a firm, an agency, the program office) may have a feed of their own."""
    if actor is None or not actor.is_authenticated or not has_organisation(actor):
        return forbidden("Only a member of a firm, an agency or the program office has a review calendar.")
    return None


def calendar_feed_revoke_refusal(actor: Any, *, has_feed: bool) -> Refusal | None:
    if not has_feed:
        return Refusal("You have no calendar feed to revoke.")
    return None


def workload_view_refusal(actor: Any) -> Refusal | None:
    """An agency's workload is its supervisors' to see."""
    if not is_supervisor(actor):
        return forbidden("Only an agency supervisor sees the agency's workload.")
    return None
