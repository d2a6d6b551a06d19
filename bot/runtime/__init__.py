"""Fixes to the Rasa server's own code paths, found by profiling it under load (docs/benchmarks.md).

Rasa imports no module of ours at start-up except the components config.yml names, so
`bot.nlu` installs these when it is imported: in `rasa train`, `rasa run` and `rasa shell` alike.
"""

from bot.runtime import action_results, endpoint_connections


def install() -> None:
    action_results.install()
    endpoint_connections.install()
