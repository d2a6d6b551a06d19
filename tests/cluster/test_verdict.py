"""The kill test's verdict (tests/cluster/killtest.py): what fails a run (a message lost or
doubled, order broken, a burst or analytics wrong), and the recovery timing, which is reported
(met, not met, or not measurable where the p95 before any event missed 300 ms) and never fails it."""

from __future__ import annotations

from typing import Any

from tests.cluster.killtest import verdict


def result(baseline_ms: float, recovered: float | None, lost: int = 0) -> dict[str, Any]:
    return {
        "lost_total": lost,
        "duplicated_cases": [],
        "duplicated_messages": 0,
        "order": {"broken": []},
        "baseline": {"p95_ms": baseline_ms},
        "events": [{"event": "kill -9 rasa1", "recovered_after_seconds": recovered}],
        "burst": {"ok": True},
        "burst_gateway": {"ok": True},
        "analytics": {"ok": True},
    }


def test_recovery_is_reported_met_or_not_and_never_fails_the_run() -> None:
    met, missed, recovery = verdict(result(180.0, 26.5))
    assert missed == [] and len(met) == 6
    assert recovery == [
        "kill -9 rasa1: p95 back under 300 ms within 10 s: NOT MET (back under 300 ms after 26.5 s)"
    ]
    assert verdict(result(180.0, None))[2] == [
        "kill -9 rasa1: p95 back under 300 ms within 10 s: NOT MET (back under 300 ms not within its window)"
    ]
    assert verdict(result(180.0, 4.5))[2] == ["kill -9 rasa1: p95 back under 300 ms within 10 s: met (4.5 s)"]


def test_recovery_is_not_measurable_where_the_p95_never_met_it() -> None:
    met, missed, recovery = verdict(result(1060.0, None))
    assert missed == [] and len(met) == 6
    assert recovery == [
        "kill -9 rasa1: p95 back under 300 ms within 10 s: not measurable here (p95 before any event 1060 ms)"
    ]


def test_a_lost_message_fails_the_run_whatever_the_machine() -> None:
    assert verdict(result(180.0, 4.5, lost=1))[1] == ["lost 0 (1 citizen messages lost)"]
    assert verdict(result(1060.0, None, lost=1))[1] == ["lost 0 (1 citizen messages lost)"]
