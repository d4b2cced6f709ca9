"""Appends from many connections at once still form one unbroken chain."""

import threading

import pytest
from django.db import connection

from audit.actions import AuditAction
from audit.models import AuditEvent
from audit.services import GENESIS_HASH, audit_record, verify_chain

THREADS = 8
EVENTS_PER_THREAD = 10


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_form_one_chain_without_forks():
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def append(worker: int) -> None:
        try:
            start.wait()
            for i in range(EVENTS_PER_THREAD):
                audit_record(actor=None, action=AuditAction.REMINDERS_SWEPT, data={"worker": worker, "i": i})
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=append, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)

    events = list(AuditEvent.objects.order_by("id"))
    ours = [e for e in events if e.action == AuditAction.REMINDERS_SWEPT]
    assert len(ours) == THREADS * EVENTS_PER_THREAD
    # No fork: no two events claim the same predecessor, and exactly one starts the chain.
    prev_hashes = [e.prev_hash for e in events]
    assert len(set(prev_hashes)) == len(prev_hashes)
    assert prev_hashes.count(GENESIS_HASH) == 1
    assert verify_chain() is None
