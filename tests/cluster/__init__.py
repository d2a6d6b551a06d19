"""Kill tests on the local production topology (`make cluster`, `make test-cluster`)."""

from __future__ import annotations

from pathlib import Path

from bench.cluster import cluster

ROOT = Path(__file__).resolve().parents[2]

__all__ = ["ROOT", "cluster"]
