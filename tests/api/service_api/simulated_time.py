"""Moving the embedded simulators' clock in tests (`app.state.ministries.simulators.clock`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from fastapi import FastAPI

from simulators.backends import Simulators
from simulators.base import WIB, Clock
from simulators.seed.population import REFERENCE_DATE


def simulators_clock(app: FastAPI) -> Clock:
    """The clock of the simulators the running gateway embeds."""
    simulators = app.state.ministries.simulators
    assert isinstance(simulators, Simulators), "the gateway embeds no simulators"
    return simulators.clock


def pin_clock(app: FastAPI, day: date = REFERENCE_DATE, at: time = time(10, 0)) -> datetime:
    """Make the simulators' "now" `day` at `at` WIB (default: the seed's reference date,
    10:00), so tests do not depend on today's date. Returns that moment."""
    moment = datetime.combine(day, at, WIB)
    simulators_clock(app).offset = moment - datetime.now(UTC)
    return moment


def advance_clock(app: FastAPI, delta: timedelta) -> None:
    simulators_clock(app).offset += delta


def simulated_today(app: FastAPI) -> date:
    return simulators_clock(app).now().astimezone(WIB).date()
