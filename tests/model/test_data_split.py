"""The held-out NLU split stays held out, and every intent has enough examples on each side."""

import re
from collections import Counter

from rasa.shared.nlu.training_data.loading import load_data

from tests.model.conftest import ROOT, domain_intents


def _key(text: str) -> str:
    return re.sub(r"[^\w]+", " ", text.lower()).strip()


def _examples(folder: str) -> list[tuple[str, str]]:
    data = load_data(str(ROOT / folder))
    return [(_key(m.get("text")), m.get("intent")) for m in data.training_examples]


def test_no_test_example_is_in_the_training_data():
    training = {text for text, _ in _examples("data/nlu")}
    leaked = [text for text, _ in _examples("tests/nlu") if text in training]
    assert not leaked, leaked


def test_every_intent_has_30_training_examples_and_15_percent_held_out():
    intents = domain_intents()
    train = Counter(intent for _, intent in _examples("data/nlu"))
    test = Counter(intent for _, intent in _examples("tests/nlu"))
    short = {
        i: (train[i], test[i]) for i in intents if train[i] < 30 or test[i] < 0.15 * (train[i] + test[i])
    }
    assert not short, short
