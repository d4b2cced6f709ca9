"""Neither the application nor a plain SQL statement can rewrite the audit log."""

import pytest
from django.db import DatabaseError, connection, transaction

from audit.actions import AuditAction
from audit.models import AppendOnlyError, AuditEvent
from audit.services import audit_record, verify_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    audit_record(actor=None, action=AuditAction.REMINDERS_SWEPT, data={"n": 1})
    return audit_record(actor=None, action=AuditAction.FINDINGS_EXPORTED, data={"n": 2})


def _unchanged(event: AuditEvent) -> None:
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.action, stored.data, stored.hash) == (event.action, event.data, event.hash)
    assert verify_chain() is None


def test_the_database_refuses_an_update(event):
    with (
        pytest.raises(DatabaseError, match="append-only: UPDATE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["test.rewritten", event.pk])
    _unchanged(event)


def test_the_database_refuses_a_delete(event):
    with (
        pytest.raises(DatabaseError, match="append-only: DELETE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    _unchanged(event)


def test_the_model_refuses_save_and_delete(event):
    event.action = "test.rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    event.action = AuditAction.FINDINGS_EXPORTED
    _unchanged(event)


def test_bulk_update_and_delete_are_refused(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="test.rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    _unchanged(event)
