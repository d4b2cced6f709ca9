"""Small helpers shared by the portal's views. Views stay thin: authorize and fetch (selectors),
validate the form, call the service, redirect."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpRequest

from accounts.roles import firm_membership, is_coordinator, is_supervisor
from core.errors import DomainError
from core.permissions import refuse_access

T = TypeVar("T")
PAGE_SIZE = 25


def attempt(request: HttpRequest, call: Callable[[], T], *, form: forms.Form | None = None) -> T | None:
    """Run a service call; show its refusal (on the form, or as a message) and return None."""
    try:
        return call()
    except DomainError as error:
        if form is not None:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.error(request, error.message)
        return None


def paginate(request: HttpRequest, queryset: Any, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


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
