"""The sections of a closeout record, in order. Each is a template under ``records/sections/``
given the record's ``content`` (``records.selectors.RecordContent``) and, when the section has a
``context`` function, what it returns for that content.

Another app adds a section of its own (the tested configurations and the sharing attestation, for
one) by calling ``register`` from its ``AppConfig.ready``, with an ``order`` placing it among these:

    10 the case and its window · 20 documents · 30 findings and responses · 40 carried forward ·
    50 each agency's decision · 90 the statement that the review is not a permission to deploy

The section's context function must read only what the record's audience may see: it is given the
audience's groups (``content.groups``) for that (``core.permissions.held_by_every``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    template: str
    order: int
    context: Callable[[Any], dict[str, Any]] | None = None


_SECTIONS: dict[str, Section] = {}


def register(section: Section) -> None:
    if section.key in _SECTIONS and _SECTIONS[section.key] != section:
        raise ValueError(f"A record section named {section.key!r} is registered already.")
    _SECTIONS[section.key] = section


def sections() -> list[Section]:
    return sorted(_SECTIONS.values(), key=lambda section: (section.order, section.key))


for _section in (
    Section("case", "The case and its review window", "records/sections/case.html", 10),
    Section("documents", "Documents", "records/sections/documents.html", 20),
    Section("findings", "Findings and the firm's responses", "records/sections/findings.html", 30),
    Section("carried_forward", "Carried forward", "records/sections/carried_forward.html", 40),
    Section("decisions", "Each agency's decision", "records/sections/decisions.html", 50),
    Section("conclusion", "What this record is", "records/sections/conclusion.html", 90),
):
    register(_section)
