"""PostgreSQL only: a stored ``search_vector`` column (``GENERATED ALWAYS ... STORED``) with a GIN
index on each searched table, holding the same words as the vectors search.selectors ranks with, so
that a match is read from an index instead of ``to_tsvector`` over every visible row. The columns
are not model fields: Django never writes them, PostgreSQL keeps them current, and only
search.selectors reads them. On SQLite (the demo) this migration does nothing.

The category and target labels are those of this migration's day; a change of a label needs a new
migration (tests/search/test_search.py searches every label)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

CONFIG = "'english'::regconfig"


def _words(sql: str) -> str:
    # Punctuation to spaces, as search.selectors._Words (a reference or a file name by its parts).
    return f"regexp_replace({sql}, '[^[:alnum:]]+', ' ', 'g')"


def _labels(column: str, choices: list[tuple[str, str]]) -> str:
    whens = " ".join(f"WHEN '{value}' THEN '{label}'" for value, label in choices)
    return f"(CASE {column} {whens} ELSE '' END)"


def _vector(*parts: str) -> str:
    return " || ".join(f"to_tsvector({CONFIG}, coalesce({part}, ''))" for part in parts)


CATEGORIES = [
    ("cyber_offense", "Cyber offense capability"),
    ("critical_infrastructure", "Critical-infrastructure risk"),
    ("financial_system", "Financial-system risk"),
    ("cbrn", "CBRN uplift"),
    ("autonomy", "Autonomy / loss of control"),
    ("weight_security", "Model and weight security"),
    ("safeguard_bypass", "Safeguard bypass"),
    ("other", "Other"),
]
TARGET_KINDS = [("model", "The model itself"), ("safeguard", "A safeguard component")]

VECTORS = {
    "cases_reviewcase": _vector(_words("reference"), "model_snapshot", "trusted_partners"),
    "cases_aimodel": _vector("name", _words("version"), "intended_partners"),
    "findings_finding": _vector(
        "title",
        _labels("category", CATEGORIES),
        "target_component",
        _labels("target_kind", TARGET_KINDS),
        "description",
    ),
    "findings_comment": _vector("body"),
    "documents_document": _vector("title"),
    "documents_documentversion": _vector(_words("original_name")),
}


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, vector in VECTORS.items():
        schema_editor.execute(
            f'ALTER TABLE "{table}" ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS AS ({vector}) STORED'
        )
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{table}_search_vector" ON "{table}" USING gin (search_vector)'
        )
        schema_editor.execute(f'ANALYZE "{table}"')


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in VECTORS:
        schema_editor.execute(f'ALTER TABLE "{table}" DROP COLUMN IF EXISTS search_vector')


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_saved_searches"),
        ("cases", "0006_assignment_staffed"),
        ("findings", "0007_dashboard_queue_index"),
        ("documents", "0003_merge_parallel_work"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
