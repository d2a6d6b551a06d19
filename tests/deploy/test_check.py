"""deploy/check.py passes on the shipped artefacts and fails on each kind of fault it guards."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv/deploy/bin/python"


def check(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PYTHON), str(ROOT / "deploy/check.py"), "--root", str(root)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def test_the_shipped_artefacts_pass() -> None:
    done = check(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 problem(s)" in done.stdout


def edit(path: str, old: str, new: str) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        file = root / path
        text = file.read_text()
        assert old in text, f"{old!r} not in {path}"
        file.write_text(text.replace(old, new, 1))

    return apply


DOCKER, COMPOSE, CHART = (
    "deploy/gateway.Dockerfile",
    "deploy/compose.yaml",
    "deploy/helm/asisten-warga/templates",
)
# A fault per guard: (the edit, what the report must say).
FAULTS = {
    "root user": (edit(DOCKER, "USER 10001:10001", "USER root"), "non-root USER"),
    "no healthcheck": (
        edit("deploy/rasa.Dockerfile", "HEALTHCHECK --interval=10s --timeout=3s --start-period=20s", "#"),
        "no HEALTHCHECK",
    ),
    "unpinned base": (
        edit(DOCKER, "python:3.11.7-slim-bookworm AS gateway", "python:latest AS gateway"),
        "not pinned",
    ),
    "hadolint finding": (edit(DOCKER, "WORKDIR /app", "RUN cd /app"), "DL3003"),
    "compose schema": (
        edit(COMPOSE, "    restart: unless-stopped", "    restarts: unless-stopped"),
        "compose schema",
    ),
    "optional secret": (edit(COMPOSE, "${AW_DATA_KEY:?set AW_DATA_KEY}", "${AW_DATA_KEY:-}"), "AW_DATA_KEY"),
    "optional metrics token": (
        edit(COMPOSE, "${AW_METRICS_TOKEN:?set AW_METRICS_TOKEN}", "${AW_METRICS_TOKEN:-}"),
        "AW_METRICS_TOKEN",
    ),
    "published port": (
        edit(COMPOSE, "    networks: [internal]\n", '    ports: ["5055:5055"]\n    networks: [internal]\n'),
        "publishes a port",
    ),
    "kubernetes schema": (
        edit(f"{CHART}/actions.yaml", "periodSeconds: 10", "periodSecond: 10"),
        "periodSecond",
    ),
    "no probe": (edit(f"{CHART}/gateway.yaml", "readinessProbe:", "xReadiness:"), "no readinessProbe"),
    "haproxy config": (
        edit("deploy/haproxy/haproxy.cfg", "balance leastconn", "balance sometimes"),
        "haproxy -c",
    ),
}


def test_each_fault_is_found(tmp_path: Path) -> None:
    """All faults in one copy (one run of the tools, not ten): each is reported on its own."""
    shutil.copytree(ROOT / "deploy", tmp_path / "deploy", ignore=shutil.ignore_patterns("__pycache__"))
    for apply, _ in FAULTS.values():
        apply(tmp_path)
    done = check(tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    missed = [fault for fault, (_, expected) in FAULTS.items() if expected not in done.stdout]
    assert not missed, done.stdout
