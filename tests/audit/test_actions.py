"""Audit actions are an enumeration: an action that is not a member is refused, every member is
either worded for case timelines or deliberately kept off them, and the case page words them
through that one mapping."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.template import Context, Template

from audit.actions import AuditAction
from audit.models import AuditEvent
from audit.selectors import NOT_ON_TIMELINES, TIMELINE_LABELS, timeline_label
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


def test_every_action_is_worded_for_timelines_or_deliberately_kept_off_them():
    labelled, hidden = set(TIMELINE_LABELS), set(NOT_ON_TIMELINES)
    assert [action for action in AuditAction if action not in labelled | hidden] == []
    assert labelled & hidden == set()
    assert [key for key in labelled | hidden if not isinstance(key, AuditAction)] == []


@pytest.mark.parametrize("action", list(TIMELINE_LABELS))
def test_each_timeline_label_reads_even_without_data(action):
    label = timeline_label(AuditEvent(action=action, target_id="7", data={}))
    assert label
    assert label != action


def test_the_case_page_words_events_through_the_one_mapping():
    """Agencies by their short names (the case's agencies tell them), dates in the one format, the
    actor's recorded label when the event has no account, everything escaped."""
    import datetime
    from types import SimpleNamespace

    template = Template("{% load timeline %}{% for event in events %}{% timeline_entry event agencies %}{% endfor %}")
    agencies = [SimpleNamespace(code="dod", short_name="DoD"), SimpleNamespace(code="treasury", short_name="Treasury")]
    at = datetime.datetime(2026, 3, 2, 14, 0, tzinfo=datetime.UTC)  # 09:00 in New York
    events = [
        AuditEvent(
            action=AuditAction.CASE_AGENCIES_ASSIGNED, actor_label="system", at=at, data={"added": ["dod", "treasury"]}
        ),
        AuditEvent(
            action=AuditAction.CASE_SHARING_DATE_MOVED,
            actor_label="<i>a</i>",
            at=at,
            data={"from": "2026-06-01", "to": "<b>x</b>"},
        ),
        AuditEvent(action=AuditAction.FINDING_RESPONSE_SENT_BACK, actor_label="system", at=at, target_id="42", data={}),
        AuditEvent(action=AuditAction.MODEL_EDITED, actor_label="system", at=at, data={}),
    ]
    rendered = template.render(Context({"events": events, "agencies": agencies})).split("</li>")[:-1]
    when = '<li><time datetime="2026-03-02T09:00:00-05:00">Mar 2, 2026, 09:00 EST</time> — '
    assert rendered == [
        when + "system assigned agencies (DoD, Treasury)",
        when + "&lt;i&gt;a&lt;/i&gt; moved the sharing date from Jun 1, 2026 to &lt;b&gt;x&lt;/b&gt;",
        when + "system sent back the response to finding #42",
        when + "system edited the model under review",
    ]


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
