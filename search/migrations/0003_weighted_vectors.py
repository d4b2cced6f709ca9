"""PostgreSQL only: the stored vectors of findings and comments weighted as search.selectors ranks
them (a finding's title A; its category, target and target kind B; its description C; a comment's
body C), so that the search ranks their hits from the stored column instead of reading every
description again (``to_tsvector`` over each of the hundred newest matches: 1.4 ms of a finding
search at program scale). Matching is unchanged: a query without weights matches a weighted vector
as it matched the unweighted one. The other tables' vectors stay as 0002 made them (their kinds
rank with words from two tables, search.selectors._Spec.vector).

Each column is dropped and added again, with its index (PostgreSQL cannot change a generated
column's expression in place): each table is rewritten, under a lock, in a transaction of its own,
then vacuumed, as the rewrite leaves no page marked all-visible and counts read from covering
indexes would visit the table until autovacuum came by (VACUUM cannot run in a transaction: the
migration is not atomic, and running it again after a failure is safe)."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.db import migrations, transaction

_0002 = import_module("search.migrations.0002_search_vectors")
CONFIG = _0002.CONFIG


def _weighted(*parts: tuple[str, str]) -> str:
    return " || ".join(f"setweight(to_tsvector({CONFIG}, coalesce({part}, '')), '{weight}')" for part, weight in parts)


# 0002's, for going back.
PLAIN = {table: _0002.VECTORS[table] for table in ("findings_finding", "findings_comment")}
WEIGHTED = {
    "findings_finding": _weighted(
        ("title", "A"),
        (_0002._labels("category", _0002.CATEGORIES), "B"),
        ("target_component", "B"),
        (_0002._labels("target_kind", _0002.TARGET_KINDS), "B"),
        ("description", "C"),
    ),
    "findings_comment": _weighted(("body", "C")),
}


def _replace(schema_editor: Any, vectors: dict[str, str]) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    connection = schema_editor.connection
    for table, vector in vectors.items():
        with transaction.atomic(using=connection.alias):
            schema_editor.execute(f'ALTER TABLE "{table}" DROP COLUMN IF EXISTS search_vector')
            schema_editor.execute(
                f'ALTER TABLE "{table}" ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({vector}) STORED'
            )
            schema_editor.execute(f'CREATE INDEX "{table}_search_vector" ON "{table}" USING gin (search_vector)')
        with connection.cursor() as cursor:
            cursor.execute(f'VACUUM ANALYZE "{table}"' if not connection.in_atomic_block else f'ANALYZE "{table}"')


def forwards(apps: Any, schema_editor: Any) -> None:
    _replace(schema_editor, WEIGHTED)


def backwards(apps: Any, schema_editor: Any) -> None:
    _replace(schema_editor, PLAIN)


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("search", "0002_search_vectors")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
