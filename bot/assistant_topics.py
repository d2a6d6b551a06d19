"""General questions about the assistant itself ("data saya aman?", "bisa bahasa Inggris?",
"bayar nggak?", "buka 24 jam?"), answered by the response of the topic the message names.

The intent `assistant_info` is answered by `utter_assistant_info` (a rule; also mid-form through
action_answer_aside). bot/nlg.py asks `response_for()` which `utter_assistant_<topic>` words it;
a message naming no topic gets `utter_assistant_info` itself: what the assistant can do. The
wording is in domain/knowledge.yml; the law it names is in knowledge/facts/general.yml.
"""

from __future__ import annotations

import re

RESPONSE = "utter_assistant_info"


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b", re.IGNORECASE)


# Checked in this order: "data saya disimpan di mana, bayar tidak?" is about privacy first.
TOPICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "privacy",
        _words(
            r"data\s*(?:pribadi|diri)?\s*(?:saya|sy|ku|aku|gue|gw)?\s*(?:aman|dijual|bocor|disebar\w*|disimpan|dipakai|digunakan|dilihat|kemana|ke\s+mana)",
            r"aman\w*",
            r"privasi\w*",
            "privacy",
            "bocor",
            r"disalahgunakan",
            r"rahasia\w*",
            r"kerahasiaan",
            r"disimpan\w*",
            "pdp",
            r"perlindungan\s+data",
            r"pelindungan\s+data",
            r"di\s?rekam",
            r"baca\s+chat\w*",
            r"dipakai\s+(?:buat|untuk)",
            "dijual",
            "dilindungi",
            "terlindungi",
        ),
    ),
    (
        "language",
        _words(
            r"bahasa\w*",
            "boso",
            "basa",
            "english",
            "inggris",
            "speak",
            "language",
            "jawa",
            "jowo",
            "sunda",
            "madura",
            "minang",
            "bugis",
            "batak",
            "bali",
        ),
    ),
    (
        "cost",
        _words(
            r"bayar\w*",
            r"gratis\w*",
            r"berbayar",
            r"biaya\w*",
            r"pulsa",
            r"kuota",
            r"dipungut",
        ),
    ),
    (
        "availability",
        _words(
            r"24\s*jam",
            r"jam\s+berapa\s+(?:saja|aja)",
            r"(?:hari\s+)?libur",
            r"malam",
            r"tengah\s+malam",
            r"(?:buka|aktif|online|on)\s+(?:terus|kapan|jam)",
            "nonstop",
            "kapan\\s+saja",
        ),
    ),
)


def topic_in(text: str) -> str | None:
    """The topic of a question about the assistant, or None."""
    return next((name for name, pattern in TOPICS if pattern.search(text)), None)


def response_for(text: str | None) -> str:
    """The response answering `assistant_info` for the topic `text` names."""
    topic = topic_in(text or "")
    return f"utter_assistant_{topic}" if topic else RESPONSE
