"""The header's unread count (templates/base.html reads ``unread_notifications``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from notifications.selectors import unread_count


def unread(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: the query runs once, and only on a page that shows the count.
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
