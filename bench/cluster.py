"""The production topology on one machine (`make cluster`) for the capacity bench and the kill
tests (tests/cluster): scripts/cluster.py as a module (it is a script, not a package; they start
it with `cluster.supervised`), the settings their simulated citizens need, and the warm-up of
its Rasa replicas."""

from __future__ import annotations

import importlib.util
import sys
import uuid
from types import ModuleType
from typing import Any

import httpx

from bench.common import ROOT
from bench.load.conversations import Script
from bench.load.generator import Target, play_once

# Every simulated citizen comes from 127.0.0.1: per-address rate limits off. Concurrent citizens
# play the same personas (bench/load/__main__.py says why the OTP limits are raised).
LOAD_SETTINGS = {
    "AW_RATE_LIMIT_CONVERSATIONS_PER_IP": "0",
    "AW_RATE_LIMIT_SOCKETS_PER_IP": "0",
    "AW_RATE_LIMIT_SERVICE_API_PER_IP": "0",
    "AW_OTP_MAX_ATTEMPTS": "10",
    "AW_OTP_LOCKOUT_MINUTES": "1",
}


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("aw_cluster_script", ROOT / "scripts" / "cluster.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


cluster = _load()


async def warm_up(state: dict[str, Any], mix: list[Script], target: Target, timeout: float) -> None:
    """Each Rasa replica's first predictions build its models' graphs (seconds each): every
    script's first message straight to each replica, then two scripts through the balancer."""
    async with httpx.AsyncClient(timeout=120) as http:
        for replica in state["rasa_replicas"]:
            for script in mix:
                text = getattr(script.steps[0], "text", "halo")
                body = {"sender": f"warmup-{uuid.uuid4().hex}", "message": text, "input_channel": "web"}
                await http.post(f"{replica}/webhooks/rest/webhook", json=body)
    for script in mix[:2]:
        await play_once(target, script, timeout)
