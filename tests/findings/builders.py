"""Helpers for the finding and comment tests: findings in each state, built through the services,
and a snapshot of everything a refused action must leave as it was."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.base import ContentFile

from accounts.models import User
from agencies.models import Agency
from audit.models import AuditEvent
from cases.models import Closeout, ReviewCase
from core.errors import DomainError
from documents.audience import sync_document
from documents.models import Document, DocumentVersion
from findings import services
from findings.models import (
    Comment,
    CommentGroupObjectPermission,
    Finding,
    FindingGroupObjectPermission,
    FindingResponse,
)


def draft(case: ReviewCase, author: User, *, visibility: str = "agency", **fields: Any) -> Finding:
    values = {
        "title": "Prompt injection bypasses the input filter",
        "description": "A crafted preamble makes the model ignore its refusal policy.",
        "category": "safeguard_bypass",
        "severity": "high",
    } | fields
    return services.finding_draft(case=case, actor=author, visibility=visibility, **values)


def released(case: ReviewCase, author: User, releaser: User, *, visibility: str = "agency", **fields: Any) -> Finding:
    """A finding drafted by ``author`` and released by ``releaser`` (a supervisor of the same
    agency who is not the author, for ``government`` and ``firm``)."""
    finding = draft(case, author, visibility=visibility, **fields)
    return services.finding_release(finding=finding, actor=releaser)


def responded(case: ReviewCase, author: User, releaser: User, liaison: User) -> Finding:
    finding = released(case, author, releaser, visibility="firm")
    services.finding_respond(finding=finding, actor=liaison, choice="disputed", text="Our filter blocks this.")
    finding.refresh_from_db()
    return finding


def working_file(case: ReviewCase, member: User, agency_code: str, *, visibility: str = "agency") -> DocumentVersion:
    """An agency's working file with one version (the upload pipeline has its own tests)."""
    content = f"notes of {agency_code} on {case.reference}\n".encode()
    document = Document.objects.create(
        case=case,
        kind="other",
        title=f"{agency_code} notes",
        agency=Agency.objects.get(code=agency_code),
        visibility=visibility,
        created_by=member,
    )
    version = DocumentVersion(
        document=document,
        number=1,
        original_name="notes.txt",
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        content_type="text/plain",
        uploaded_by=member,
    )
    version.file.save(f"test/{case.reference}-{agency_code}-notes.txt", ContentFile(content), save=False)
    version.save()
    sync_document(document)
    return version


def audit_actions(target: Any) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_type=target._meta.label_lower, target_id=str(target.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def database_state() -> dict[str, list[Any]]:
    """Every row a finding or comment service may write, and the state of every case."""
    through = Finding.related_versions.through
    return {
        "findings": list(Finding.objects.order_by("pk").values()),
        "related_versions": list(through.objects.order_by("pk").values_list("finding_id", "documentversion_id")),
        "responses": list(FindingResponse.objects.order_by("pk").values()),
        "comments": list(Comment.objects.order_by("pk").values()),
        "finding_permissions": list(
            FindingGroupObjectPermission.objects.order_by("pk").values_list("group_id", "content_object_id")
        ),
        "comment_permissions": list(
            CommentGroupObjectPermission.objects.order_by("pk").values_list("group_id", "content_object_id")
        ),
        "cases": list(ReviewCase.objects.order_by("pk").values_list("pk", "state")),
        "closeouts": list(Closeout.objects.order_by("pk").values_list("pk", "state")),
        "audit": list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True)),
    }


@contextlib.contextmanager
def refused(match: str, *, note: str = "") -> Iterator[pytest.ExceptionInfo[DomainError]]:
    """The block raises DomainError with ``match`` (a regex searched in its message) and the
    database is exactly as it was: no row added, changed or removed, no audit event. ``note``
    names the attempt in a failure report (for checks made in a loop)."""
    before = database_state()
    try:
        with pytest.raises(DomainError, match=match) as info:
            yield info
        assert database_state() == before, "the refused action changed the database"
    except BaseException as failure:  # pytest.raises fails with an OutcomeException
        if note:
            failure.add_note(f"while trying: {note}")
        raise
