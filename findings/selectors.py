"""Reads of findings and comments, through the user's object permissions (cases.audience)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from core.permissions import get_visible_or_404, visible
from findings.models import Comment, Finding
from findings.permissions import VIEW_COMMENT, VIEW_FINDING


def findings_for(user: Any) -> QuerySet[Finding]:
    return visible(user, VIEW_FINDING, Finding.objects.select_related("case__model__firm", "agency"))


def get_finding_for(user: Any, pk: Any, *, related: tuple[str, ...] = ()) -> Finding:
    """One finding, if ``user`` may read it; 404 for missing and forbidden alike. ``related``: more
    rows to fetch in the same statement (a page that shows them)."""
    return get_visible_or_404(
        user, VIEW_FINDING, Finding.objects.select_related("case__model__firm__group", "agency__group", *related), pk
    )


def comments_for(user: Any) -> QuerySet[Comment]:
    return visible(user, VIEW_COMMENT, Comment.objects.select_related("author", "agency"))


def get_comment_for(user: Any, pk: Any) -> Comment:
    return get_visible_or_404(user, VIEW_COMMENT, Comment.objects.select_related("case", "finding"), pk)
