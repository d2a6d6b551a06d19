"""The gateway's dependencies run one way: routes -> connectors -> core <- call center
(docs/architecture.md). Each package's modules are read for what they import, type-checking
imports included; the composition root (api/composition.py) is the one place that knows all."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Each package, and the packages it must not import.
FORBIDDEN = {
    "api/conversations": ("connectors", "api.callcenter", "api.routes", "api.composition"),
    "api/callcenter": ("connectors", "api.routes", "api.composition"),
    "connectors": ("api.callcenter", "api.routes"),
    # Every part calls the instruments, so they call none of them (the models only).
    "api/metrics": (
        "connectors",
        "api.callcenter",
        "api.routes",
        "api.composition",
        "api.conversations",
        "api.ministries",
        "api.rasa_client",
        "api.service_api",
        "api.privacy",
        "api.identity",
    ),
}


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _modules() -> list[tuple[Path, tuple[str, ...]]]:
    return [
        (module, forbidden)
        for package, forbidden in FORBIDDEN.items()
        for module in sorted((ROOT / package).rglob("*.py"))
    ]


@pytest.mark.parametrize(
    ("module", "forbidden"),
    _modules(),
    ids=lambda value: str(value.relative_to(ROOT)) if isinstance(value, Path) else "",
)
def test_no_import_points_back(module: Path, forbidden: tuple[str, ...]) -> None:
    backwards = sorted(
        name
        for name in _imported(module)
        if any(name == package or name.startswith(package + ".") for package in forbidden)
    )
    assert backwards == []


def test_every_package_is_read() -> None:
    core = {path.name for path in (ROOT / "api" / "conversations").glob("*.py")}
    assert core >= {"model.py", "store.py", "turn.py", "bot_conversations.py", "delivery.py"}
    assert len(_modules()) > 30
