"""LinearIntentClassifier: TF-IDF n-grams and sentence embeddings, logistic regression.

It reads the tokens' lemmas (set by IndonesianNormalizer), so slang and typos are mapped before
they are counted. Word 1–2-grams and `char_wb` 2–4-grams, sublinear TF, L2-normalised, and (with
`sentence_embeddings`) a multilingual sentence embedding of the same words
(bot/nlu/sentence_features.py) feed a multinomial logistic regression (scikit-learn). Why it
replaced DIET: docs/nlu.md (round 5); why the embeddings: docs/nlu.md (round 7).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import skops.io as sio
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.constants import PREDICTED_CONFIDENCE_KEY as CONFIDENCE
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from bot.nlu.sentence_features import NearestIntents, SentenceEmbedding, encoder

logger = logging.getLogger(__name__)

MODEL_FILE = "classifier.skops"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent, IntentClassifier):
    """Intent and confidence ranking from a linear model over word and character n-grams."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "C": 100.0,  # as cross-validation chose for bench/nlu/baseline.py; C = 10 tied on the dev split
            "word_ngrams": [1, 2],
            "char_ngrams": [2, 4],
            "ranking_length": 10,
            "sentence_embeddings": False,  # add USE multilingual v3 embeddings to the n-grams
            # with sentence_embeddings: weight of each intent's nearest training example's
            # similarity as extra features (0: none); docs/nlu.md, round 8
            "nearest_intents": 0.0,
        }

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Pipeline | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = _for_prediction(model) if model is not None else None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    def _new_model(self) -> Pipeline:
        config = self._config
        words = TfidfVectorizer(ngram_range=tuple(config["word_ngrams"]), sublinear_tf=True)
        chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=tuple(config["char_ngrams"]), sublinear_tf=True
        )
        parts: list[tuple[str, Any]] = [("words", words), ("chars", chars)]
        if config["sentence_embeddings"]:
            parts.append(("sentence", SentenceEmbedding()))
            if config["nearest_intents"]:
                parts.append(("nearest", NearestIntents(weight=config["nearest_intents"])))
        features = FeatureUnion(parts)
        return Pipeline(
            [("features", features), ("classifier", LogisticRegression(C=config["C"], max_iter=3000))]
        )

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        if len({e.get(INTENT) for e in examples}) < 2:
            logger.debug("LinearIntentClassifier: fewer than two intents, nothing to train.")
            return self._resource
        model = self._new_model().fit([_words(e) for e in examples], [e.get(INTENT) for e in examples])
        self._model = _for_prediction(model)  # as loaded: the same numbers before and after saving
        with self._model_storage.write_to(self._resource) as directory:
            sio.dump(self._model, directory / MODEL_FILE)
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LinearIntentClassifier:
        try:
            with model_storage.read_from(resource) as directory:
                path = directory / MODEL_FILE
                model = sio.load(path, trusted=_trusted_types(path))
        except ValueError:  # no model was trained (no intents in the data)
            return cls(config, model_storage, resource)
        if {"sentence", "nearest"} & set(dict(model[0].transformer_list)):
            encoder()  # load the encoder with the model, not on the first message
        return cls(config, model_storage, resource, model)

    def process(self, messages: list[Message]) -> list[Message]:
        if self._model is None or not messages:
            return messages
        intents = self._model.classes_
        probabilities = probabilities_of(self._model, [_words(m) for m in messages])
        for message, row in zip(messages, probabilities, strict=True):
            order = np.argsort(row)[::-1][: self._config["ranking_length"]]
            ranking = [{INTENT_NAME_KEY: str(intents[i]), CONFIDENCE: float(row[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages


def _for_prediction(model: Pipeline) -> Pipeline:
    """The weights stored column-major: scikit-learn multiplies the sparse features by
    `coef_.T`, which SciPy copies whole (36 intents x 28k n-grams) unless it is contiguous.
    The same numbers, half the time per message (0.9 against 1.7 ms)."""
    classifier = model[-1]
    classifier.coef_ = np.asfortranarray(classifier.coef_)
    return model


def probabilities_of(model: Pipeline, texts: list[str]) -> np.ndarray:
    """`model.predict_proba(texts)`, without joining the features into one sparse matrix first:
    each part's features meet their own block of the weights, a dense part (the sentence
    embeddings) as a dense array. The same numbers (a multinomial model: softmax of the linear
    scores); the join of 512 dense columns into a sparse matrix was most of a message's time."""
    union, classifier = model[0], model[-1]
    scores = np.tile(classifier.intercept_, (len(texts), 1))
    start = 0
    for _, transformer in union.transformer_list:
        dense = getattr(transformer, "dense", None)
        part = dense(texts) if dense is not None else transformer.transform(texts)
        width = part.shape[1]
        scores += np.asarray(part @ classifier.coef_[:, start : start + width].T)
        start += width
    scores -= scores.max(axis=1, keepdims=True)
    exp = np.exp(scores)
    return np.asarray(exp / exp.sum(axis=1, keepdims=True))


def _words(message: Message) -> str:
    """The message as its normalised words (the tokens' lemmas), or its text without tokens."""
    tokens = message.get(TOKENS_NAMES[TEXT])
    if not tokens:
        return message.get(TEXT) or ""
    return " ".join(token.lemma or token.text for token in tokens)


# skops refuses to load types it does not know unless they are named: a fitted TfidfVectorizer
# keeps its IDF weights in a sparse matrix. Anything else unknown in the file is refused.
_EXPECTED_UNTRUSTED = {
    "scipy.sparse._csr.csr_matrix",
    "bot.nlu.sentence_features.SentenceEmbedding",
    "bot.nlu.sentence_features.NearestIntents",
}


def _trusted_types(path: Path) -> list[str]:
    untrusted = sio.get_untrusted_types(file=path)
    unexpected = set(untrusted) - _EXPECTED_UNTRUSTED
    if unexpected:
        raise TypeError(f"refusing to load {path}: unexpected types {sorted(unexpected)}")
    return untrusted
