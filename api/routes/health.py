import asyncio
from typing import Literal

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from api.deps import RasaDep, SettingsDep

router = APIRouter(tags=["health"])

Check = Literal["ok", "unavailable"]


class HealthOut(BaseModel):
    status: Literal["ok", "degraded"]
    database: Check
    rasa: Check
    # Rasa's tracker and lock stores as Rasa reports them; empty when Rasa does not answer.
    rasa_stores: dict[str, Check]


@router.get("/health", responses={503: {"model": HealthOut, "description": "Database down."}})
async def health(request: Request, response: Response, rasa: RasaDep, settings: SettingsDep) -> HealthOut:
    """`ok` when the database and Rasa answer, Rasa with both its stores. Rasa or one of its
    stores down: `degraded`, still 200 (messages are stored and answered with an apology).
    Database down: `degraded` and 503."""
    timeout = settings.health_timeout_seconds
    database_up, rasa_health = await asyncio.gather(
        _database_up(request.app.state.engine, timeout), rasa.health(timeout)
    )
    rasa_up = rasa_health.up
    if not database_up:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return HealthOut(
        status="ok" if database_up and rasa_up else "degraded",
        database="ok" if database_up else "unavailable",
        rasa="ok" if rasa_up else "unavailable",
        rasa_stores=rasa_health.stores,
    )


async def _database_up(engine: AsyncEngine, timeout: float) -> bool:
    try:
        async with asyncio.timeout(timeout), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return True
    except Exception:  # any failure means "not usable"; details go to the DB logs
        return False
