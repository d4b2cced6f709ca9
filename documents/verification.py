"""What ``manage.py verify_documents`` re-hashes: every stored document version, and the stored
files of apps above this one (the closeout records), which register themselves here at startup
(``records.apps``), so that documents imports no app above it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.core.files.storage import default_storage

CHUNK = 1024 * 1024


def rehash(name: str) -> tuple[str, int]:
    """The sha256 and size of a stored file, read a chunk at a time."""
    digest = hashlib.sha256()
    size = 0
    with default_storage.open(name, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


@dataclass(frozen=True)
class StoredFiles:
    """Another kind of stored file to verify: how many there are, and the problems of each one
    (an empty list when it is intact), one item at a time."""

    noun: str  # "closeout records"
    count: Callable[[], int]
    problems: Callable[[], Iterator[list[str]]]


_sources: list[StoredFiles] = []


def register(source: StoredFiles) -> None:
    if all(existing.noun != source.noun for existing in _sources):
        _sources.append(source)


def sources() -> list[StoredFiles]:
    return list(_sources)
