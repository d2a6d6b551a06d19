"""Moving the simulated ministries' clock in tests (`app.state.ministries.clock`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from fastapi import FastAPI

from api.cases import WIB
from api.simulators.seed.population import REFERENCE_DATE


def pin_clock(app: FastAPI, day: date = REFERENCE_DATE, at: time = time(10, 0)) -> datetime:
    """Make the simulators' "now" `day` at `at` WIB (default: the seed's reference date,
    10:00), so tests do not depend on today's date. Returns that moment."""
    moment = datetime.combine(day, at, WIB)
    app.state.ministries.clock.offset = moment - datetime.now(UTC)
    return moment


def advance_clock(app: FastAPI, delta: timedelta) -> None:
    app.state.ministries.clock.offset += delta


def simulated_today(app: FastAPI) -> date:
    return app.state.ministries.clock.now().astimezone(WIB).date()
