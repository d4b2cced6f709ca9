"""The container files stay thin wrappers around the scripts the stack test runs."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _roles() -> set[str]:
    text = (ROOT / "scripts" / "run.sh").read_text()
    return set(re.findall(r"^  (\w+)\)$", text, re.M))


def test_every_portal_process_of_compose_starts_through_the_stacks_scripts():
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    stack = (ROOT / "scripts" / "stack.sh").read_text()
    for name in ("web-a", "web-b", "worker-1", "worker-2", "beat"):
        command = services[name]["command"]
        assert command[0] == "scripts/run.sh", name
        assert command[1] in _roles(), name
        # the loopback stack starts the same process through the same script and role
        assert re.search(rf"^\s+{name}.*\)\s.*scripts/run.sh {command[1]}", stack, re.M) or (
            name.startswith("worker") and "scripts/run.sh worker $1" in stack
        ), name
    assert services["nginx"]["command"] == ["scripts/stack.sh", "serve-nginx"]
    assert "scripts/run.sh release" in services["release"]["command"][-1]
    for name in ("web-a", "web-b"):
        assert services[name]["healthcheck"]["test"][-1].endswith("/readyz")


def test_the_image_is_multi_stage_non_root_and_installs_with_hashes():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", dockerfile, re.M)) >= 2
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users, "the image must not run as root"
    assert users[-1] not in {"root", "0"}
    assert "--require-hashes" in dockerfile
    assert "/healthz" in dockerfile
