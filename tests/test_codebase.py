"""Rules of the codebase itself: each setting is set in one place, and comments say why in the
domain's words rather than point at a tracker's numbers that a clone cannot read."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Folders that are not the project's own source: third-party copies, environments, outputs.
NOT_OURS = {".git", ".venv", "node_modules", "staticfiles", "var", "test-artifacts", "vendor", "__pycache__"}
# A reference to a numbered ticket (the word, then its number): the reason belongs in the comment.
TICKET = re.compile(r"\bissue[\s#_-]*\d", re.IGNORECASE)


def _assigned(statements: list[ast.stmt]) -> Counter[str]:
    """How many times each name is assigned by ``statements``, at module level. The branches of an
    ``if`` are alternatives: a name set in both counts once."""
    counts: Counter[str] = Counter()
    for statement in statements:
        if isinstance(statement, ast.If):
            branches = _assigned(statement.body) | _assigned(statement.orelse)  # the larger count of each
            counts.update(branches)
            continue
        targets: list[ast.expr] = []
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, ast.AnnAssign | ast.AugAssign):
            targets = [statement.target]
        elif isinstance(statement, ast.FunctionDef | ast.ClassDef):
            counts[statement.name] += 1
        for target in targets:
            counts.update(_names(target))
    return counts


def _names(target: ast.expr) -> list[str]:
    """The names a target binds (``A``, ``A, B``); an item or attribute of a name binds none."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Tuple | ast.List):
        return [name for element in target.elts for name in _names(element)]
    if isinstance(target, ast.Starred):
        return _names(target.value)
    return []


def test_no_setting_is_assigned_twice():
    """A value set in one topic and again further down is a trap for whoever edits the first."""
    tree = ast.parse((ROOT / "portal" / "settings.py").read_text())
    twice = sorted(name for name, count in _assigned(tree.body).items() if count > 1)
    assert not twice, f"portal/settings.py assigns these names more than once: {twice}"


def test_the_settings_rule_sees_a_second_assignment():
    """The control of the test above: it does catch a name set twice, a ``+=`` included."""
    source = "A = 1\nif B:\n    C = 1\nelse:\n    C = 2\nD = []\nD += [1]\nA = 2\n"
    assert sorted(name for name, count in _assigned(ast.parse(source).body).items() if count > 1) == ["A", "D"]


def _source_files() -> list[Path]:
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=30
        ).stdout.decode()
        paths = [ROOT / name for name in listed.split("\0") if name]
    except (OSError, subprocess.SubprocessError):  # not a git checkout: every file under the root
        paths = [path for path in ROOT.rglob("*") if path.is_file()]
    return [path for path in paths if not NOT_OURS & set(path.relative_to(ROOT).parts) and path.is_file()]


def test_no_comment_refers_to_a_numbered_issue():
    found = []
    for path in _source_files():
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue  # images and fonts
        for number, line in enumerate(text.splitlines(), start=1):
            if TICKET.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "say why in the domain's words instead of naming an issue:\n" + "\n".join(found)


def test_the_layers_hold():
    """``core`` imports no domain app and domain apps import downward only (pyproject.toml,
    [tool.importlinter]): CI runs ``make test``, so the contract is held here as well as in lint."""
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports"))], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_the_types_hold():
    """mypy with django-stubs: strict on the services, selectors and policy modules (pyproject.toml)."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "CHECKPOINT_DEMO": "1"},
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
