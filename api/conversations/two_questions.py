"""Two questions in one message, played as two turns.

"berapa iuran bpjs kelas 3 dan gimana cara bikin kia?" asks two things. Rasa 3.6 gives a
message one intent, so one of the two would go unanswered. The gateway splits such a message
into its questions and sends each to Rasa as its own turn, in the order typed; the citizen gets
both answers, one after the other, in one reply. Why here and not as Rasa multi-intents:
docs/nlu.md ("Two questions in one message").

A split is made only when it is safe: the text has a sentence end or a joining word ("dan",
"terus", "sama", "lalu", "oh ya", ...) followed by a question word, each part is a question of
its own (a question word and at least three words), and Rasa's NLU reads each part as a
different in-scope request with confidence. Anything less stays one message: an elliptical tail
("... dan berapa biayanya?") belongs to the first question and is not split off. A part that
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
    r"(?:cara|caranya|gimana|gmn|gmana|bagaimana|gimna|berapa|brp|brapa|kapan|dimana|di\s+mana|"
    r"kemana|ke\s+mana|apa|apakah|syarat|syaratnya|persyaratan|bisa|bisakah|boleh|bolehkah|jam|"
    r"cek|tolong|mau|minta|status|daftar|kenapa|mengapa)"
)
_JOINER = r"(?:dan|terus|trus|trs|lalu|serta|sama|kemudian|sekalian|satu\s+lagi|oh\s+ya|oiya|btw|plus|juga)"
# A split point: a sentence end (?, !, . or a new line), or a joining word (after an optional
# comma) followed by a question word or "kalau".
_SPLIT = re.compile(
    rf"(?:(?<=[?!.])\s+|\s*\n\s*|\s*,?\s+{_JOINER}\s+(?=(?:{_QUESTION_WORD}|kalau|kalo|klo)\b))",
    re.IGNORECASE,
)
_LEADING_JOINER = re.compile(rf"^(?:{_JOINER})\s+", re.IGNORECASE)
_HAS_QUESTION_WORD = re.compile(rf"\b{_QUESTION_WORD}\b|\?", re.IGNORECASE)
# Words that name nothing: interrogatives, "cara"/"syarat" and fillers. Action words (cek, status,
# daftar, jam) do name what is asked, so they count as content.
_QUESTION_OR_FILLER = re.compile(
    r"cara|caranya|gimana|gmn|gmana|bagaimana|gimna|berapa|brp|brapa|kapan|dimana|di|mana|kemana|ke|"
    r"apa|apakah|kenapa|mengapa|syarat|syaratnya|persyaratan|bisa|bisakah|boleh|bolehkah|"
    r"aja|saja|ya|yah|dong|sih|kak|min|pak|bu|nya|itu|ini|yg|yang|lagi|juga|gak|ga|"
    r"tidak|nggak|ngga|kalau|kalo|klo|untuk|buat|utk|saya|aku|sy",
    re.IGNORECASE,
)


def _content_words(part: str) -> int:
    """Words that name something (not a question word or a filler): "syaratnya apa aja" has none."""
    words = re.findall(r"\w+", part)
    return sum(not _QUESTION_OR_FILLER.fullmatch(word) for word in words)


def candidate_parts(text: str) -> list[str]:
    """The message's questions by the text alone: one part when it does not look like two."""
    parts = [_LEADING_JOINER.sub("", part.strip(" ,;")) for part in _SPLIT.split(text.strip())]
    parts = [part for part in parts if part]
    if len(parts) < 2 or len(parts) > MAX_PARTS:
        return [text]
    if any(
        len(part.split()) < MIN_WORDS
        or _content_words(part) < MIN_CONTENT
        or not _HAS_QUESTION_WORD.search(part)
        for part in parts
    ):
        return [text]
    return parts


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
    if None in intents or len(set(intents)) < len(intents):
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
