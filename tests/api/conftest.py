from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from api.services import token_create
from tests import builders


@pytest.fixture(autouse=True)
def _documents_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }


def make_token(user: Any, *, scope: str = "write", days: int = 30, name: str = "pipeline") -> str:
    _token, raw = token_create(actor=user, name=name, scope=scope, days=days, passed_mfa=True)
    return raw


@pytest.fixture
def api_for(db) -> Callable[..., Client]:
    """``api_for(user)``: a client that sends a fresh token of ``user`` (write scope unless told)."""

    def _api_for(user: Any, *, scope: str = "write") -> Client:
        return Client(headers={"Authorization": f"Bearer {make_token(user, scope=scope)}"})

    return _api_for


@pytest.fixture
def case(alex, coordinator, dod_reviewer, dod_supervisor, treasury_reviewer, treasury_supervisor):
    """Northwind's case in review by DoD and Treasury (CISA is not assigned); DoD's reviewer leads."""
    return builders.make_case(
        alex,
        state="in_review",
        agencies=("dod", "treasury"),
        coordinator=coordinator,
        reviewers={dod_supervisor: dod_reviewer},
        lead=dod_reviewer,
    )
