"""Helpers for the case and closeout tests: dates relative to the program's today, findings made
through their services, and ``refused``: the action raises the expected DomainError and leaves
every row it could have touched exactly as it was."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from cases.models import (
    AIModel,
    AIModelGroupObjectPermission,
    CarriedForwardFinding,
    CaseAgencyAssignment,
    Closeout,
    CloseoutDecision,
    ReferenceCounter,
    ReviewCase,
    ReviewCaseGroupObjectPermission,
    ReviewerAssignment,
)
from core.errors import DomainError
from documents.models import DocumentGroupObjectPermission
from findings.models import Comment, CommentGroupObjectPermission, Finding, FindingGroupObjectPermission
from findings.services import finding_draft, finding_release

# Every table a case, model or closeout service writes, the permissions included.
WATCHED = (
    AIModel,
    ReviewCase,
    ReferenceCounter,
    CaseAgencyAssignment,
    ReviewerAssignment,
    Closeout,
    CloseoutDecision,
    CarriedForwardFinding,
    Finding,
    Comment,
    ReviewCaseGroupObjectPermission,
    AIModelGroupObjectPermission,
    DocumentGroupObjectPermission,
    FindingGroupObjectPermission,
    CommentGroupObjectPermission,
    AuditEvent,
)


def today() -> datetime.date:
    return timezone.localdate()


def days(n: int) -> datetime.date:
    """The date ``n`` days from today in the program's time zone (negative: in the past)."""
    return today() + datetime.timedelta(days=n)


def snapshot() -> dict[str, list[dict[str, Any]]]:
    return {model._meta.label: list(model._default_manager.order_by("pk").values()) for model in WATCHED}


@contextmanager
def refused(message: str, *, code: str | None = None) -> Iterator[None]:
    """The block raises DomainError with exactly ``message`` and changes nothing: no row of a
    watched table (states, dates, assignments, permissions, audit events) is added, changed or
    removed."""
    before = snapshot()
    with pytest.raises(DomainError) as caught:
        yield
    assert caught.value.message == message
    if code is not None:
        assert caught.value.code == code
    after = snapshot()
    changed = [label for label in before if before[label] != after[label]]
    assert not changed, f"the refused action changed {changed}"


def audit_events(action: str, **filters: Any) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, **filters).order_by("id"))


def released_finding(case: ReviewCase, *, reviewer: Any, supervisor: Any, visibility: str = "firm") -> Finding:
    """A finding drafted by ``reviewer`` and released by ``supervisor`` of the same agency."""
    finding = finding_draft(
        case=case,
        actor=reviewer,
        title="Input classifier bypass",
        description="A role-play prompt gets past the input classifier.",
        category="safeguard_bypass",
        severity="high",
        target_kind="safeguard",
        target_component="input classifier",
        visibility=visibility,
    )
    return finding_release(finding=finding, actor=supervisor)
