"""Two questions in one message, played as two turns.

"berapa iuran bpjs kelas 3 dan gimana cara bikin kia?" asks two things. Rasa 3.6 gives a
message one intent, so one of the two would go unanswered. The gateway splits such a message
into its questions and sends each to Rasa as its own turn, in the order typed; the citizen gets
both answers, one after the other, in one reply. Why here and not as Rasa multi-intents:
docs/nlu.md ("Two questions in one message").

A split is made only when it is safe: the text has a sentence end, a joining word ("dan",
"sama", "serta", ...) followed by a question word, or a joining word that starts a new clause
("terus", "trs", "lalu", "oh ya", ...: "pip sma brp, trs aktivasinya bawa apa"); each part is a
question of its own (a question word, at least three words, two that name something), and
Rasa's NLU reads each part as an in-scope request with confidence: two different requests, or
the same request about different things ("iuran kelas 1 brp? bayarnya paling telat tgl brp").
Anything less stays one message: an elliptical tail ("... dan berapa biayanya?") belongs to the
question before it and is not split off; the same question asked twice in other words stays one. A part that
opens a form is played like any message, so the next part is a question inside the form
(answered, then the form asks again). After a hand-off or an erasure signal the rest is not
played.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable

from api.rasa_client import BotReply, RasaClient, Understanding

MAX_PARTS = 3
MIN_WORDS = 3
MIN_CONTENT = 2
MIN_CONFIDENCE = 0.5
# Intents that are not a question of their own: a part read as one of them is no second question.
NOT_A_QUESTION = frozenset({
    "out_of_scope", "nlu_fallback", "inform", "affirm", "deny", "greet", "goodbye", "thanks", "cancel",
})  # fmt: skip

_QUESTION_WORD = (
    r"(?:cara|caranya|gimana|gmn|gmana|bagaimana|gimna|berapa|brp|brapa|kapan|kpn|dimana|dmn|di\s+mana|"
    r"kemana|ke\s+mana|apa|apakah|syarat|syaratnya|persyaratan|bisa|bs|bisakah|boleh|bolehkah|jam|"
    r"cek|tolong|mau|minta|status|daftar|kenapa|knp|mengapa)"
)
_JOINER = r"(?:dan|terus|trus|trs|lalu|serta|sama|kemudian|sekalian|satu\s+lagi|oh\s+ya|oiya|btw|plus|juga)"
# Joining words that start a new clause, never join two nouns ("dan", "sama" do: "ktp dan kk").
_CLAUSE_JOINER = r"(?:terus|trus|trs|lalu|kemudian|sekalian|satu\s+lagi|oh\s+ya|oiya|btw)"
# A split point: a sentence end (?, !, . or a new line), a joining word (after an optional
# comma) followed by a question word or "kalau", or a clause's joining word.
_SPLIT = re.compile(
    rf"(?:(?<=[?!.])\s+|\s*\n\s*|\s*,?\s+{_JOINER}\s+(?=(?:{_QUESTION_WORD}|kalau|kalo|klo)\b)"
    rf"|\s*,?\s+{_CLAUSE_JOINER}\s+)",
    re.IGNORECASE,
)
_LEADING_JOINER = re.compile(rf"^(?:{_JOINER})\s+", re.IGNORECASE)
_HAS_QUESTION_WORD = re.compile(rf"\b{_QUESTION_WORD}\b|\?", re.IGNORECASE)
# Words that name nothing: interrogatives, "cara"/"syarat" and fillers. Action words (cek, status,
# daftar, jam) do name what is asked, so they count as content.
_QUESTION_OR_FILLER = re.compile(
    r"cara|caranya|gimana|gmn|gmana|bagaimana|gimna|berapa|brp|brapa|kapan|kpn|dimana|dmn|di|mana|kemana|ke|"
    r"apa|apakah|kenapa|knp|mengapa|syarat|syaratnya|persyaratan|bisa|bs|bisakah|boleh|bolehkah|"
    r"aja|saja|ya|yah|dong|sih|kak|min|pak|bu|nya|itu|ini|yg|yang|lagi|juga|gak|ga|"
    r"tidak|nggak|ngga|kalau|kalo|klo|untuk|buat|utk|saya|aku|sy",
    re.IGNORECASE,
)


def _content_words(part: str) -> int:
    """Words that name something (not a question word or a filler): "syaratnya apa aja" has none."""
    words = re.findall(r"\w+", part)
    return sum(not _QUESTION_OR_FILLER.fullmatch(word) for word in words)


def _a_question_of_its_own(part: str) -> bool:
    return (
        len(part.split()) >= MIN_WORDS
        and _content_words(part) >= MIN_CONTENT
        and bool(_HAS_QUESTION_WORD.search(part))
    )


def candidate_parts(text: str) -> list[str]:
    """The message's questions by the text alone: one part when it does not look like two. A
    part that is no question of its own ("... dan berapa biayanya?") stays with the one before."""
    text = text.strip()
    pieces: list[tuple[int, int]] = []  # (start, end) of each piece of `text`
    start = 0
    for split in _SPLIT.finditer(text):
        if split.start() > start:
            pieces.append((start, split.start()))
        start = split.end()
    if start < len(text):
        pieces.append((start, len(text)))
    parts: list[tuple[int, int]] = []
    for piece in pieces:
        if parts and not _a_question_of_its_own(_clean(text[piece[0] : piece[1]])):
            parts[-1] = (parts[-1][0], piece[1])  # an elliptical tail: part of the question before
        else:
            parts.append(piece)
    found = [_clean(text[begin:end]) for begin, end in parts]
    if len(found) < 2 or len(found) > MAX_PARTS or not all(map(_a_question_of_its_own, found)):
        return [text]
    return found


def _clean(part: str) -> str:
    return _LEADING_JOINER.sub("", part.strip(" ,;"))


def _content(part: str) -> set[str]:
    return {word.lower() for word in re.findall(r"\w+", part) if not _QUESTION_OR_FILLER.fullmatch(word)}


def _about_different_things(parts: list[str]) -> bool:
    """Each part names something the others do not: two questions of one kind ("kelas 1 brp?
    kalau kelas 2?"), not one question said twice ("cara daftar bpjs? daftar bpjs gimana")."""
    words = [_content(part) for part in parts]
    return all(len(mine - set().union(*(w for w in words if w is not mine))) >= 1 for mine in words)


def _a_question(understood: Understanding | None) -> str | None:
    """The part's intent when the NLU reads it as a request of its own, else None."""
    if understood is None:
        return None
    name = str(understood.intent.get("name") or "")
    confidence = float(understood.intent.get("confidence") or 0.0)
    return name if name not in NOT_A_QUESTION and confidence >= MIN_CONFIDENCE else None


async def questions(rasa: RasaClient, text: str) -> list[str]:
    """The questions of `text`: its parts when the NLU confirms each as a different request."""
    parts = candidate_parts(text)
    if len(parts) == 1:
        return parts
    # The parts are read at once: the citizen waits for the slowest, not for their sum.
    intents = [_a_question(understood) for understood in await asyncio.gather(*map(rasa.parse, parts))]
    if None in intents:
        return [text]
    if len(set(intents)) < len(intents) and not _about_different_things(parts):
        return [text]
    return parts


Send = Callable[[str], Awaitable[list[BotReply]]]
Stops = Callable[[BotReply], bool]


async def play(rasa: RasaClient, text: str, send: Send, stops: Stops) -> list[BotReply]:
    """Send `text` to Rasa, question by question; the replies of every part in order. After a
    reply that `stops` (a hand-off, an erasure) the remaining parts are not sent."""
    replies: list[BotReply] = []
    for part in await questions(rasa, text):
        answered = await send(part)
        replies += answered
        if any(stops(reply) for reply in answered):
            break
    return replies
