"""Backups that restore: a PostgreSQL dump, the stored document files with a manifest of their
sha256, and the audit chain's head (docs/operations.md, "Backups").

A backup is a folder::

    manifest.json     format, time, the dump's sha256, every stored file (name, sha256, size),
                      the audit chain's head (id, hash) and the row count of every table
    database.dump     pg_dump's custom format
    files/<name>      each file of the document storage, under its storage name

``restore`` checks every sha256 of the backup before it changes anything, then rebuilds the
database with pg_restore and the storage from ``files/``, and writes the audit head outside the
database again (AUDIT_HEAD_PATH).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import connection, connections

from audit.head import Head, write_head
from audit.models import AuditEvent

FORMAT = 1
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup that cannot be made, or a backup folder that cannot be restored (nothing changed)."""


def sha256_of(handle: Any) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    while block := handle.read(CHUNK):
        digest.update(block)
        size += len(block)
    return digest.hexdigest(), size


def stored_files(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name in the storage (local folder or S3 bucket), depth first."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from stored_files(storage, f"{folder}/{sub}" if folder else sub)


def row_counts() -> dict[str, int]:
    """Rows of every table the portal's models (and the apps it uses) keep."""
    tables = sorted({model._meta.db_table for model in apps.get_models(include_auto_created=True)})
    existing = set(connection.introspection.table_names())
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in tables:
            if table in existing:
                # the models' own table names, quoted; nothing from outside
                cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608  # nosec B608
                counts[table] = cursor.fetchone()[0]
    return counts


@dataclass(frozen=True)
class _Database:
    name: str
    env: dict[str, str]
    args: list[str]


def _database() -> _Database:
    db = settings.DATABASES["default"]
    if connection.vendor != "postgresql":
        raise BackupError("Backups are of PostgreSQL databases (the demo's SQLite file is copied as a file).")
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["--host", str(db.get("HOST") or "localhost"), "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return _Database(name=str(db["NAME"]), env=env, args=args)


def _run(command: list[str], env: dict[str, str]) -> None:
    # pg_dump and pg_restore with arguments from the settings, never from a request.
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def backup(target: Path, *, storage: Storage | None = None) -> dict[str, Any]:
    storage = storage or default_storage
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: a backup goes to a new folder.")
    database = _database()
    target.mkdir(parents=True, exist_ok=True)
    # The head first: every event it names is in the dump that follows (appends only add rows).
    newest = AuditEvent.objects.order_by("-id").values("id", "hash").first()
    counts = row_counts()
    dump = target / "database.dump"
    _run(["pg_dump", *database.args, "--format=custom", "--no-owner", "--file", str(dump), database.name], database.env)
    files = []
    for name in stored_files(storage):
        destination = target / "files" / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        with storage.open(name, "rb") as source, open(destination, "wb") as out:
            shutil.copyfileobj(source, out, CHUNK)
        with open(destination, "rb") as written:
            sha256, size = sha256_of(written)
        files.append({"name": name, "sha256": sha256, "size": size})
    with open(dump, "rb") as handle:
        dump_sha256, _ = sha256_of(handle)
    manifest = {
        "format": FORMAT,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "database": {"file": dump.name, "sha256": dump_sha256},
        "files": files,
        "audit_head": newest,
        "row_counts": counts,
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str))
    return manifest


def read_manifest(source: Path) -> dict[str, Any]:
    """The backup's manifest, after checking the dump and every file against their sha256."""
    try:
        manifest: dict[str, Any] = json.loads((source / "manifest.json").read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{source} holds no readable manifest.json: {error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source}: unknown backup format {manifest.get('format')!r}.")
    checks = [(manifest["database"]["file"], manifest["database"]["sha256"])]
    checks += [(f"files/{entry['name']}", entry["sha256"]) for entry in manifest["files"]]
    for relative, expected in checks:
        path = source / relative
        if not path.is_file():
            raise BackupError(f"The backup is incomplete: {relative} is missing. Nothing was restored.")
        with open(path, "rb") as handle:
            if sha256_of(handle)[0] != expected:
                raise BackupError(f"The backup is damaged: {relative} does not match its sha256. Nothing was restored.")
    return manifest


def database_is_empty() -> bool:
    return not (set(connection.introspection.table_names()) - {"spatial_ref_sys"})


def restore(source: Path, *, replace: bool = False, storage: Storage | None = None) -> dict[str, Any]:
    storage = storage or default_storage
    manifest = read_manifest(source)
    database = _database()
    if not database_is_empty() and not replace:
        raise BackupError(
            f"The database {database.name} is not empty. restore rebuilds a fresh database: create an empty "
            "one, or pass --replace to drop every table of this one first."
        )
    for entry in manifest["files"]:
        if storage.exists(entry["name"]):
            with storage.open(entry["name"], "rb") as handle:
                if sha256_of(handle)[0] != entry["sha256"] and not replace:
                    raise BackupError(
                        f"The storage holds another file named {entry['name']}: restore into an empty storage, "
                        "or pass --replace."
                    )
    for alias in connections:
        connections[alias].close()
    _run(
        [
            "pg_restore",
            *database.args,
            "--dbname",
            database.name,
            "--no-owner",
            "--no-privileges",
            "--clean",
            "--if-exists",
            "--exit-on-error",
            "--single-transaction",
            str(source / manifest["database"]["file"]),
        ],
        database.env,
    )
    for entry in manifest["files"]:
        name = entry["name"]
        if storage.exists(name):
            with storage.open(name, "rb") as handle:
                if sha256_of(handle)[0] == entry["sha256"]:
                    continue
            storage.delete(name)
        with open(source / "files" / name, "rb") as handle:
            saved = storage.save(name, File(handle, name=name))
        if saved != name:
            raise BackupError(f"The storage saved {name} as {saved}.")
    head = manifest.get("audit_head")
    if head:
        write_head(Head(id=int(head["id"]), hash=str(head["hash"])), force=True)
    return manifest
