"""The simulators' settings and what every simulated backend shares: faults, latency."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from simulators.base import Latency
from simulators.settings import SimulatorSettings


def test_simulated_latency_is_deterministic_and_bounded() -> None:
    run_a, run_b = Latency("bpjs", 40), Latency("bpjs", 40)
    delays = [run_a.next_seconds() for _ in range(50)]
    assert delays == [run_b.next_seconds() for _ in range(50)]
    assert len(set(delays)) > 40  # jitter, not a constant
    assert all(0.02 <= delay <= 0.06 for delay in delays)
    assert Latency("bpjs", 0).next_seconds() == 0


@pytest.mark.parametrize("faults", ["bpjs=slow", "bpjs", "=timeout", "bpjs=timeout;kemensos=error"])
def test_malformed_fault_settings_are_refused(faults: str) -> None:
    with pytest.raises(ValueError):
        SimulatorSettings(_env_file=None, simulated_faults=faults)  # type: ignore[call-arg]


def test_fault_settings_are_read_per_ministry() -> None:
    settings = SimulatorSettings(_env_file=None, simulated_faults=" bpjs = timeout , kemensos=error")  # type: ignore[call-arg]
    assert settings.simulated_fault("bpjs") == "timeout"
    assert settings.simulated_fault("kemensos") == "error"
    assert settings.simulated_fault("dukcapil") is None


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AW_SIMULATED_LATENCY_MS", "5")
    monkeypatch.setenv("AW_SIMULATED_FAULTS", "lapor=error")
    monkeypatch.setenv("AW_SIMULATORS_DATABASE_URL", "sqlite+aiosqlite:///elsewhere/sim.db")
    settings = SimulatorSettings(_env_file=None)  # type: ignore[call-arg]
    assert settings.simulated_latency_ms == 5
    assert settings.simulated_fault("lapor") == "error"
    assert str(settings.sqlite_path()) == "elsewhere/sim.db"


def test_defaults() -> None:
    settings = SimulatorSettings(_env_file=None)  # type: ignore[call-arg]
    assert settings.simulated_latency_ms == 40 and settings.simulated_faults == ""
    assert str(settings.sqlite_path()) == "var/simulators.db"
    with pytest.raises(ValidationError):
        SimulatorSettings(_env_file=None, simulated_latency_ms=-1)  # type: ignore[call-arg]
