"""The deployment artefacts as the gateway receives them: the chart rendered by helm's own library
(in the deploy environment) and compose's gateway environment interpolated from a `.env`."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY_PYTHON = ROOT / ".venv/deploy/bin/python"
CHART = ROOT / "deploy/helm/asisten-warga"
COMPOSE = ROOT / "deploy/compose.yaml"

_RENDER = """
import json, sys, yaml, helm_python as helm
chart = helm.Chart.load(sys.argv[1])
rendered = chart.render(json.loads(sys.argv[2]), name="aw", namespace="layanan", is_install=True)
print(json.dumps([m for text in rendered.values() for m in yaml.safe_load_all(text) if m]))
"""


def render_chart(values: dict[str, Any]) -> list[dict[str, Any]]:
    """Every manifest the chart renders with these values (release `aw`)."""
    done = subprocess.run(
        [str(DEPLOY_PYTHON), "-c", _RENDER, str(CHART), json.dumps(values)],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    manifests: list[dict[str, Any]] = json.loads(done.stdout)
    return manifests


def manifest(manifests: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    found = [m for m in manifests if m["kind"] == kind and m["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} rendered"
    return found[0]


_VARIABLE = re.compile(r"\$\{(\w+)(?:(:?[-?])((?:[^{}]|\{[^{}]*\})*))?\}")


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's `${NAME}`, `${NAME:-default}` and `${NAME:?error}` (the forms compose.yaml uses)."""

    def value(match: re.Match[str]) -> str:
        name, operator, argument = match.group(1), match.group(2), match.group(3)
        if env.get(name):
            return env[name]
        if operator == ":?":
            raise KeyError(f"{name}: {argument}")
        return argument if operator == ":-" else ""

    return _VARIABLE.sub(value, text)


def _interpolated(node: Any, env: dict[str, str]) -> Any:
    # Compose parses the YAML first, then interpolates each string (a value stays a string).
    if isinstance(node, str):
        return interpolate(node, env)
    if isinstance(node, dict):
        return {key: _interpolated(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [_interpolated(value, env) for value in node]
    return node


def compose_service(name: str, env: dict[str, str]) -> dict[str, Any]:
    """One service of compose.yaml, interpolated from `env` (a required variable unset: KeyError)."""
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    service: dict[str, Any] = _interpolated(services[name], env)
    return service
