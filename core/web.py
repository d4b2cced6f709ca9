"""Small helpers shared by the portal's views. Views stay thin: authorize and fetch (selectors),
validate the form, call the service, redirect."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django import forms
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from core.errors import DomainError

T = TypeVar("T")
M = TypeVar("M", bound=Model)
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


# The largest primary key PostgreSQL's bigint holds: a cursor beyond it is not a place in any table.
_LARGEST_KEY = 2**63 - 1


@dataclass(frozen=True)
class KeysetPage(Generic[M]):
    """One page of rows newest first (highest primary key first), found from a cursor instead of
    an offset, and never counted: it costs the same at the end of a million-row log as at its start.

    ``newer`` and ``older`` are the cursors of the neighbouring pages (``?after=`` and ``?before=``),
    None when there is no such page."""

    rows: list[M]
    per_page: int
    newer: int | None = None
    older: int | None = None

    @property
    def complete(self) -> bool:
        """The page shows every matching row: ``len(rows)`` is their exact count."""
        return self.newer is None and self.older is None


def keyset_page(
    request: HttpRequest, queryset: QuerySet[M], per_page: int = 50, *, noun: str = "events"
) -> KeysetPage[M]:
    """The page of ``queryset`` (read newest first by primary key) that the request's cursor asks
    for: ``?before=<pk>`` the ``per_page`` rows older than that row, ``?after=<pk>`` the ``per_page``
    rows newer than it, neither the newest rows. A cursor that is not a row's key, both at once, or
    one past either end of the rows, is said in a message (``noun``: what the rows are), and the
    newest page is shown instead.

    One query for the newest page; a page found by a cursor asks one more (``EXISTS``) whether
    anything lies beyond it on the other side. No ``COUNT``, no ``OFFSET``."""
    before, before_problem = _cursor(request, "before", noun)
    after, after_problem = _cursor(request, "after", noun)
    problem = before_problem or after_problem
    if problem is None and before is not None and after is not None:
        problem = f"A page shows {noun} either newer or older than one, not both"
    if problem is None and (before is not None or after is not None):
        page = _keyset(queryset, per_page, before=before, after=after)
        if page.rows:
            return page
        problem = f"There are no {noun} beyond that point"
    if problem is not None:
        messages.warning(request, f"{problem}: here are the newest {noun}.")
    return _keyset(queryset, per_page)


def _cursor(request: HttpRequest, key: str, noun: str) -> tuple[int | None, str | None]:
    """The cursor ``key`` of the query string and None, or None and what is wrong with it."""
    value = request.GET.get(key, "").strip()
    if not value:
        return None, None
    if value.isascii() and value.isdigit() and 0 < int(value) <= _LARGEST_KEY:
        return int(value), None
    shown = value if len(value) <= 24 else value[:24] + "…"
    return None, f"That link to a page of {noun} is not valid ({key}={shown})"


def _keyset(
    queryset: QuerySet[M], per_page: int, *, before: int | None = None, after: int | None = None
) -> KeysetPage[M]:
    # One row more than the page shows says whether there is a further page that way.
    if after is not None:
        rising = list(queryset.filter(pk__gt=after).order_by("pk")[: per_page + 1])
        rows = rising[:per_page][::-1]
        newer = rows[0].pk if len(rising) > per_page else None
        older = rows[-1].pk if rows and queryset.filter(pk__lt=rows[-1].pk).exists() else None
        return KeysetPage(rows=rows, per_page=per_page, newer=newer, older=older)
    newest_first = queryset.order_by("-pk")
    if before is not None:
        newest_first = newest_first.filter(pk__lt=before)
    falling = list(newest_first[: per_page + 1])
    rows = falling[:per_page]
    older = rows[-1].pk if len(falling) > per_page else None
    # The newest page has nothing newer; a page below a cursor asks (a row added since is newer too).
    newer = rows[0].pk if before is not None and rows and queryset.filter(pk__gt=rows[0].pk).exists() else None
    return KeysetPage(rows=rows, per_page=per_page, newer=newer, older=older)
