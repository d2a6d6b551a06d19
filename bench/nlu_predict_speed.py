"""`python -m bench.nlu_predict_speed MODEL.tar.gz` (Rasa runtime): the intent classifier's own
time per message, scikit-learn's `predict_proba` against `probabilities_of` (bot/nlu/
linear_classifier.py), one message at a time and interleaved, so that both meet the same load on
a shared machine; and the sentence encoder alone. Messages: the dev split of bench/nlu_round8.
"""

from __future__ import annotations

import statistics
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import skops.io as sio

import bot.nlu.sentence_features as sentence_features
from bench.nlu_round8 import SPLIT, examples, words
from bot.nlu.linear_classifier import MODEL_FILE, _for_prediction, _trusted_types, probabilities_of


def main(archive: str) -> str:
    with tempfile.TemporaryDirectory() as folder:
        with tarfile.open(archive) as tar:
            tar.extractall(folder)
        path = next(Path(folder).rglob(MODEL_FILE))
        model = _for_prediction(sio.load(path, trusted=_trusted_types(path)))
    texts = words([t for t, _ in examples(SPLIT / "test_data.yml")])
    sentence_features.encoder()
    timings: dict[str, list[float]] = {"predict_proba": [], "probabilities_of": [], "encoder": []}
    calls = {
        "predict_proba": lambda t: model.predict_proba([t]),
        "probabilities_of": lambda t: probabilities_of(model, [t]),
        "encoder": lambda t: sentence_features.embed([t]),
    }
    for text in texts:
        for name, call in calls.items():
            sentence_features._last = None  # no vectors kept from the previous call
            start = time.perf_counter()
            call(text)
            timings[name].append((time.perf_counter() - start) * 1000)
    medians = ", ".join(f"{name} {statistics.median(ms):.2f} ms" for name, ms in timings.items())
    return f"{archive}: {len(texts)} messages, medians: {medians}"


if __name__ == "__main__":
    for archive in sys.argv[1:]:
        print(main(archive))
