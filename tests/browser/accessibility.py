"""WCAG 2.2 AA checks with axe-core, injected into a Playwright page.

axe-core comes pinned from the npm registry (tests/browser/axe/package.json, `make axe`). Tests
call `violations(page)` on each view and assert an empty list; a failure names each rule, its
impact and the offending elements.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

AXE_SCRIPT = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
# The WCAG 2.0, 2.1 and 2.2 success criteria at levels A and AA.
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def violations(page: Page, *, include: str | None = None) -> list[dict[str, Any]]:
    """Run axe-core over the page (or the element matching `include`) and return its violations."""
    if not AXE_SCRIPT.exists():
        message = f"axe-core is not installed ({AXE_SCRIPT}); run `make axe`"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    # The page as it settles: a toast fading in would be measured at part of its contrast.
    page.evaluate(
        """() => Promise.all(document.getAnimations()
            .filter((a) => a.effect && a.effect.getComputedTiming().iterations !== Infinity)
            .map((a) => a.finished.catch(() => null)))"""
    )
    page.add_script_tag(content=AXE_SCRIPT.read_text(encoding="utf-8"))
    context = json.dumps(include) if include else "document"
    result: dict[str, Any] = page.evaluate(
        f"""async () => await axe.run({context}, {{
            runOnly: {{ type: "tag", values: {json.dumps(WCAG_AA_TAGS)} }},
            resultTypes: ["violations"],
        }})"""
    )
    return list(result["violations"])


def describe(found: list[dict[str, Any]]) -> str:
    """One line per violation and node, for an assertion message."""
    lines = []
    for violation in found:
        for node in violation["nodes"]:
            lines.append(f"{violation['id']} ({violation['impact']}): {node['target']} — {violation['help']}")
    return "\n".join(lines)
