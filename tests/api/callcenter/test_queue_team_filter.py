"""The agent's queue holds only the agent's teams' hand-offs; a supervisor's holds every team's.

The queue is filled first (one hand-off each for health, police and general), so a queue that
ignored teams would show the others' hand-offs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from tests.api.callcenter.support import add_agent, ask_for_person, console, fresh_call_center, handoff_bot
from tests.api.fake_rasa import FakeRasa
from tests.api.support import new_conversation

pytestmark = pytest.mark.asyncio

QUEUE = "/console/api/handoffs?scope=queue"


@pytest_asyncio.fixture
async def call_center(
    center: tuple[FastAPI, httpx.AsyncClient],
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """`center` (its queue emptied first), emptied again afterwards: the database is shared."""
    yield center
    await fresh_call_center(center[0])


async def _queue_teams(app: FastAPI, agent_teams: list[str], role: str = "agent") -> list[str]:
    async with console(app, await add_agent(app, role=role, teams=agent_teams)) as desk:
        response = await desk.get(QUEUE)
        assert response.status_code == 200, response.text
        return sorted(handoff["team"] for handoff in response.json())


async def test_agents_only_see_their_teams(
    call_center: tuple[FastAPI, httpx.AsyncClient], fake_rasa: FakeRasa
) -> None:
    app, client = call_center  # only this test's hand-offs are in the queue
    # Someone serves each team, so every hand-off queues for its service's own team.
    for teams in (["health"], ["police"], ["general"]):
        await add_agent(app, teams=teams)
    for service in ("health", "police", None):
        handoff_bot(fake_rasa, service)
        await ask_for_person(client, await new_conversation(client))

    async with console(app, await add_agent(app, teams=["health"])) as desk:
        teams = (await desk.get("/console/api/teams")).json()
        assert {team["key"] for team in teams} >= {"general", "health", "police"}

    assert await _queue_teams(app, ["health"]) == ["health"]
    assert await _queue_teams(app, ["police", "general"]) == ["general", "police"]
    assert await _queue_teams(app, ["general"], role="supervisor") == ["general", "health", "police"]
