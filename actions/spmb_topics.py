"""SPMB questions other than the routes and quotas: the age to enter school, the documents to
register, and when registration opens. `action_spmb` answers the topic the request that opened
`spmb_form` asks (`topic_of_request`), instead of the routes; the wording is in
domain/knowledge.yml (`utter_spmb_topic_<topic>`), the facts in knowledge/facts/education.yml.
"""

from __future__ import annotations

import re

from rasa_sdk import Tracker

from actions.answers import word_pattern

# Checked in this order: "umur berapa dan syaratnya apa" asks the age first.
TOPICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("age", word_pattern(r"umur\w*", r"usia\w*", "umr", r"berapa\s+tahun", r"brp\s+(?:tahun|thn)")),
    (
        "documents",
        word_pattern(
            r"syarat\w*",
            "persyaratan",
            r"dokumen\w*",
            r"berkas\w*",
            r"(?:di)?bawa\s+apa",
            r"(?:di)?siapkan",
            r"perlu\s+apa",
        ),
    ),
    (
        "schedule",
        word_pattern(r"kapan", "jadwal", r"jadwal\w*", r"(?:di)?buka\w*", r"tanggal\s+berapa", "dimulai"),
    ),
)
FORM = "spmb_form"


def topic_in(text: str) -> str | None:
    """The SPMB question `text` asks besides the routes, or None."""
    if not text or text.startswith("/"):
        return None
    return next((name for name, pattern in TOPICS if pattern.search(text)), None)


def topic_of_request(tracker: Tracker) -> str | None:
    """The topic of the message that opened the current `spmb_form` (the level may have been
    asked after it)."""
    opened = False
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name") == FORM:
            opened = True
        elif opened and event.get("event") == "user":
            return topic_in(str(event.get("text") or ""))
    return None
