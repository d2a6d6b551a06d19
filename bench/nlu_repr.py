"""`python -m bench.nlu_repr [--use PATH]` (Rasa runtime): intent representations on the dev split.

Scores candidate feature sets for the linear intent classifier on the dev split of
bench/nlu-dev-split (80/20 of data/nlu, seed 7; run that script or `rasa data split` first),
never on tests/nlu/. Every candidate reads the same tokens and normalised lemmas as the shipped
pipeline (WhitespaceTokenizer + IndonesianNormalizer). For each it prints accuracy, macro-F1,
out-of-scope recall and in-scope false alarms at the fallback threshold that keeps false alarms
at or under 3% on the dev split, and the milliseconds per message of one prediction at a time.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.loading import load_data
from sklearn.metrics import f1_score

from bot.nlu.linear_classifier import _words
from bot.nlu.normalizer import IndonesianNormalizer

SPLIT = Path("var/bench/nlu-dev-split/split")
OUT_OF_SCOPE = "out_of_scope"
MAX_FALSE_ALARMS = 0.03


def dev_data() -> tuple[list[str], list[str], list[str], list[str], list[str]]:
    """(train words, train intents, dev words, dev intents, dev raw texts)."""
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    normalizer = IndonesianNormalizer({"stem": False})
    out: list[list[str]] = []
    for name in ("training_data.yml", "test_data.yml"):
        messages = [m for m in load_data(str(SPLIT / name)).intent_examples if m.get("text")]
        tokenizer.process(messages)
        normalizer.process(messages)
        out += [
            [_words(m) for m in messages],
            [m.get("intent") for m in messages],
            [m.get("text") for m in messages],
        ]
    return out[0], out[1], out[3], out[4], out[5]


def oos_at_budget(
    truth: Sequence[str], ranked: np.ndarray, classes: np.ndarray
) -> tuple[float, float, float]:
    """(threshold, out-of-scope recall, in-scope false alarms) at the highest threshold whose
    in-scope false alarms (fallback or out_of_scope on an in-scope message) stay <= 3%."""
    top = ranked.max(axis=1)
    predicted = classes[ranked.argmax(axis=1)]
    oos = np.array([t == OUT_OF_SCOPE for t in truth])
    best = (0.0, 0.0, 0.0)
    for threshold in np.arange(0.0, 0.71, 0.01):
        flagged = (top < threshold) | (predicted == OUT_OF_SCOPE)
        alarms = float(flagged[~oos].mean())
        if alarms <= MAX_FALSE_ALARMS:
            best = (float(threshold), float(flagged[oos].mean()), alarms)
    return best


def score(name: str, fit: Callable[[list[str], list[str]], object], data: tuple) -> str:
    train_x, train_y, dev_x, dev_y, _ = data
    start = time.monotonic()
    model = fit(train_x, train_y)
    seconds = time.monotonic() - start
    ranked = model.predict_proba(dev_x)  # type: ignore[attr-defined]
    classes = model.classes_  # type: ignore[attr-defined]
    predicted = classes[ranked.argmax(axis=1)]
    accuracy = float(np.mean(predicted == np.array(dev_y)))
    macro = f1_score(dev_y, predicted, average="macro")
    threshold, recall, alarms = oos_at_budget(dev_y, ranked, classes)
    start = time.monotonic()
    for text in dev_x[:200]:
        model.predict_proba([text])  # type: ignore[attr-defined]
    ms = (time.monotonic() - start) / min(200, len(dev_x)) * 1000
    return (
        f"| {name} | {seconds:.0f} | {accuracy:.3f} | {macro:.3f} | {threshold:.2f} | "
        f"{recall:.2f} | {alarms:.3f} | {ms:.1f} |"
    )


if __name__ == "__main__":
    from bench.nlu_candidates import CANDIDATES

    data = dev_data()
    wanted = sys.argv[1:]
    print(f"dev split: {len(data[0])} to train, {len(data[2])} to score")
    print(
        "| candidate | fit s | accuracy | macro-F1 | threshold (<=3% alarms) | OOS recall | alarms | ms/msg |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, fit in CANDIDATES.items():
        if not wanted or name in wanted:
            print(score(name, fit, data), flush=True)
