"""Backups that restore (the drill), and the audit chain's head kept outside the database."""

from __future__ import annotations

import json
import shutil

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from audit.actions import AuditAction
from audit.head import read_head
from audit.models import AuditEvent
from audit.services import audit_record, check_chain
from documents.models import DocumentVersion
from ops.backup import row_counts
from tests import builders

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def head_file(settings, tmp_path):
    settings.AUDIT_HEAD_PATH = str(tmp_path / "outside" / "audit-head.json")
    return tmp_path / "outside" / "audit-head.json"


@pytest.fixture
def seeded(head_file, alex, dod_reviewer, dod_supervisor):
    """A case in review with uploaded documents, a released finding, a comment and their audit."""
    case = builders.make_case(alex, state="in_review", uploaded=True, reviewers={dod_supervisor: dod_reviewer})
    builders.released(case, dod_reviewer, dod_supervisor, visibility="firm")
    builders.working_file(case, dod_reviewer, "dod")
    return case


def _wipe_database_and_storage() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    shutil.rmtree(settings.DOCUMENT_STORAGE_ROOT, ignore_errors=True)


def test_the_drill_seed_back_up_wipe_restore_verify(seeded, head_file, tmp_path, capsys):
    before = row_counts()
    assert before["audit_auditevent"] > 5
    assert DocumentVersion.objects.count() >= 3
    head_before = read_head()
    assert head_before.id == AuditEvent.objects.order_by("-id").first().id

    call_command("backup", str(tmp_path / "backup"))
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["row_counts"] == before
    assert manifest["audit_head"]["hash"] == head_before.hash
    # every file a version names (and whatever else the storage holds)
    assert set(DocumentVersion.objects.values_list("file", flat=True)) <= {entry["name"] for entry in manifest["files"]}

    _wipe_database_and_storage()
    head_file.unlink()
    assert "audit_auditevent" not in connection.introspection.table_names()

    call_command("restore", str(tmp_path / "backup"))
    call_command("verify_audit")
    call_command("verify_documents")
    assert row_counts() == before
    assert read_head() == head_before
    out = capsys.readouterr().out
    assert "Audit chain intact" in out


def test_a_damaged_backup_restores_nothing(seeded, tmp_path):
    call_command("backup", str(tmp_path / "backup"))
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    damaged = tmp_path / "backup" / "files" / manifest["files"][0]["name"]
    damaged.write_bytes(damaged.read_bytes() + b"tampered")
    before = row_counts()
    with pytest.raises(CommandError, match=r"does not match its sha256\. Nothing was restored"):
        call_command("restore", str(tmp_path / "backup"), "--replace")
    assert row_counts() == before


def test_restore_refuses_a_database_that_is_not_empty(seeded, tmp_path):
    call_command("backup", str(tmp_path / "backup"))
    with pytest.raises(CommandError, match="is not empty"):
        call_command("restore", str(tmp_path / "backup"))


def test_the_head_is_written_once_a_batch_commits_and_not_on_rollback(head_file, db):
    with transaction.atomic():
        for _ in range(3):
            last = audit_record(actor=None, action=AuditAction.ACCESS_REFUSED, data={"n": 1})
        assert read_head() is None or read_head().id < last.id  # not before the commit
    assert read_head().id == last.id
    assert read_head().hash == last.hash

    def rolled_back() -> None:
        with transaction.atomic():
            audit_record(actor=None, action=AuditAction.ACCESS_REFUSED, data={"n": 2})
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        rolled_back()
    assert read_head().id == last.id


def test_deleting_the_newest_audit_rows_is_detected(head_file, db):
    for n in range(4):
        audit_record(actor=None, action=AuditAction.ACCESS_REFUSED, data={"n": n})
    call_command("verify_audit")
    newest = AuditEvent.objects.order_by("-id")[:2]
    ids = [event.id for event in newest]
    with connection.cursor() as cursor:  # what someone with the database's owner rights could do
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        cursor.execute("DELETE FROM audit_auditevent WHERE id = ANY(%s)", [ids])
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
    assert check_chain().intact  # the chain that is left is intact: only the head outside tells
    with pytest.raises(
        CommandError, match=f"newest events were removed: the head recorded outside the database is event {max(ids)}"
    ):
        call_command("verify_audit")
