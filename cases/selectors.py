"""Reads of models and cases, through the user's object permissions."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from cases.models import AIModel, ReviewCase
from cases.permissions import VIEW_CASE, VIEW_MODEL
from core.permissions import get_visible_or_404, visible


def cases_for(user: Any, perm: str = VIEW_CASE) -> QuerySet[ReviewCase]:
    """The cases ``user`` may list: their firm's, their assigned agency's, or (coordinators) the
    submitted ones. One query, whatever the number of rows."""
    return visible(user, perm, ReviewCase.objects.select_related("model__firm"))


def get_case_for(user: Any, pk: Any, perm: str = VIEW_CASE) -> ReviewCase:
    """One case, if ``user`` holds ``perm`` on it; 404 for missing and forbidden alike."""
    return get_visible_or_404(user, perm, ReviewCase.objects.select_related("model__firm__group"), pk)


def models_for(user: Any, perm: str = VIEW_MODEL) -> QuerySet[AIModel]:
    return visible(user, perm, AIModel.objects.select_related("firm"))


def get_model_for(user: Any, pk: Any, perm: str = VIEW_MODEL) -> AIModel:
    return get_visible_or_404(user, perm, AIModel.objects.select_related("firm__group"), pk)
