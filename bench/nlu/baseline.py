"""The baseline: TF-IDF features and logistic regression (scikit-learn), no Rasa pipeline.

Reads Rasa's YAML NLU data with Rasa's own loader, which gives each example's plain text
(entity annotations `[x](y)` removed). Features: word 1–2-grams and `char_wb` 2–4-grams
(the n-gram ranges of our pipeline's featurizers), lower-cased, sublinear TF. The
regularisation C was chosen by 5-fold cross-validation on the training data only
(`python -m bench.nlu.baseline --select-c`, 12 minutes here, so not part of every run).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from rasa.shared.nlu.training_data.loading import load_data
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline

from bench.nlu.metrics import Prediction

# Chosen by `--select-c` on data/nlu (3,579 examples): the best of C_GRID, with a mean CV
# accuracy of 0.914; it is also the largest value tried.
C = 100.0
C_GRID = (1.0, 10.0, 100.0)
SEED = 7


@dataclass
class Baseline:
    predictions: list[Prediction]
    train_seconds: float
    info: dict[str, Any]


def examples(folder: str) -> tuple[list[str], list[str]]:
    """(texts, intents) of the NLU examples under `folder`."""
    data = load_data(folder)
    pairs = [(m.get("text"), m.get("intent")) for m in data.intent_examples]
    return [text for text, _ in pairs], [intent for _, intent in pairs]


def model(c: float = C) -> Pipeline:
    features = FeatureUnion([
        ("words", TfidfVectorizer(lowercase=True, ngram_range=(1, 2), sublinear_tf=True)),
        ("chars", TfidfVectorizer(lowercase=True, analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)),
    ])  # fmt: skip
    return Pipeline([("features", features), ("classifier", LogisticRegression(C=c, max_iter=2000))])


def train_and_predict(train_folder: str, test_folder: str) -> Baseline:
    texts, intents = examples(train_folder)
    fitted = model()
    start = time.monotonic()
    fitted.fit(texts, intents)
    seconds = time.monotonic() - start
    test_texts, test_intents = examples(test_folder)
    probabilities = fitted.predict_proba(test_texts)
    classes = fitted.classes_
    predictions = [
        Prediction(truth, str(classes[row.argmax()]), float(row.max()))
        for truth, row in zip(test_intents, probabilities, strict=True)
    ]
    features = sum(len(v.vocabulary_) for _, v in fitted.named_steps["features"].transformer_list)
    info = {"C": C, "features": features, "training_examples": len(texts)}
    return Baseline(predictions, round(seconds, 1), info)


def select_c(train_folder: str) -> dict[float, float]:
    """Mean 5-fold cross-validation accuracy on the training data for each C of the grid."""
    texts, intents = examples(train_folder)
    search = GridSearchCV(
        model(), {"classifier__C": C_GRID}, scoring="accuracy", n_jobs=1,
        cv=StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED),
    )  # fmt: skip
    search.fit(texts, intents)
    return {c: round(float(a), 4) for c, a in zip(C_GRID, search.cv_results_["mean_test_score"], strict=True)}


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.nlu.baseline", description=__doc__)
    parser.add_argument("--select-c", action="store_true", help="cross-validate C on data/nlu")
    if parser.parse_args().select_c:
        print(select_c("data/nlu"))
