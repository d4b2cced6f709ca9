"""The audit chain's head, kept outside the database.

A hash chain shows a row altered or removed in the middle, but not its newest rows removed: the
chain that is left is intact. So after every transaction that appended events (one write per
batch, once it committed), the newest event's id and hash are written to a file outside the
database (``AUDIT_HEAD_PATH``; on another volume, or synced to write-once storage, by the
operator). ``verify_audit`` then checks that the event named there is still in the chain, with
that hash. The file only moves forward: a process that commits an older head after a newer one
was written leaves the newer one in place.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

_pending = threading.local()


@dataclass(frozen=True)
class Head:
    id: int
    hash: str


def head_path() -> Path | None:
    value = getattr(settings, "AUDIT_HEAD_PATH", "")
    return Path(value) if value else None


def read_head() -> Head | None:
    path = head_path()
    if path is None or not path.exists():
        return None
    data = json.loads(path.read_text())
    return Head(id=int(data["id"]), hash=str(data["hash"]))


def write_head(head: Head, *, force: bool = False) -> None:
    """Write ``head`` unless the file names a newer event already (``force``: write it anyway,
    as a restore does)."""
    path = head_path()
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = read_head()
        if current is not None and current.id >= head.id and not force:
            return
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"id": head.id, "hash": head.hash}))
        os.replace(temporary, path)


def note_append(event_id: int, event_hash: str) -> None:
    """Called for each appended event: the head is written once per batch, when the outermost
    transaction commits (never when it rolls back). Nothing at all when AUDIT_HEAD_PATH is empty."""
    if head_path() is None:
        return
    latest: Head | None = getattr(_pending, "head", None)
    connection = transaction.get_connection()
    queued = connection.in_atomic_block and any(func is _flush for _, func, _ in connection.run_on_commit)
    if not queued:  # a new batch (the previous one committed, or rolled back with its callback)
        latest = None
    _pending.head = Head(event_id, event_hash) if latest is None or event_id > latest.id else latest
    if not queued:
        transaction.on_commit(_flush)


def _flush() -> None:
    head = getattr(_pending, "head", None)
    _pending.head = None
    if head is not None:
        write_head(head)


def check_head(hash_of: Callable[[int], str | None], last_id: int | None) -> str | None:
    """Why the chain in the database disagrees with the head recorded outside it, or None.
    ``hash_of(id)`` is the hash of the event with that id in the database (None if it is gone);
    ``last_id`` the newest event's id."""
    recorded = read_head()
    if recorded is None:
        return None
    stored = hash_of(recorded.id)
    if stored is None:
        ends = "no event" if last_id is None else f"event {last_id}"
        return (
            f"The audit log's newest events were removed: the head recorded outside the database is event "
            f"{recorded.id}, and the log now ends at {ends}."
        )
    if stored != recorded.hash:
        return f"Audit event {recorded.id} is not the one recorded outside the database: the log was rewritten."
    return None
