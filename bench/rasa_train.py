"""Timed `rasa train` runs: wall and CPU time, peak memory, and the time of each component
(Rasa runtime).

Each training gets an empty Rasa cache of its own, so nothing is reused from an earlier
training and the times are real. The component times come from the timestamps of Rasa's
"Starting/Finished training component" log lines (1 s resolution).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bench.common import ROOT

RASA = str(Path(sys.executable).parent / "rasa")
# Components whose training length is an `epochs` setting.
EPOCH_COMPONENTS = frozenset({"DIETClassifier", "ResponseSelector", "TEDPolicy", "UnexpecTEDIntentPolicy"})
_HOOK = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) INFO\s+rasa\.engine\.training\.hooks\s+-\s+"
    r"(Starting to train|Finished training) component '(\w+)'"
)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_EPOCHS = re.compile(r"^Epochs: +\d+%.*\| *(\d+)/(\d+) \[([\d:]+)<")


@dataclass
class Component:
    name: str
    seconds: float
    epochs: int | None = None
    loop_seconds: float | None = None  # in the epoch loop; the rest is set-up (data, model)
    first_epoch_seconds: float | None = None  # includes TensorFlow's one-time graph tracing

    @property
    def seconds_per_epoch(self) -> float | None:
        """The mean of the epochs after the first (all of them when there is only one)."""
        if not self.epochs or self.loop_seconds is None:
            return None
        if self.epochs == 1 or self.first_epoch_seconds is None:
            return self.loop_seconds / self.epochs
        return (self.loop_seconds - self.first_epoch_seconds) / (self.epochs - 1)

    def projected(self, epochs: int) -> float:
        """The component's seconds at `epochs` epochs: the same set-up and first epoch, the
        later epochs at their measured mean."""
        if self.seconds_per_epoch is None or self.loop_seconds is None:
            return self.seconds
        first = (
            self.first_epoch_seconds
            if self.epochs and self.epochs > 1 and self.first_epoch_seconds is not None
            else 0
        )
        return (
            self.seconds - self.loop_seconds + first + self.seconds_per_epoch * (epochs - (1 if first else 0))
        )


@dataclass
class Training:
    config: str
    kind: str  # "nlu" or "full" (NLU and dialogue)
    wall_seconds: float
    cpu_seconds: float  # user and system time of the training process (all its threads)
    peak_rss_mb: int
    model: str
    components: list[Component] = field(default_factory=list)

    def to_json(self, full_epochs: dict[str, int] | None = None) -> dict[str, Any]:
        """As JSON; with `full_epochs` ({component: epochs}), each component's projection too."""
        full_epochs = full_epochs or {}
        return {
            **asdict(self),
            "components": [
                {
                    **asdict(c),
                    "seconds_per_epoch": c.seconds_per_epoch,
                    "projected_seconds": c.projected(full_epochs[c.name]) if c.name in full_epochs else None,
                    "projected_epochs": full_epochs.get(c.name),
                }
                for c in self.components
            ],
        }


def epochs_of(config: Path) -> dict[str, int]:
    """The configured epochs of each trainable component of `config` ({name: epochs})."""
    data = yaml.safe_load(config.read_text())
    return {
        item["name"]: int(item["epochs"])
        for item in (data.get("pipeline") or []) + (data.get("policies") or [])
        if item.get("name") in EPOCH_COMPONENTS and "epochs" in item
    }


def with_epochs(config: Path, epochs: int, out: Path) -> Path:
    """A copy of `config` at `out` whose epoch-trained components run `epochs` epochs."""
    data = yaml.safe_load(config.read_text())
    for item in (data.get("pipeline") or []) + (data.get("policies") or []):
        if item.get("name") in EPOCH_COMPONENTS:
            item["epochs"] = epochs
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        f"# {config.relative_to(ROOT)} with {epochs} epochs (bench)\n" + yaml.safe_dump(data, sort_keys=False)
    )
    return out


def train(config: Path, out: Path, name: str, *, nlu_only: bool, log: Path) -> Training:
    """Train `config` on data/ (NLU only, or NLU and dialogue) into `out/<name>.tar.gz`."""
    command = [RASA, "train", *(["nlu", "--nlu", "data/nlu"] if nlu_only else [])]
    command += ["--config", str(config), "--out", str(out), "--fixed-model-name", name]
    epochs = epochs_of(config)
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as cache, log.open("w") as log_file:
        start = time.monotonic()
        process = subprocess.Popen(
            command, cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT,
            env={**rasa_env(), "RASA_CACHE_DIRECTORY": cache},
        )  # fmt: skip
        # wait4 gives the training's own CPU time and peak memory, next to the wall time.
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - start
    if process.returncode != 0:
        raise RuntimeError(f"rasa train failed ({process.returncode}); see {log}")
    components = [
        Component(component, seconds, epochs.get(component), loop, first)
        for component, seconds, loop, first in component_seconds(log.read_text(errors="replace"))
    ]
    return Training(
        str(config.relative_to(ROOT)) if config.is_relative_to(ROOT) else str(config),
        "nlu" if nlu_only else "full", round(wall, 1), round(usage.ru_utime + usage.ru_stime, 1),
        round(usage.ru_maxrss / 1024), str(out / f"{name}.tar.gz"), components,
    )  # fmt: skip


def component_seconds(log: str) -> list[tuple[str, float, float | None, float | None]]:
    """(component, seconds, seconds in its epoch loop, seconds of its first epoch) in training
    order, from the hooks' log lines and tqdm's "Epochs: … n/N [elapsed<…" lines between them
    (None for a component without epochs)."""
    started: dict[str, dt.datetime] = {}
    loop: float | None = None
    first: float | None = None
    done: list[tuple[str, float, float | None, float | None]] = []
    for line in _ANSI.sub("", log).replace("\r", "\n").splitlines():
        epochs = _EPOCHS.search(line)
        if epochs:
            epoch, elapsed = (
                int(epochs[1]),
                sum(int(part) * 60**i for i, part in enumerate(reversed(epochs[3].split(":")))),
            )
            if epoch == 1 and first is None:
                first = elapsed
            if epoch == int(epochs[2]):
                loop = elapsed
            continue
        match = _HOOK.match(line)
        if not match:
            continue
        stamp, what, name = match.groups()
        at = dt.datetime.fromisoformat(stamp)
        if what == "Starting to train":
            started[name], loop, first = at, None, None
        elif name in started:
            done.append((name, (at - started.pop(name)).total_seconds(), loop, first))
    return done


def epoch_seconds(log: str) -> list[float]:
    """The duration of each epoch of the first epoch-trained component (DIET in an NLU
    training), from tqdm's cumulative elapsed times (1 s resolution)."""
    elapsed: dict[int, int] = {}
    for line in _ANSI.sub("", log).replace("\r", "\n").splitlines():
        epochs = _EPOCHS.search(line)
        if epochs:
            epoch = int(epochs[1])
            if epoch == 0 and elapsed:
                break  # the next component's loop
            elapsed.setdefault(
                epoch, sum(int(part) * 60**i for i, part in enumerate(reversed(epochs[3].split(":"))))
            )
    ordered = [elapsed[e] for e in sorted(elapsed)]
    return [float(b - a) for a, b in itertools.pairwise(ordered)]


def rasa_env() -> dict[str, str]:
    """The environment of a rasa command run from the repository root."""
    return {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
