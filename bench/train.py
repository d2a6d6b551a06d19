"""`python -m bench.train`: time `rasa train` (NLU and dialogue) of our config.yml into the
run's folder, with an empty cache. Writes train.json.

By default the training is full length. `--epochs N` trains the epoch-based components (TED
here; DIET in Rasa's default pipeline) for N epochs instead of their configured number and
projects the full training: everything as measured, except the epoch loops, scaled to their
configured epochs; the first epoch's one-time graph tracing is scaled too, so the projection
errs a little high.
"""

from __future__ import annotations

import argparse
import shutil

from bench.common import ROOT, results_dir, tree_hash, write_result
from bench.rasa_train import epochs_of, train, with_epochs

CONFIG = ROOT / "config.yml"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.train", description=__doc__)
    parser.add_argument("--epochs", type=int, default=0, help="epochs of TED and the like (0: as configured)")
    args = parser.parse_args(argv)
    out = results_dir() / "train"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    configured = epochs_of(CONFIG)
    config = with_epochs(CONFIG, args.epochs, out / f"config-e{args.epochs}.yml") if args.epochs else CONFIG
    print(f"train: rasa train of config.yml with {epochs_of(config)} epochs", flush=True)
    training = train(config, out / "models", "ours", nlu_only=False, log=out / "train.log")
    projected = training.wall_seconds + sum(
        c.projected(configured[c.name]) - c.seconds
        for c in training.components
        if c.epochs and c.name in configured
    )
    result = {
        "config": "config.yml",
        "config_hash": tree_hash("config.yml"),
        "data_hash": tree_hash("data", "domain"),
        "configured_epochs": configured,
        "shortened": bool(args.epochs),
        "training": training.to_json(configured),
        "projected_full_seconds": round(projected, 1),
    }
    print(
        f"train: {training.wall_seconds:.0f} s measured, {projected:.0f} s projected at the configured epochs"
    )
    shutil.rmtree(out / "models", ignore_errors=True)  # a model per run is large and not needed afterwards
    print(f"train: wrote {write_result('train', result)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
