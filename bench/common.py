"""Paths and result files shared by the benchmark pieces (both runtimes, Python 3.10)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "var" / "bench"


def results_dir() -> Path:
    """Where this run writes its JSON: `BENCH_OUT` (bench/run sets it), else var/bench."""
    path = Path(os.environ.get("BENCH_OUT", RESULTS))
    path.mkdir(parents=True, exist_ok=True)
    return path


def tree_hash(*paths: str) -> str:
    """A short hash of the files under `paths` (relative to the repository root), to tell
    whether results were measured on the current data and configuration."""
    digest = hashlib.sha256()
    for path in paths:
        target = ROOT / path
        files = sorted(target.rglob("*")) if target.is_dir() else [target]
        for file in files:
            if file.is_file():
                digest.update(str(file.relative_to(ROOT)).encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = next(
        (line.split(":", 1)[1].strip() for line in _lines("/proc/cpuinfo") if line.startswith("model name")),
        platform.processor(),
    )
    memory_kb = next(
        (int(line.split()[1]) for line in _lines("/proc/meminfo") if line.startswith("MemTotal")), 0
    )
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(memory_kb / 1024**2, 1),
        "load_average": os.getloadavg(),
        "python": platform.python_version(),
    }


def write_result(name: str, result: dict[str, Any]) -> Path:
    """Write `<results>/<name>.json` with the time of the run and the machine."""
    path = results_dir() / f"{name}.json"
    stamped = {
        "measured_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
    }
    path.write_text(json.dumps({**stamped, **result}, ensure_ascii=False, indent=2) + "\n")
    return path


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text().splitlines()
    except OSError:
        return []
