"""The conversation report keeps its hand-written dev rounds when it is regenerated."""

from __future__ import annotations

from pathlib import Path

from tests.conversations.report import KEPT_HEADING, markdown, write


def report(passed: int) -> dict:
    rate = {"conversations": 1, "passed": passed, "rate": 100.0 * passed}
    return {
        "generated": "2026-12-08T00:00:00+00:00",
        "sources": ["tests/conversations/dev"],
        "overall": rate,
        "per_class": {"happy_path": rate},
        "per_service": {"health": rate},
        "conversations": [],
    }


def test_the_dev_rounds_survive_a_new_report(tmp_path: Path) -> None:
    markdown, json_path = tmp_path / "conversations.md", tmp_path / "conversations.json"
    write(report(0), markdown, json_path)
    assert KEPT_HEADING not in markdown.read_text(encoding="utf-8")
    markdown.write_text(
        markdown.read_text(encoding="utf-8") + f"\n{KEPT_HEADING}\n\n### Round 1\n\nbefore 0/1, after 1/1\n",
        encoding="utf-8",
    )

    write(report(1), markdown, json_path)

    text = markdown.read_text(encoding="utf-8")
    assert "**Overall: 1/1 (100.0%)**" in text and "0/1 (0.0%)" not in text
    assert text.endswith(f"{KEPT_HEADING}\n\n### Round 1\n\nbefore 0/1, after 1/1\n")


def test_a_held_out_report_names_no_conversation() -> None:
    held_out = {**report(0), "held_out": True, "conversations": []}
    dev = {
        **report(0),
        "conversations": [
            {
                "id": "health-late-fee", "classes": ["knowledge_breadth"], "passed": False,
                "failed_turn": 1, "message": "dendanya brp", "check": "contains_any",
                "expected": ["denda"], "got": "Maaf",
            },
        ],
    }  # fmt: skip

    assert "health-late-fee" in markdown(dev) and "dendanya" in markdown(dev)
    text = markdown(held_out)
    assert "Failing conversations" not in text and "are held out" in text
