"""`python -m bench.nlu_round8 [CANDIDATE...]` (Rasa runtime): intent models on two dev signals.

1. The frozen dev split of round 8 (`var/bench/nlu-dev-split/split-base`: `rasa data split nlu
   --training-fraction 0.8 --random-seed 7` of `data/nlu` at commit f02fe93, before this round's
   sentences). Every example of `data/nlu` that is in neither half (this round's new sentences)
   is added to the training half, so new data is judged by what it does on the same dev messages.
2. The typed turns of the DEV conversations (`bench/nlu_dev_turns.yml`), minus any that appear in
   the training data: another writer's phrasing, closer to what citizens type.

Never tests/nlu/ nor the conversation corpus. For each candidate: accuracy and macro-F1 on the dev
split, accuracy on the dev turns, and out of scope at the shipped fallback threshold and at the
highest threshold with <= 3% in-scope false alarms (bench/nlu_repr.oos_at_budget). `--errors`
prints the misclassified messages.
"""

from __future__ import annotations

import pickle
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.pipeline import FeatureUnion, Pipeline

from bench.nlu_repr import OUT_OF_SCOPE, oos_at_budget
from bot.nlu.linear_classifier import _words
from bot.nlu.normalizer import IndonesianNormalizer

SPLIT = Path("var/bench/nlu-dev-split/split-base")
TURNS = Path("bench/nlu_dev_turns.yml")
CACHE = Path("var/bench/use_cache.pkl")
SHIPPED_THRESHOLD = 0.39

_tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
_normalizer = IndonesianNormalizer({"stem": False})


def key(text: str) -> str:
    return re.sub(r"[^\w]+", " ", text.lower()).strip()


def words(texts: list[str]) -> list[str]:
    messages = [Message(data={"text": t}) for t in texts]
    _tokenizer.process(messages)
    _normalizer.process(messages)
    return [_words(m) for m in messages]


def examples(path: Path | str) -> list[tuple[str, str]]:
    return [(m.get("text"), m.get("intent")) for m in load_data(str(path)).intent_examples if m.get("text")]


def datasets() -> dict[str, tuple[list[str], list[str]]]:
    train, dev = examples(SPLIT / "training_data.yml"), examples(SPLIT / "test_data.yml")
    known = {key(t) for t, _ in train + dev}
    new = [(t, i) for t, i in examples("data/nlu") if key(t) not in known]
    train += new
    in_training = {key(t) for t, _ in train}
    turns = [
        (text, intent)
        for intent, texts in yaml.safe_load(TURNS.read_text()).items()
        for text in texts
        if key(text) not in in_training
    ]
    print(f"dev split: {len(train)} to train ({len(new)} new this round), {len(dev)} to score; "
          f"dev turns: {len(turns)}")  # fmt: skip
    return {name: ([t for t, _ in rows], [i for _, i in rows]) for name, rows in
            (("train", train), ("dev", dev), ("turns", turns))}  # fmt: skip


# --- the sentence encoder, cached by text on disk (encoding is the slow part of a fit) ----------
_cache: dict[str, np.ndarray] = pickle.loads(CACHE.read_bytes()) if CACHE.exists() else {}


def encode(texts: list[str]) -> np.ndarray:
    from bot.nlu.sentence_features import embed

    missing = [t for t in dict.fromkeys(texts) if t not in _cache]
    if missing:
        _cache.update(zip(missing, embed(missing), strict=True))
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        CACHE.write_bytes(pickle.dumps(_cache))
    return np.vstack([_cache[t] for t in texts]) if texts else np.zeros((0, 512), np.float32)


