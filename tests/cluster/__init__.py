"""Kill tests on the local production topology (`make cluster`, `make test-cluster`)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _load_cluster_script():  # type: ignore[no-untyped-def]
    """scripts/cluster.py, the cluster's one definition (it is a script, not a package)."""
    spec = importlib.util.spec_from_file_location("aw_cluster_script", ROOT / "scripts" / "cluster.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


cluster = _load_cluster_script()
