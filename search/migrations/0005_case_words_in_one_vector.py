"""PostgreSQL only: a case's stored ``search_vector`` holds its model's words too, so that a search
of several words matches a case with one GIN lookup of all of them.

Before, each word was matched in the case's vector or its model's, one set of keys per word
(search.selectors._StoredMatch), and a word in every reference ("cp", "2026") made a set of all
10,000 cases: the search for a reference took 30 ms for its cases alone at program scale. Now the
case row keeps a copy of its model's vector (``model_vector``, a column Django does not know,
written by triggers: when a case is inserted or changes model, and when a model's words change) and
its generated ``search_vector`` is its own weighted words followed by that copy: the same vector
search.selectors ranks a case with (reference A, snapshot B, partners C, then the model's name A,
version B, intended partners C). As 0003: the table rewritten in a transaction of its own, then
vacuumed; not atomic, safe to run again."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.db import migrations, transaction

_0002 = import_module("search.migrations.0002_search_vectors")
_0003 = import_module("search.migrations.0003_weighted_vectors")
_0004 = import_module("search.migrations.0004_weighted_case_vectors")

OWN = _0004.WEIGHTED["cases_reviewcase"]


def vector_column(table: str, expression: str) -> list[str]:
    """The table's generated ``search_vector`` made again as ``expression``, with its GIN index."""
    return [
        f'ALTER TABLE "{table}" DROP COLUMN IF EXISTS search_vector',
        f'ALTER TABLE "{table}" ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({expression}) STORED',
        f'CREATE INDEX "{table}_search_vector" ON "{table}" USING gin (search_vector)',
    ]


FORWARDS = [
    "ALTER TABLE cases_reviewcase ADD COLUMN IF NOT EXISTS model_vector tsvector",
    """CREATE OR REPLACE FUNCTION checkpoint_case_model_vector() RETURNS trigger AS $$
    BEGIN
        NEW.model_vector := (SELECT m.search_vector FROM cases_aimodel m WHERE m.id = NEW.model_id);
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS checkpoint_case_model_vector ON cases_reviewcase",
    """CREATE TRIGGER checkpoint_case_model_vector BEFORE INSERT OR UPDATE OF model_id ON cases_reviewcase
    FOR EACH ROW EXECUTE FUNCTION checkpoint_case_model_vector()""",
    """CREATE OR REPLACE FUNCTION checkpoint_model_vector_to_cases() RETURNS trigger AS $$
    BEGIN
        IF NEW.search_vector IS DISTINCT FROM OLD.search_vector THEN
            UPDATE cases_reviewcase SET model_vector = NEW.search_vector WHERE model_id = NEW.id;
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS checkpoint_model_vector_to_cases ON cases_aimodel",
    """CREATE TRIGGER checkpoint_model_vector_to_cases AFTER UPDATE ON cases_aimodel
    FOR EACH ROW EXECUTE FUNCTION checkpoint_model_vector_to_cases()""",
    """UPDATE cases_reviewcase c SET model_vector = m.search_vector FROM cases_aimodel m
    WHERE m.id = c.model_id AND c.model_vector IS DISTINCT FROM m.search_vector""",
    *vector_column("cases_reviewcase", f"({OWN}) || coalesce(model_vector, ''::tsvector)"),
]
BACKWARDS = [
    "DROP TRIGGER IF EXISTS checkpoint_model_vector_to_cases ON cases_aimodel",
    "DROP FUNCTION IF EXISTS checkpoint_model_vector_to_cases()",
    "DROP TRIGGER IF EXISTS checkpoint_case_model_vector ON cases_reviewcase",
    "DROP FUNCTION IF EXISTS checkpoint_case_model_vector()",
    "ALTER TABLE cases_reviewcase DROP COLUMN IF EXISTS search_vector",  # it reads model_vector
    "ALTER TABLE cases_reviewcase DROP COLUMN IF EXISTS model_vector",
    *vector_column("cases_reviewcase", OWN),
]


def _run(schema_editor: Any, statements: list[str], table: str = "cases_reviewcase") -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with transaction.atomic(using=connection.alias):
        for statement in statements:
            schema_editor.execute(statement, params=None)
    with connection.cursor() as cursor:
        cursor.execute(f'ANALYZE "{table}"' if connection.in_atomic_block else f'VACUUM ANALYZE "{table}"')


def _running(statements: list[str]) -> Callable[[Any, Any], None]:
    return lambda apps, schema_editor: _run(schema_editor, statements)


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("search", "0004_weighted_case_vectors")]

    operations = [migrations.RunPython(_running(FORWARDS), _running(BACKWARDS), elidable=False)]