class Sentence(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    def __init__(self, weight: float = 1.0) -> None:
        self.weight = weight

    def fit(self, x: list[str], y: object = None) -> Sentence:
        return self

    def transform(self, x: list[str]) -> sparse.csr_matrix:
        return sparse.csr_matrix(encode(list(x)) * self.weight)


class Nearest(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """Per intent, the highest cosine similarity of the message to that intent's training
    examples (a nearest-neighbour view of the embeddings). On the training rows a message's
    own row is left out, so the classifier does not learn to trust a perfect self-match."""

    def __init__(self, weight: float = 1.0) -> None:
        self.weight = weight

    def fit(self, x: list[str], y: list[str]) -> Nearest:
        self.vectors_ = encode(list(x))
        self.intents_ = sorted(set(y))
        self.labels_ = np.array([self.intents_.index(i) for i in y])
        return self

    def _scores(self, similarity: np.ndarray) -> sparse.csr_matrix:
        out = np.full((similarity.shape[0], len(self.intents_)), -1.0, dtype=np.float32)
        for k in range(len(self.intents_)):
            out[:, k] = similarity[:, self.labels_ == k].max(axis=1)
        return sparse.csr_matrix(out * self.weight)

    def fit_transform(self, x: list[str], y: list[str] | None = None, **_: Any) -> sparse.csr_matrix:
        assert y is not None
        self.fit(x, y)
        similarity = self.vectors_ @ self.vectors_.T
        np.fill_diagonal(similarity, -1.0)
        return self._scores(similarity)

    def transform(self, x: list[str]) -> sparse.csr_matrix:
        return self._scores(encode(list(x)) @ self.vectors_.T)


def model(
    nearest: float = 0.0,
    c: float = 100.0,
    word: tuple[int, int] = (1, 2),
    char: tuple[int, int] = (2, 4),
    sentence: float = 1.0,
    class_weight: str | None = None,
    analyzer: str = "char_wb",
) -> Callable[[list[str], list[str]], Any]:
    def fit(x: list[str], y: list[str]) -> Any:
        parts: list[tuple[str, Any]] = [
            ("words", TfidfVectorizer(ngram_range=word, sublinear_tf=True)),
            ("chars", TfidfVectorizer(analyzer=analyzer, ngram_range=char, sublinear_tf=True)),
        ]
        if sentence:
            parts.append(("sentence", Sentence(sentence)))
        if nearest:
            parts.append(("nearest", Nearest(nearest)))
        classifier = LogisticRegression(C=c, max_iter=3000, class_weight=class_weight)
        return Pipeline([("features", FeatureUnion(parts)), ("classifier", classifier)]).fit(x, y)

    return fit


CANDIDATES: dict[str, Callable[[list[str], list[str]], Any]] = {
    "shipped: words 1-2 + char_wb 2-4 + USE x1, C=100": model(),
    "n-grams only, C=100": model(sentence=0.0),
    "C=30": model(c=30.0),
    "C=300": model(c=300.0),
    "balanced class weights": model(class_weight="balanced"),
    "char_wb 1-5": model(char=(1, 5)),
    "char_wb 2-5": model(char=(2, 5)),
    "words 1-3": model(word=(1, 3)),
    "USE x1.5": model(sentence=1.5),
    "USE x0.7": model(sentence=0.7),
    "nearest x1": model(nearest=1.0),
    "nearest x2": model(nearest=2.0),
}


def evaluate(name: str, fit: Callable, data: dict, errors: bool) -> str:
    train_x, train_y = data["train"]
    start = time.monotonic()
    fitted = fit(words(train_x), train_y)
    seconds = time.monotonic() - start
    classes = fitted.classes_
    cells = []
    for split in ("dev", "turns"):
        texts, truth = data[split]
        ranked = fitted.predict_proba(words(texts))
        predicted = classes[ranked.argmax(axis=1)]
        right = predicted == np.array(truth)
        cells.append(f"{right.mean():.3f}")
        if split == "dev":
            cells.append(f"{f1_score(truth, predicted, average='macro'):.3f}")
            oos = np.array([t == OUT_OF_SCOPE for t in truth])
            flagged = (ranked.max(axis=1) < SHIPPED_THRESHOLD) | (predicted == OUT_OF_SCOPE)
            cells.append(f"{flagged[oos].mean():.2f} / {flagged[~oos].mean():.3f}")
            threshold, recall, alarms = oos_at_budget(truth, ranked, classes)
            cells.append(f"{threshold:.2f}: {recall:.2f} / {alarms:.3f}")
            confusions = Counter((t, p) for t, p, r in zip(truth, predicted, right, strict=True) if not r)
        if errors:
            for text, t, p, row, r in zip(texts, truth, predicted, ranked, right, strict=True):
                if not r:
                    print(f"  [{split}] {t} -> {p} ({row.max():.2f}): {text}")
    if errors:
        print("  top confusions:", confusions.most_common(15))
    start = time.monotonic()
    for text in words(data["dev"][0][:200]):
        fitted.predict_proba([text])
    ms = (time.monotonic() - start) / 200 * 1000
    return f"| {name} | {seconds:.0f} | " + " | ".join(cells) + f" | {ms:.1f} |"


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    data = datasets()
    print("| candidate | fit s | dev accuracy | dev macro-F1 | OOS recall / alarms at 0.39 | "
          "threshold at <= 3% alarms: OOS recall / alarms | dev-turn accuracy | ms/msg |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for name, fit in CANDIDATES.items():
        if not args or any(a in name for a in args):
            print(evaluate(name, fit, data, "--errors" in sys.argv), flush=True)
