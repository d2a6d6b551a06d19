"""`python -m bench.nlu`: understanding on the held-out test split (tests/nlu/), three systems
all trained on data/nlu/ only: our pipeline (the shipped model), Rasa's default pipeline
(trained here) and the TF-IDF + logistic-regression baseline (trained here). Writes nlu.json.

Nothing here is tuned on the test split: it is only scored.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Any

import yaml

from bench.common import ROOT, results_dir, tree_hash, write_result
from bench.nlu import baseline
from bench.nlu.metrics import confusion, scores
from bench.nlu.rasa_eval import evaluate
from bench.rasa_train import epochs_of, train, with_epochs

TRAIN = "data/nlu"
TEST = "tests/nlu"
DEFAULT_PIPELINE = ROOT / "bench" / "pipelines" / "default_rasa.yml"


def fallback_threshold(config: Path) -> float:
    """The FallbackClassifier threshold of a config (0 when it has none)."""
    pipeline = yaml.safe_load(config.read_text()).get("pipeline") or []
    return next((float(c.get("threshold", 0.3)) for c in pipeline if c["name"] == "FallbackClassifier"), 0.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.nlu", description=__doc__)
    parser.add_argument(
        "--model", type=Path, default=ROOT / "models" / "asisten-warga.tar.gz", help="our trained model"
    )
    parser.add_argument(
        "--default-epochs", type=int, default=0,
        help="train Rasa's default pipeline for this many epochs instead of its own 100 (0: as configured)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if not args.model.exists():
        parser.error(f"no model at {args.model}: `make train` first")
    out = results_dir() / "nlu"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)

    systems: list[dict[str, Any]] = []

    print("nlu: scoring our pipeline (the trained model)", flush=True)
    predictions, entities = evaluate(args.model, TEST, out / "ours")
    systems.append(system("ours", "our pipeline (config.yml)", ROOT / "config.yml", predictions, entities))

    config = DEFAULT_PIPELINE
    if args.default_epochs:
        config = with_epochs(
            DEFAULT_PIPELINE, args.default_epochs, out / f"default_rasa-e{args.default_epochs}.yml"
        )
    diet_epochs = epochs_of(config)["DIETClassifier"]
    print(f"nlu: training Rasa's default pipeline (DIET {diet_epochs} epochs)", flush=True)
    training = train(config, out / "models", "default", nlu_only=True, log=out / "default-train.log")
    predictions, entities = evaluate(Path(training.model), TEST, out / "default")
    label = "Rasa default pipeline" + (
        f" ({args.default_epochs} of 100 epochs)" if args.default_epochs else ""
    )
    systems.append(
        system(
            "default",
            label,
            config,
            predictions,
            entities,
            training=training.to_json(epochs_of(DEFAULT_PIPELINE)),
        )
    )

    print("nlu: training the TF-IDF + logistic-regression baseline", flush=True)
    fitted = baseline.train_and_predict(TRAIN, TEST)
    systems.append(
        system(
            "baseline",
            "TF-IDF + logistic regression",
            None,
            fitted.predictions,
            {},
            training={"wall_seconds": fitted.train_seconds, **fitted.info},
        )  # fmt: skip
    )

    path = write_result(
        "nlu",
        {
            "train_data": {"path": TRAIN, "hash": tree_hash(TRAIN)},
            "test_data": {"path": TEST, "hash": tree_hash(TEST)},
            "model": str(args.model.relative_to(ROOT) if args.model.is_relative_to(ROOT) else args.model),
            "systems": systems,
        },
    )
    for s in systems:
        scored = s["scores"]
        print(f"nlu: {s['name']}: accuracy {scored['accuracy']:.3f}, macro-F1 {scored['macro_f1']:.3f}")
    print(f"nlu: wrote {path}")
    return 0


def system(
    name: str,
    label: str,
    config: Path | None,
    predictions: list[Any],
    entities: dict[str, Any],
    training: dict[str, Any] | None = None,
) -> dict[str, Any]:
    threshold = fallback_threshold(config) if config else 0.0
    return {
        "name": name,
        "label": label,
        "config": str(config.relative_to(ROOT)) if config and config.is_relative_to(ROOT) else None,
        "training": training,
        "scores": scores(predictions, threshold),
        "confusion": confusion(predictions),
        "entities": entities,
    }


if __name__ == "__main__":
    raise SystemExit(main())
