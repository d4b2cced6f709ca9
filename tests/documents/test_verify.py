"""manage.py verify_documents: re-hashes every stored file and names each version whose bytes no
longer match, or whose file is missing; exits non-zero when any does."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from documents.models import DocumentKind


def run() -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("verify_documents", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_intact_files_pass(draft_case):
    out, err = run()
    assert "All 2 document versions verified" in out
    assert err == ""


def test_altered_and_missing_files_are_named(draft_case, document_storage):
    card = draft_case.documents.get(kind=DocumentKind.SYSTEM_CARD).versions.get()
    access = draft_case.documents.get(kind=DocumentKind.ACCESS_INSTRUCTIONS).versions.get()
    path = document_storage["store"] / card.file.name
    path.write_bytes(path.read_bytes() + b"tampered")
    (document_storage["store"] / access.file.name).unlink()

    err = StringIO()
    with pytest.raises(CommandError, match="2 of 2 document versions failed verification"):
        call_command("verify_documents", stdout=StringIO(), stderr=err)
    report = err.getvalue()
    assert f"Version {card.pk} ({draft_case.reference}" in report
    assert "its bytes no longer match" in report
    assert f"recorded {card.sha256}" in report
    assert f"Version {access.pk} ({draft_case.reference}" in report
    assert "the stored file is missing" in report
