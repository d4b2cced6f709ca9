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


class _CountedPaginator(Paginator):
    def __init__(self, object_list: Any, per_page: int, count: Callable[[], int]) -> None:
        super().__init__(object_list, per_page)
        self._count = count

    @property
    def count(self) -> int:
        if not hasattr(self, "_counted"):
            self._counted = self._count()
        return self._counted


def paginate(
    request: HttpRequest, queryset: Any, per_page: int = PAGE_SIZE, *, count: Callable[[], int] | None = None
) -> Page:
    """One page of ``queryset``; ``count`` (when given) says how many rows it holds, more cheaply
    than ``COUNT(*)`` over it (``core.permissions.visible_count``)."""
    paginator = Paginator(queryset, per_page) if count is None else _CountedPaginator(queryset, per_page, count)
    return paginator.get_page(request.GET.get("page"))
