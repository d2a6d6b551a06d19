"""`POST /identity/otp` does the same work for a NIK that exists and one that does not, so its
timing tells nothing (api/identity/verifier.py `send_nik_code`): a repeat within the resend
interval asks the population registry nothing for either. Asserted on the code path (the
registry calls), not on wall time, which a loaded machine makes noisy."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from api.identity.verifier import Verifier
from simulators.seed.population import own_phone, population
from tests.api.identity_support import HEADER, new_conversation
from tests.api.support import service_client

pytestmark = pytest.mark.asyncio

OTP = "/api/v1/identity/otp"


@pytest_asyncio.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with service_client(app) as service:
        yield service


@pytest.fixture
def registry_calls(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The NIKs the verifier asks Dukcapil about, in order."""
    verifier: Verifier = app.state.verifier
    original = verifier.dukcapil.contact
    calls: list[str] = []

    async def contact(nik: str) -> Any:
        calls.append(nik)
        return await original(nik)

    monkeypatch.setattr(verifier.dukcapil, "contact", contact)
    return calls


UNKNOWN = f"327301010190{secrets.randbelow(9000) + 1000}"  # a valid structure, nobody in the seed


def _known_nik() -> str:
    # The last citizens with a number: other tests take theirs from the start of the list.
    return [c.nik for c in population().citizens if own_phone(c) is not None][-1]


async def test_a_repeat_asks_the_registry_nothing_for_known_and_unknown_niks(
    app: FastAPI, client: httpx.AsyncClient, registry_calls: list[str]
) -> None:
    assert UNKNOWN not in {citizen.nik for citizen in population().citizens}
    for nik in (_known_nik(), UNKNOWN):
        for _ in range(3):
            conversation = await new_conversation(app)
            response = await client.post(OTP, json={"nik": nik}, headers={HEADER: str(conversation)})
            assert response.status_code == 200 and response.json()["code_sent"] is True
    known, unknown = _known_nik(), UNKNOWN
    assert (registry_calls.count(known), registry_calls.count(unknown)) == (1, 1)
