"""Fixes to the Rasa server's own code paths: found by profiling it under load
(docs/benchmarks.md), where it would fail open (fail_closed: docs/deployment.md), and Redis
locks safe across replicas (redis_lock, rasa#9213); and the server's /metrics (server_metrics).

`bot.server`, the entry point that scripts/run and scripts/shell start Rasa with, installs them
once Rasa has read its command line. Each fix replaces one method of Rasa 3.6, so on another
Rasa version none is installed and a warning says so: check each fix against the new code,
then update `WRITTEN_FOR`.
"""

from __future__ import annotations

import logging

from rasa import version

from bot.runtime import (
    action_calls,
    action_results,
    endpoint_connections,
    event_types,
    fail_closed,
    form_loop,
    redis_lock,
    rule_decided,
    rule_matching,
    server_metrics,
    slot_copies,
)

logger = logging.getLogger(__name__)

WRITTEN_FOR = "3.6"  # the Rasa release whose methods the fixes replace
FIXES = (
    action_results,
    action_calls,
    endpoint_connections,
    event_types,
    fail_closed,
    form_loop,
    rule_decided,  # after form_loop: it wraps the policies' methods as form_loop left them
    redis_lock,
    rule_matching,
    server_metrics,
    slot_copies,
)


def install() -> bool:
    """Install every fix on Rasa `WRITTEN_FOR`; on any other version leave Rasa's code as it is."""
    rasa_version = version.__version__
    if not rasa_version.startswith(f"{WRITTEN_FOR}."):
        logger.warning(
            "Rasa %s: the runtime fixes of bot.runtime were written for Rasa %s and are NOT installed; "
            "the server runs Rasa's own code. Check each fix against this version, then update "
            "bot.runtime.WRITTEN_FOR.",
            rasa_version, WRITTEN_FOR,
        )  # fmt: skip
        return False
    for fix in FIXES:
        fix.install()
    names = ", ".join(fix.__name__ for fix in FIXES)
    logger.info("Runtime fixes installed on Rasa %s: %s", rasa_version, names)
    return True
