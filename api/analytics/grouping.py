"""Unanswered questions grouped by similarity, largest group first.

Citizens write the same question in many ways ("cara bikin paspor", "gmn bikin pasport?").
Two questions are alike when the character trigrams of their words, fillers and masks left
out, overlap enough (Dice coefficient ≥ `THRESHOLD`): robust to typos, slang endings and word
order, and cheap.
Grouping is greedy and deterministic: the distinct texts, most frequent first, each join the
first group whose leader it is alike to, or lead a new one. The leader names the group.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from api.analytics.questions import CONTACT, DIGITS, NAME

THRESHOLD = 0.55
# Words that say nothing of the question's topic ("gimana ya min", "tolong dong").
FILLERS = frozenset(
    "ya yah min kak gan sis pak bu dong sih nih deh kok tolong mohon saya aku mau ingin gimana gmn "
    "bagaimana bgmn gmana apa apakah bisa bisakah yg yang dan atau di ke itu ini".split()
)
MAX_EXAMPLES = 5
# Distinct texts grouped, most frequent first: the rest are one-offs that would not rank.
MAX_DISTINCT = 3_000
_MASKS = re.compile("|".join(re.escape(mask) for mask in (NAME, CONTACT, DIGITS)))
_NOT_WORD = re.compile(r"[^\w]+")


@dataclass
class Group:
    key: str  # stable id of the leader's text, for the console
    label: str  # the leader: the group's most frequent text
    count: int = 0
    examples: list[str] = field(default_factory=list)  # distinct texts, most frequent first
    texts: list[str] = field(default_factory=list)  # every distinct text of the group
    intents: Counter[str] = field(default_factory=Counter)  # nlu_fallback / out_of_scope


def normalised(text: str) -> str:
    words = _NOT_WORD.sub(" ", _MASKS.sub(" ", text.lower())).split()
    return " ".join(word for word in words if word not in FILLERS) or " ".join(words)


def trigrams(text: str) -> frozenset[str]:
    padded = f" {normalised(text)} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def similarity(first: frozenset[str], second: frozenset[str]) -> float:
    """The Dice coefficient of two trigram sets."""
    if not first or not second:
        return 0.0
    return 2 * len(first & second) / (len(first) + len(second))


def group_questions(
    questions: Iterable[tuple[str, str]], threshold: float = THRESHOLD, limit: int = 20
) -> list[Group]:
    """`questions` as (text, intent) pairs: their groups, largest first, at most `limit`."""
    counts: Counter[str] = Counter()
    intents: dict[str, Counter[str]] = {}
    for text, intent in questions:
        counts[text] += 1
        intents.setdefault(text, Counter())[intent] += 1
    leaders: list[tuple[frozenset[str], Group]] = []
    for text, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:MAX_DISTINCT]:
        grams = trigrams(text)
        group = next((g for lead, g in leaders if similarity(grams, lead) >= threshold), None)
        if group is None:
            group = Group(key=hashlib.sha256(text.encode()).hexdigest()[:12], label=text)
            leaders.append((grams, group))
        group.count += count
        group.texts.append(text)
        group.intents.update(intents[text])
        if len(group.examples) < MAX_EXAMPLES:
            group.examples.append(text)
    ranked = sorted((group for _, group in leaders), key=lambda g: (-g.count, g.label))
    return ranked[:limit]
