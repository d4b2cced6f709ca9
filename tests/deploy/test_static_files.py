"""Static files that production's manifest storage needs, checked without running it: a template
naming a static file that does not exist, or a stylesheet or script naming a source map that is
not shipped, makes pages answer 500 with DEBUG off (test_production.py proves the whole chain with
collectstatic and gunicorn)."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template import engines

# {% static "path" %} with a literal path (a computed one cannot be checked here).
STATIC_TAG = re.compile(r"""{%\s*static\s+(["'])(?P<path>[^"'{}]+)\1""")
# The comments ManifestStaticFilesStorage follows in scripts and stylesheets.
SOURCE_MAP = re.compile(r"^(?://|/\*)# sourceMappingURL=(?P<url>\S+?)(?:\s*\*/)?\s*$", re.MULTILINE)


def static_references() -> dict[str, set[str]]:
    """Each static path named by a template the project's template engine can load (ours, the
    apps', allauth's and the admin's), with the templates that name it."""
    found: dict[str, set[str]] = {}
    for directory in engines["django"].template_dirs:
        for template in Path(directory).rglob("*"):
            if not template.is_file():
                continue
            for match in STATIC_TAG.finditer(template.read_text(errors="replace")):
                found.setdefault(match["path"], set()).add(str(template.relative_to(directory)))
    return found


def test_every_static_file_a_template_names_exists():
    references = static_references()

    assert "vendor/uswds/css/uswds.min.css" in references, "base.html's stylesheet is among those checked"
    missing = {path: sorted(templates) for path, templates in references.items() if finders.find(path) is None}
    assert missing == {}


def test_no_static_script_or_stylesheet_names_a_source_map_that_is_not_there():
    missing = []
    for finder in finders.get_finders():
        for path, storage in finder.list(None):
            if not path.endswith((".js", ".css")):
                continue
            with storage.open(path) as file:
                text = file.read().decode(errors="replace")
            for match in SOURCE_MAP.finditer(text):
                target = posixpath.normpath(posixpath.join(posixpath.dirname(path), match["url"]))
                if not match["url"].startswith("data:") and finders.find(target) is None:
                    missing.append(f"{path} -> {match['url']}")
    assert missing == [], "strip the comments (scripts/vendor.sh does) or ship the maps"
