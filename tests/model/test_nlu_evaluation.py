"""NLU quality on the held-out split in tests/nlu/, which training never sees.

The floors sit a little under the measured values in docs/nlu.md, so that a change that
makes understanding worse fails here.
"""

import json
import shutil

import pytest

from tests.model.conftest import ROOT, domain_intents, rasa

INTENT_ACCURACY_FLOOR = 0.935
ENTITY_F1_FLOOR = 0.97


@pytest.fixture(scope="module")
def reports(model, tmp_path_factory):
    out = tmp_path_factory.mktemp("nlu-results")
    run = rasa("test", "nlu", "--nlu", "tests/nlu", "--model", str(model), "--out", str(out))
    assert run.returncode == 0, run.stderr[-3000:]
    # Kept for whoever reads the numbers of this run (docs/nlu.md quotes them).
    kept = ROOT / "var" / "reports" / "nlu-test-split"
    kept.mkdir(parents=True, exist_ok=True)
    # The scores only: intent_errors.json holds the held-out messages themselves.
    for report in ("intent_report.json", "IdentifierEntityExtractor_report.json"):
        if (out / report).exists():
            shutil.copy(out / report, kept / report)
    return out


def test_intent_accuracy_on_the_test_split(reports):
    report = json.loads((reports / "intent_report.json").read_text())
    assert report["accuracy"] >= INTENT_ACCURACY_FLOOR, {
        name: scores["f1-score"] for name, scores in report.items()
        if isinstance(scores, dict) and scores.get("f1-score", 1) < 0.9
    }


def test_entity_f1_on_the_test_split(reports):
    report = json.loads((reports / "IdentifierEntityExtractor_report.json").read_text())
    assert report["weighted avg"]["f1-score"] >= ENTITY_F1_FLOOR, report


def test_every_intent_of_the_domain_is_evaluated(reports):
    report = json.loads((reports / "intent_report.json").read_text())
    missing = set(domain_intents()) - set(report)
    assert not missing, f"intents without test examples: {sorted(missing)}"
