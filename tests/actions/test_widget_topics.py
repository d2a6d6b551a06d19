"""The widget's opening topics (connectors/web/topics.json, served by the gateway) are the
service menu's own buttons: `scripts/widget-topics` rewrites the file after a menu change."""

from __future__ import annotations

import json

from actions.menu import service_buttons
from tests.actions.builders import ROOT


def test_widget_topics_match_the_service_menu() -> None:
    stored = json.loads((ROOT / "connectors" / "web" / "topics.json").read_text(encoding="utf-8"))
    assert stored == service_buttons(), "connectors/web/topics.json is stale: run scripts/widget-topics"
