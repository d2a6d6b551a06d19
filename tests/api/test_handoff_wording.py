"""The bot's words before a hand-off and the gateway's answer to it read as one story: the bot
never promises to connect the citizen ("Saya hubungkan … dengan petugas"), because the call
center may be closed and the next bubble then says "di luar jam layanan" (api/callcenter/texts.py)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from api.callcenter import texts

ROOT = Path(__file__).resolve().parents[2]
# `dispatcher.utter_message(response="utter_x")` followed, within a few lines, by `signal_handoff(`.
_LEAD = re.compile(r'utter_message\(response="(utter_[a-z_]+)"\)(?:\n[^\n]*){0,2}\n\s*signal_handoff\(')
_PROMISE = re.compile(r"\bhubungkan\b", re.IGNORECASE)


def _responses() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted((ROOT / "domain").glob("*.yml")):
        responses = yaml.safe_load(path.read_text(encoding="utf-8")).get("responses") or {}
        for name, variants in responses.items():
            found[name] = " ".join(variant.get("text", "") for variant in variants)
    return found


def _handoff_leads() -> set[str]:
    sources = (path.read_text("utf-8") for path in (ROOT / "actions").glob("*.py"))
    return {match for source in sources for match in _LEAD.findall(source)}


def test_the_words_before_a_handoff_promise_no_connection() -> None:
    leads = _handoff_leads()
    assert {"utter_miss_repeated", "utter_identity_unverified"} <= leads
    responses = _responses()
    closed = texts.offer("Senin-Jumat 08.00-16.00", closed=True).text
    assert "di luar jam layanan" in closed
    for name in leads:
        assert not _PROMISE.search(responses[name]), f"{name} promises a connection: {responses[name]}"
