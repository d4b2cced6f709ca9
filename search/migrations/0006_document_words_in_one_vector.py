"""PostgreSQL only: a document's stored ``search_vector`` holds its versions' file names too, so that
a search of several words matches a document with one GIN lookup of all of them (as 0005 for a
case and its model: a reference is in every file name the portal writes, and each word's set of
matching documents was gathered on its own).

The document row keeps the words of its versions' file names (``files_vector``, a column Django does
not know), written by statement-level triggers when versions are added, renamed, moved or deleted
(one update per statement, so that a bulk load writes each document once); the versions' own
vectors, read by nothing since, are dropped. The search still ranks a
document from its title and file names as search.selectors computes them. As 0003: the table
rewritten in a transaction of its own, then vacuumed; not atomic, safe to run again."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.db import migrations

_0002 = import_module("search.migrations.0002_search_vectors")
_0005 = import_module("search.migrations.0005_case_words_in_one_vector")

OWN = _0002.VECTORS["documents_document"]
FILES = (
    "SELECT to_tsvector('english'::regconfig, coalesce(string_agg("
    "regexp_replace(v.original_name, '[^[:alnum:]]+', ' ', 'g'), ' '), '')) "
    "FROM documents_documentversion v WHERE v.document_id = doc"
)
TRIGGER = """CREATE TRIGGER checkpoint_document_files_{event} AFTER {event} ON documents_documentversion
    REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION checkpoint_document_files()"""

FORWARDS = [
    "ALTER TABLE documents_document ADD COLUMN IF NOT EXISTS files_vector tsvector",
    f"""CREATE OR REPLACE FUNCTION checkpoint_files_vector(doc bigint) RETURNS tsvector
    LANGUAGE sql STABLE AS $$ {FILES} $$""",
    """CREATE OR REPLACE FUNCTION checkpoint_document_files() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            UPDATE documents_document d SET files_vector = checkpoint_files_vector(d.id)
            WHERE d.id IN (SELECT document_id FROM new_rows);
        ELSIF TG_OP = 'DELETE' THEN
            UPDATE documents_document d SET files_vector = checkpoint_files_vector(d.id)
            WHERE d.id IN (SELECT document_id FROM old_rows);
        ELSE
            UPDATE documents_document d SET files_vector = checkpoint_files_vector(d.id)
            WHERE d.id IN (SELECT document_id FROM new_rows UNION SELECT document_id FROM old_rows);
        END IF;
        RETURN NULL;
    END $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS checkpoint_document_files_insert ON documents_documentversion",
    "DROP TRIGGER IF EXISTS checkpoint_document_files_update ON documents_documentversion",
    "DROP TRIGGER IF EXISTS checkpoint_document_files_delete ON documents_documentversion",
    TRIGGER.format(event="insert", tables="NEW TABLE AS new_rows"),
    TRIGGER.format(event="update", tables="NEW TABLE AS new_rows OLD TABLE AS old_rows"),
    TRIGGER.format(event="delete", tables="OLD TABLE AS old_rows"),
    "UPDATE documents_document d SET files_vector = checkpoint_files_vector(d.id)",
    *_0005.vector_column("documents_document", f"({OWN}) || coalesce(files_vector, ''::tsvector)"),
    # The versions' own vectors (0002) are read by nothing now; each upload no longer updates their index.
    'ALTER TABLE "documents_documentversion" DROP COLUMN IF EXISTS search_vector',
]
BACKWARDS = [
    "DROP TRIGGER IF EXISTS checkpoint_document_files_insert ON documents_documentversion",
    "DROP TRIGGER IF EXISTS checkpoint_document_files_update ON documents_documentversion",
    "DROP TRIGGER IF EXISTS checkpoint_document_files_delete ON documents_documentversion",
    "DROP FUNCTION IF EXISTS checkpoint_document_files()",
    "DROP FUNCTION IF EXISTS checkpoint_files_vector(bigint)",
    "ALTER TABLE documents_document DROP COLUMN IF EXISTS search_vector",  # it reads files_vector
    "ALTER TABLE documents_document DROP COLUMN IF EXISTS files_vector",
    *_0005.vector_column("documents_document", OWN),
    *_0005.vector_column("documents_documentversion", _0002.VECTORS["documents_documentversion"]),
]


def _running(statements: list[str]) -> Callable[[Any, Any], None]:
    return lambda apps, schema_editor: _0005._run(schema_editor, statements, table="documents_document")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("search", "0005_case_words_in_one_vector"), ("documents", "0003_merge_parallel_work")]

    operations = [migrations.RunPython(_running(FORWARDS), _running(BACKWARDS), elidable=False)]
