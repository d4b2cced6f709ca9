"""Readiness: what a node needs before the proxy should send it people.

Each check answers "ok" or "unavailable", never why (an error message may name a host, a user or a
version): the reason goes to the log, with the request id.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

logger = logging.getLogger("checkpoint.health")

# The key the beat's heartbeat task writes (through the cache, which is Redis outside the demo).
BEAT_HEARTBEAT_KEY = "ops:beat-heartbeat"


def record_beat_heartbeat(now: float | None = None) -> None:
    cache.set(BEAT_HEARTBEAT_KEY, time.time() if now is None else now, timeout=None)


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_migrations() -> None:
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise RuntimeError("unapplied migrations")


def check_redis() -> None:
    key = "ops:readyz-probe"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not keep a value")


def check_storage() -> None:
    bucket = getattr(default_storage, "bucket", None)
    if bucket is not None:  # S3: the bucket answers
        bucket.meta.client.head_bucket(Bucket=bucket.name)
        return
    root = Path(default_storage.location)  # type: ignore[attr-defined]
    folder = root if root.exists() else root.parent
    if not (folder.is_dir() and os.access(folder, os.W_OK)):
        raise RuntimeError("document storage is not a writable folder")


def check_beat() -> None:
    max_age = settings.READYZ_BEAT_MAX_AGE_SECONDS
    if not max_age:
        return
    beat = cache.get(BEAT_HEARTBEAT_KEY)
    if beat is None or time.time() - float(beat) > max_age:
        raise RuntimeError(f"no beat heartbeat in the last {max_age} seconds")


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "migrations": check_migrations,
    "redis": check_redis,
    "storage": check_storage,
    "beat": check_beat,
}


def readiness() -> dict[str, str]:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        if name == "migrations" and results.get("database") != "ok":
            results[name] = "unavailable"
            continue
        try:
            check()
        except Exception as exc:  # any failure makes the node unready; the reason goes to the log only
            logger.warning("readiness check failed", extra={"check": name, "error": type(exc).__name__})
            results[name] = "unavailable"
        else:
            results[name] = "ok"
    return results
