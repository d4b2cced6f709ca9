"""Small helpers shared by the portal's views. Views stay thin: authorize and fetch (selectors),
validate the form, call the service, redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import HttpRequest

from core.errors import DomainError

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
