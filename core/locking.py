"""Row locks for state transitions."""

from __future__ import annotations

from typing import TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def lock_and_refresh(obj: M, *, fields: list[str] | None = None) -> M:
    """Lock ``obj``'s row (SELECT ... FOR UPDATE, in the caller's transaction) and re-read it:
    two transitions of one object never interleave, and each decides on what the other committed."""
    list(type(obj)._default_manager.select_for_update().filter(pk=obj.pk).values_list("pk"))
    obj.refresh_from_db(fields=fields)
    return obj
