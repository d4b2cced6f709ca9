"""Who may change a saved search (core.policy's shape): its owner alone. Who may run one is
``search.selectors.saved_searches_for``: its owner, and their organisation when it is shared."""

from __future__ import annotations

from typing import Any

from core.policy import Refusal, forbidden
from search.models import SavedSearch


def saved_search_delete_refusal(actor: Any, saved: SavedSearch) -> Refusal | None:
    if actor is None or saved.owner_id != getattr(actor, "pk", None):
        return forbidden("Only the person who saved a search may delete it.")
    return None
