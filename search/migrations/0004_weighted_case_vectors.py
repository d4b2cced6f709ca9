"""PostgreSQL only: a case's and its model's stored vectors weighted as search.selectors ranks a
case (reference A, snapshot B, trusted partners C; the model's name A, version B, intended
partners C), so that the search ranks found cases from the two stored columns, the case's then its
model's, instead of reading the text of the hundred newest matches again (0.9 ms of a reviewer's
search at program scale). Matching is unchanged. As 0003: each table rewritten under a lock in a
transaction of its own, then vacuumed; not atomic, safe to run again."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.db import migrations

_0002 = import_module("search.migrations.0002_search_vectors")
_0003 = import_module("search.migrations.0003_weighted_vectors")

PLAIN = {table: _0002.VECTORS[table] for table in ("cases_reviewcase", "cases_aimodel")}
WEIGHTED = {
    "cases_reviewcase": _0003._weighted(
        (_0002._words("reference"), "A"), ("model_snapshot", "B"), ("trusted_partners", "C")
    ),
    "cases_aimodel": _0003._weighted(("name", "A"), (_0002._words("version"), "B"), ("intended_partners", "C")),
}


def forwards(apps: Any, schema_editor: Any) -> None:
    _0003._replace(schema_editor, WEIGHTED)


def backwards(apps: Any, schema_editor: Any) -> None:
    _0003._replace(schema_editor, PLAIN)


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("search", "0003_weighted_vectors"), ("cases", "0006_assignment_staffed")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
