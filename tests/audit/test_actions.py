"""Audit actions are an enumeration: an action that is not a member is refused, and the code names
members."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from audit.actions import AuditAction
from audit.models import AuditEvent
from audit.services import audit_record

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_audit_record_refuses_an_action_that_is_not_a_member():
    count = AuditEvent.objects.count()
    with pytest.raises(ValueError, match=r"Unknown audit action 'case\.teleported'"):
        audit_record(actor=None, action="case.teleported")
    assert AuditEvent.objects.count() == count


@pytest.mark.django_db
def test_audit_record_stores_the_members_value():
    event = audit_record(actor=None, action=AuditAction.REMINDERS_SWEPT)
    assert type(event.action) is str
    assert AuditEvent.objects.get(pk=event.pk).action == event.action == "reminders.swept"


def _source_files() -> list[Path]:
    """The project's own Python: each app's folder (the tests, the virtualenv and dot-folders aside)."""
    folders = [path for path in ROOT.iterdir() if path.is_dir() and path.name not in {".venv", "tests", "node_modules"}]
    return [
        path
        for folder in folders
        if not folder.name.startswith(".")
        for path in folder.rglob("*.py")
        if "migrations" not in path.parts
    ]


def test_every_audit_record_and_emit_call_names_an_enum_member():
    """A string literal or an f-string would pass a member's value at best and an unknown action
    at worst (found only when that line runs): the code names members."""
    spelled_out = []
    for path in _source_files():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name == "audit_record":
                values = [keyword.value for keyword in node.keywords if keyword.arg == "action"]
            elif name == "emit":
                values = node.args[:1]
            else:
                continue
            if any(isinstance(value, ast.Constant | ast.JoinedStr) for value in values):
                spelled_out.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert spelled_out == []
