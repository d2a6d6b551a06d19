"""The questions the assistant did not understand, masked before they are stored.

A Rasa `user` event whose intent is a miss (`nlu_fallback`, `out_of_scope`) becomes an
`analytics_questions` row: its text, masked, cut to `MAX_CHARS`, with the same salted
conversation hash, channel and time as its `analytics_events` row. The text Rasa saw already
carries vault tokens instead of the identifiers the gateway recognised (api/privacy/vault.py);
what is masked here, on top: every run of four or more digits (identifiers, tokens, phone and
account numbers, dates), e-mail addresses, links and @handles, and names — the words after a
name cue ("nama saya …", "atas nama …", "pak …", "bu …") and capitalised words that the NLU
training data never writes in lower case.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from api.analytics.events import to_row

MISS_INTENTS = frozenset({"nlu_fallback", "out_of_scope"})
MAX_CHARS = 200
DIGITS = "#"
NAME = "[nama]"
CONTACT = "[kontak]"
NLU_DIR = Path(__file__).resolve().parents[2] / "data" / "nlu"

_CONTACT = re.compile(r"\S+@\S+|https?://\S+|www\.\S+|(?<!\w)@\w+", re.IGNORECASE)
# Four or more digits, with spaces, dots, dashes or slashes between them.
_DIGIT_RUN = re.compile(r"\+?\d(?:[ ./-]?\d){3,}")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# Words after which a name follows ("nama saya Siti", "a.n. Budi", "pak Joko").
_NAME_CUE = re.compile(
    r"\b(?:nama(?:\s+saya|\s+aku|\s+ku|\s+anak\s+saya|\s+ibu\s+saya|\s+bapak\s+saya)?|namaku|"
    r"atas\s+nama|a\.?\s?n\.?|pak|bu|bapak|ibu|mas|mbak|mba|kak|bang|sdr\.?|sdri\.?)\s*:?\s+",
    re.IGNORECASE,
)
# Words that end a name after a cue: they belong to the sentence, not the name.
_NOT_A_NAME = frozenset(
    "saya aku kami kita anda dia mau ingin minta tolong mohon yang dan atau di ke dari untuk utk "
    "yg sudah udah belum blm tidak gak nggak ga bisa apa apakah kenapa gimana bagaimana berapa "
    "kapan dimana mana ini itu tersebut ada adalah sama dengan dgn juga lagi kok sih dong ya "
    "nik kk ktp no nomor nomer hp wa telp telepon email umur usia alamat tinggal lahir tgl tanggal".split()
)
_MAX_NAME_WORDS = 4


@dataclass(frozen=True)
class Question:
    event_key: str
    conversation_hash: str
    intent: str
    channel: str | None
    text: str
    at: Any

    def as_dict(self) -> dict[str, Any]:
        return {
            "event_key": self.event_key, "conversation_hash": self.conversation_hash,
            "intent": self.intent, "channel": self.channel, "text": self.text, "at": self.at,
        }  # fmt: skip


@cache
def vocabulary(folder: Path = NLU_DIR) -> frozenset[str]:
    """The words the NLU training examples write in lower case at least once: capitalised,
    they are still no name. (The example names there are written capitalised only.)"""
    words: set[str] = set()
    for path in sorted(folder.rglob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in part.get("nlu") or ():
            examples = block.get("examples") if isinstance(block, dict) else None
            if isinstance(examples, str):
                words.update(word for word in _WORD.findall(examples) if word.islower())
    return frozenset(words)


def mask_question(text: str, known: frozenset[str] | None = None) -> str:
    """`text` with no identifier left: digit runs, contacts and names replaced (see above)."""
    known = vocabulary() if known is None else known
    text = " ".join(text.split())[: MAX_CHARS * 4]
    text = _CONTACT.sub(CONTACT, text)
    text = _DIGIT_RUN.sub(DIGITS, text)
    text = _mask_cued_names(text)
    text = _mask_capitalised(text, known)
    text = re.sub(r"(?:\[nama\]\s*){2,}", NAME + " ", text).strip()
    return text[:MAX_CHARS]


def _mask_cued_names(text: str) -> str:
    out: list[str] = []
    position = 0
    for cue in _NAME_CUE.finditer(text):
        if cue.start() < position:
            continue
        out.append(text[position : cue.end()])
        position = cue.end()
        masked = 0
        while masked < _MAX_NAME_WORDS:
            word = _WORD.match(text, position)
            if word is None or word.group().lower() in _NOT_A_NAME:
                break
            out.append(NAME)
            masked += 1
            position = word.end()
            space = re.match(r"[ \t]+", text[position:])
            if space is None or not _WORD.match(text, position + space.end()):
                break
            out.append(" ")
            position += space.end()
    out.append(text[position:])
    return "".join(out)


def _mask_capitalised(text: str, known: frozenset[str]) -> str:
    def replace(match: re.Match[str]) -> str:
        word = match.group()
        return NAME if word[0].isupper() and word.lower() not in known else word

    return _WORD.sub(replace, text)


def to_question(body: bytes, salt: bytes, names: frozenset[str]) -> Question | None:
    """The masked question of a broker message, when it is a user message not understood."""
    row = to_row(body, salt, names)
    if row is None or row.event_type != "user" or row.name not in MISS_INTENTS:
        return None
    event: dict[str, Any] = json.loads(body)
    text = event.get("text")
    if not isinstance(text, str) or not text.strip() or text.startswith("/"):
        return None  # a button payload or an empty message: no question
    masked = mask_question(text)
    if not masked.strip(f" {DIGITS}"):
        return None
    return Question(
        event_key=row.event_key, conversation_hash=row.conversation_hash, intent=row.name,
        channel=row.channel, text=masked, at=row.at,
    )  # fmt: skip
