"""Who reads the program's metrics (core.policy's shape): the program office for the program, a
supervisor for their own agency. Reviewers and firms do not (the program is voluntary: no firm is
measured against another, and none reads a table of the program)."""

from __future__ import annotations

from typing import Any

from accounts.roles import agency_membership, is_coordinator
from agencies.models import Agency
from core.policy import Refusal, forbidden


def metrics_view_refusal(actor: Any) -> Refusal | None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return forbidden("Sign in first.")
    if is_coordinator(actor):
        return None
    membership = agency_membership(actor)
    if membership is not None and membership.is_supervisor:
        return None
    return forbidden("Program metrics are read by the program office and by agency supervisors.")


def metrics_scope(actor: Any) -> Agency | None:
    """The agency whose work the metrics cover for ``actor``; None for the whole program."""
    if is_coordinator(actor):
        return None
    membership = agency_membership(actor)
    assert membership is not None, "ask metrics_view_refusal first"
    return membership.agency
