"""Role gates for pages: a page that belongs to one role answers 403 to the others, and a page of
one object answers 404 (as for an object that does not exist)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.roles import firm_membership, is_coordinator, is_supervisor
from core.permissions import refuse_access


def _role_required(
    check: Callable[[Any], bool], *, hide: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Refuse a page outside the user's role: 403 for a role's own pages, 404 (``hide``) for the
    pages of one object, which answer alike for "does not exist" and "not yours"."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not request.user.is_authenticated:
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not check(request.user):
                if hide:
                    raise refuse_access(request.user, f"view:{view.__name__}", kwargs.get("pk", ""))
                raise PermissionDenied("This page is not part of your role in Checkpoint.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


coordinator_required = _role_required(is_coordinator)
coordinator_object = _role_required(is_coordinator, hide=True)
supervisor_object = _role_required(is_supervisor, hide=True)
liaison_required = _role_required(lambda user: firm_membership(user) is not None)
