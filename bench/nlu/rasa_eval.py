"""Scores a trained Rasa model with `rasa test nlu` and reads its reports, as
tests/model/test_nlu_evaluation.py does for the shipped model."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from bench.common import ROOT
from bench.nlu.metrics import Prediction
from bench.rasa_train import RASA, rasa_env

# Reports of `rasa test nlu` that are not an entity extractor's.
NOT_ENTITY_REPORTS = frozenset({"intent_report.json", "response_selection_report.json"})


def evaluate(model: Path, test_folder: str, out: Path) -> tuple[list[Prediction], dict[str, Any]]:
    """Per-message intent predictions (top intent before the fallback, as `rasa test` reports
    them) and the entity scores of each entity extractor of the model."""
    command = [RASA, "test", "nlu", "--nlu", test_folder, "--model", str(model), "--out", str(out)]
    run = subprocess.run(
        [*command, "--successes", "--no-plot"], cwd=ROOT, capture_output=True, text=True, env=rasa_env()
    )
    if run.returncode != 0:
        raise RuntimeError(f"rasa test nlu failed for {model}:\n{run.stderr[-3000:]}")
    predictions = [
        Prediction(
            item["intent"],
            item["intent_prediction"]["name"],
            float(item["intent_prediction"]["confidence"] or 0),
        )
        for name in ("intent_successes.json", "intent_errors.json")
        if (out / name).exists()
        for item in json.loads((out / name).read_text())
    ]
    report = json.loads((out / "intent_report.json").read_text())
    if len(predictions) != report["macro avg"]["support"]:
        raise RuntimeError(
            f"{len(predictions)} predictions read for {report['macro avg']['support']} examples"
        )
    entities = {
        path.name.removesuffix("_report.json"): entity_scores(json.loads(path.read_text()))
        for path in sorted(out.glob("*_report.json"))
        if path.name not in NOT_ENTITY_REPORTS
    }
    return predictions, entities


def entity_scores(report: dict[str, Any]) -> dict[str, Any]:
    """Micro-averaged precision, recall and F1 over the entity types (`rasa test`'s report is
    per token, without the `no_entity` label), and per type."""
    overall = report.get("micro avg") or report["weighted avg"]
    types = {
        name: {
            "precision": s["precision"],
            "recall": s["recall"],
            "f1": s["f1-score"],
            "support": s["support"],
        }
        for name, s in report.items()
        if isinstance(s, dict) and not name.endswith(" avg") and "support" in s
    }
    return {
        "precision": overall["precision"],
        "recall": overall["recall"],
        "f1": overall["f1-score"],
        "support": overall["support"],
        "types": types,
    }
