"""Identity verification before personal data (docs/security.md#identity-verification): the
NIK's own digits are no second factor, an OTP to the number registered with Dukcapil is, and
nothing the service API answers tells whether a NIK exists."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import select, update

from api.identity import sessions
from api.models import OtpChallenge, VerifiedSession, utcnow
from simulators.seed import citizen_by_nik, health, sample
from simulators.seed.population import own_phone, population
from tests.api.identity_support import HEADER, last_code, new_conversation, sent_sms, verified_conversation
from tests.api.support import GatewayFactory, service_client

pytestmark = pytest.mark.asyncio

OTP = "/api/v1/identity/otp"
VERIFY = "/api/v1/identity/otp/verify"
MEMBERSHIP = "/api/v1/health/bpjs/membership"
IMMUNIZATIONS = "/api/v1/health/immunizations"
UNKNOWN_NIK = "3273010101900999"  # a valid structure, nobody in the seed


def derived_birth_date(nik: str) -> str:
    """What anyone reads from a NIK: digits 7-12 are DDMMYY, day + 40 for women."""
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    day -= 40 if day > 40 else 0
    century = 1900 if year > 26 else 2000
    return f"{century + year:04d}-{month:02d}-{day:02d}"


@pytest_asyncio.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The service API, on its internal listener, as the action server calls it."""
    async with service_client(app) as service:
        yield service


def headers(conversation_id: uuid.UUID) -> dict[str, str]:
    return {HEADER: str(conversation_id)}


def _members_with_phones() -> Iterator[dict[str, str]]:
    """Each call of `adult_with_phone` a citizen of its own (the database lives for the whole
    session, and a NIK's lockout and resend interval with it)."""
    members = health.memberships()
    for citizen in population().citizens:
        phone = own_phone(citizen)
        if phone is not None and citizen.nik in members:
            yield {"nik": citizen.nik, "birth_date": citizen.birth_date.isoformat(), "phone": phone,
                   "card_number": members[citizen.nik].card_number}  # fmt: skip


_fresh = _members_with_phones()


def adult_with_phone() -> dict[str, str]:
    return next(_fresh)


async def start(client: httpx.AsyncClient, conversation_id: uuid.UUID, nik: str) -> httpx.Response:
    return await client.post(OTP, json={"nik": nik}, headers=headers(conversation_id))


async def check(client: httpx.AsyncClient, conversation_id: uuid.UUID, nik: str, code: str) -> httpx.Response:
    return await client.post(VERIFY, json={"nik": nik, "code": code}, headers=headers(conversation_id))


def other_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


# --- The NIK's own digits are no second factor ------------------------------------------------


async def test_the_birth_date_derived_from_the_nik_opens_nothing(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    persona = adult_with_phone()
    assert derived_birth_date(persona["nik"]) == persona["birth_date"]  # one factor, not two
    body = {"nik": persona["nik"], "birth_date": derived_birth_date(persona["nik"])}
    anonymous = await client.post(MEMBERSHIP, json=body)
    conversation = await new_conversation(app)
    unverified = await client.post(MEMBERSHIP, json=body, headers=headers(conversation))
    for response in (anonymous, unverified):
        assert response.status_code == 403
        assert response.json()["code"] == "identity_unverified"
        assert "card_number" not in response.json()


async def test_an_otp_to_the_registered_number_opens_the_record(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    persona = adult_with_phone()
    conversation = await new_conversation(app)
    started = await start(client, conversation, persona["nik"])
    assert started.json() == {"verified": False, "method": None, "code_sent": True}
    code = await last_code(app, persona["phone"])
    assert code is not None and len(code) == 6
    assert (await check(client, conversation, persona["nik"], code)).json() == {
        "verified": True,
        "method": "otp",
    }
    body = {"nik": persona["nik"], "birth_date": persona["birth_date"]}
    response = await client.post(MEMBERSHIP, json=body, headers=headers(conversation))
    assert response.status_code == 200
    # Masking: the full card number is never in a reply.
    assert response.json()["card_number"] == "*" * 9 + persona["card_number"][-4:]
    assert persona["card_number"] not in response.text
    # A verified conversation is not asked again within the session.
    again = await start(client, conversation, persona["nik"])
    assert again.json()["verified"] is True
    assert len(await sent_sms(app, persona["phone"])) == 1


async def test_a_verified_session_ends(app: FastAPI, client: httpx.AsyncClient) -> None:
    persona = adult_with_phone()
    conversation = await verified_conversation(app, persona["nik"])
    async with app.state.sessionmaker() as session:
        assert await sessions.verified_nik(session, conversation) == persona["nik"]
        await session.execute(
            update(VerifiedSession)
            .where(VerifiedSession.conversation_id == conversation)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await session.commit()
        assert await sessions.verified_nik(session, conversation) is None
    body = {"nik": persona["nik"], "birth_date": persona["birth_date"]}
    assert (await client.post(MEMBERSHIP, json=body, headers=headers(conversation))).status_code == 403


# --- Nothing can be enumerated -----------------------------------------------------------------


async def test_unknown_nik_wrong_code_and_locked_nik_answer_alike(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    known, locked = adult_with_phone(), adult_with_phone()
    conversation = await new_conversation(app)
    for nik in (known["nik"], locked["nik"], UNKNOWN_NIK):
        assert (await start(client, conversation, nik)).json() == {
            "verified": False,
            "method": None,
            "code_sent": True,
        }
    for _ in range(3):  # lock `locked`
        await check(client, conversation, locked["nik"], "000000")
    code = await last_code(app, known["phone"])
    assert code is not None
    answers = [
        await check(client, conversation, UNKNOWN_NIK, code),
        await check(client, conversation, known["nik"], other_code(code)),
        await check(client, conversation, locked["nik"], code),
    ]
    assert {(a.status_code, a.text) for a in answers} == {(answers[0].status_code, answers[0].text)}
    assert answers[0].status_code == 403 and answers[0].json()["code"] == "identity_unverified"
    # Starting again after the lockout still looks like a code sent.
    assert (await start(client, conversation, locked["nik"])).json()["code_sent"] is True


async def test_personal_data_routes_do_not_tell_whether_a_nik_exists(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    persona = adult_with_phone()
    someone = await verified_conversation(app, adult_with_phone()["nik"])
    bodies = [
        {"nik": persona["nik"], "birth_date": persona["birth_date"]},
        {"nik": persona["nik"], "birth_date": "1950-01-01"},
        {"nik": UNKNOWN_NIK, "birth_date": "1990-01-01"},
        {"card_number": persona["card_number"], "birth_date": persona["birth_date"]},
        {"card_number": "0009999999999", "birth_date": "1990-01-01"},
    ]
    answers = [await client.post(MEMBERSHIP, json=body, headers=headers(someone)) for body in bodies]
    assert {(a.status_code, a.text) for a in answers} == {(answers[0].status_code, answers[0].text)}
    assert answers[0].status_code == 403


# --- OTP rules ---------------------------------------------------------------------------------


async def test_brute_force_across_conversations_locks_the_nik(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    persona = adult_with_phone()
    citizen, attackers = await new_conversation(app), [await new_conversation(app) for _ in range(3)]
    await start(client, citizen, persona["nik"])
    code = await last_code(app, persona["phone"])
    assert code is not None
    for attacker in attackers:  # a new conversation does not start the count again
        assert (await check(client, attacker, persona["nik"], other_code(code))).status_code == 403
    # Locked: even the right code in the right conversation is refused, and no new code is sent.
    assert (await check(client, citizen, persona["nik"], code)).status_code == 403
    sent = len(await sent_sms(app, persona["phone"]))
    await start(client, await new_conversation(app), persona["nik"])
    assert len(await sent_sms(app, persona["phone"])) == sent
    # The lockout ends: then a new code works.
    async with app.state.sessionmaker() as session:
        await session.execute(
            update(OtpChallenge).values(
                locked_until=utcnow() - timedelta(seconds=1), sent_at=utcnow() - timedelta(minutes=5)
            )
        )
        await session.commit()
    await start(client, citizen, persona["nik"])
    fresh = await last_code(app, persona["phone"])
    assert fresh is not None
    assert (await check(client, citizen, persona["nik"], fresh)).status_code == 200


async def test_a_code_allows_three_attempts_and_is_spent_once_used(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    persona = adult_with_phone()
    conversation = await new_conversation(app)
    await start(client, conversation, persona["nik"])
    code = await last_code(app, persona["phone"])
    assert code is not None
    for _ in range(2):
        assert (await check(client, conversation, persona["nik"], other_code(code))).status_code == 403
    assert (await check(client, conversation, persona["nik"], code)).status_code == 200
    assert (await check(client, conversation, persona["nik"], code)).status_code == 403  # spent


async def test_a_code_proves_only_the_conversation_that_asked_for_it(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    persona = adult_with_phone()
    citizen, other = await new_conversation(app), await new_conversation(app)
    await start(client, citizen, persona["nik"])
    code = await last_code(app, persona["phone"])
    assert code is not None
    assert (await check(client, other, persona["nik"], code)).status_code == 403


async def test_an_expired_code_is_refused(app: FastAPI, client: httpx.AsyncClient) -> None:
    persona = adult_with_phone()
    conversation = await new_conversation(app)
    await start(client, conversation, persona["nik"])
    code = await last_code(app, persona["phone"])
    assert code is not None
    async with app.state.sessionmaker() as session:
        row = (
            await session.scalars(select(OtpChallenge).where(OtpChallenge.conversation_id == conversation))
        ).one()
        assert row.expires_at - row.sent_at == timedelta(minutes=5)
        row.expires_at = utcnow() - timedelta(seconds=1)
        await session.commit()
    assert (await check(client, conversation, persona["nik"], code)).status_code == 403


async def test_resend_is_throttled(app: FastAPI, client: httpx.AsyncClient) -> None:
    persona = adult_with_phone()
    conversation = await new_conversation(app)
    before = len(await sent_sms(app, persona["phone"]))
    for _ in range(3):
        assert (await start(client, conversation, persona["nik"])).json()["code_sent"] is True
    assert len(await sent_sms(app, persona["phone"])) == before + 1


async def test_codes_and_niks_are_stored_only_as_keyed_hashes(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    persona = adult_with_phone()
    conversation = await new_conversation(app)
    await start(client, conversation, persona["nik"])
    code = await last_code(app, persona["phone"])
    assert code is not None
    async with app.state.sessionmaker() as session:
        row = (
            await session.scalars(select(OtpChallenge).where(OtpChallenge.conversation_id == conversation))
        ).one()
    stored = " ".join(str(value) for value in (row.nik_hash, row.code_hash, row.phone))
    assert code not in stored and persona["nik"] not in stored
    plain = {hashlib.sha256(value.encode()).hexdigest() for value in (code, persona["nik"])}
    assert not plain & {row.nik_hash, row.code_hash}  # keyed, not a plain hash anyone can recompute


# --- Family records ----------------------------------------------------------------------------


def parent_and_child() -> tuple[str, str, str]:
    persona = sample("parent_of_young_child")
    return persona["nik"], persona["child_nik"], persona["child_birth_date"]


async def test_a_childs_immunisations_open_for_a_verified_member_of_the_same_kk(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    parent, child, born = parent_and_child()
    body = {"nik": child, "birth_date": born}
    verified_parent = await verified_conversation(app, parent)
    assert (await client.post(IMMUNIZATIONS, json=body, headers=headers(verified_parent))).status_code == 200
    stranger_nik = next(
        c.nik for c in population().citizens if c.kk_number != citizen_by_nik(child).kk_number
    )  # type: ignore[union-attr]
    stranger = await verified_conversation(app, stranger_nik)
    refused = await client.post(IMMUNIZATIONS, json=body, headers=headers(stranger))
    assert refused.status_code == 403 and refused.json()["code"] == "identity_unverified"


async def test_a_family_rule_does_not_open_a_relatives_own_records(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    parent, child, _ = parent_and_child()
    family = citizen_by_nik(parent).kk_number  # type: ignore[union-attr]
    spouse = next(c for c in population().citizens if c.kk_number == family and c.nik not in (parent, child))
    conversation = await verified_conversation(app, parent)
    body = {"nik": spouse.nik, "birth_date": spouse.birth_date.isoformat()}
    assert (
        await client.post("/api/v1/social/recipients/by-nik", json=body, headers=headers(conversation))
    ).status_code == 403


async def test_a_childs_otp_goes_to_a_parent_who_is_then_verified(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    parent, child, born = parent_and_child()
    phone = own_phone(citizen_by_nik(parent))  # type: ignore[arg-type]
    assert phone is not None and own_phone(citizen_by_nik(child)) is None  # type: ignore[arg-type]
    conversation = await new_conversation(app)
    await client.post(OTP, json={"nik": child, "family": True}, headers=headers(conversation))
    code = await last_code(app, phone)
    assert code is not None
    assert (await check(client, conversation, child, code)).status_code == 200
    async with app.state.sessionmaker() as session:
        assert await sessions.verified_nik(session, conversation) == parent
    body = {"nik": child, "birth_date": born}
    assert (await client.post(IMMUNIZATIONS, json=body, headers=headers(conversation))).status_code == 200


async def test_a_used_code_ends_the_resend_interval(app: FastAPI, client: httpx.AsyncClient) -> None:
    """The same citizen in a new conversation right after a verification gets a new code."""
    persona = adult_with_phone()
    first, second = await new_conversation(app), await new_conversation(app)
    await start(client, first, persona["nik"])
    code = await last_code(app, persona["phone"])
    assert code is not None and (await check(client, first, persona["nik"], code)).status_code == 200
    await start(client, second, persona["nik"])
    fresh = await last_code(app, persona["phone"])
    assert fresh is not None and len(await sent_sms(app, persona["phone"])) == 2
    assert (await check(client, second, persona["nik"], fresh)).status_code == 200


async def test_a_resend_too_soon_moves_the_live_code_to_the_asking_conversation(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """No second SMS within the interval; the code already sent serves the latest conversation."""
    persona = adult_with_phone()
    first, second = await new_conversation(app), await new_conversation(app)
    await start(client, first, persona["nik"])
    await start(client, second, persona["nik"])
    assert len(await sent_sms(app, persona["phone"])) == 1
    code = await last_code(app, persona["phone"])
    assert code is not None
    assert (await check(client, first, persona["nik"], code)).status_code == 403
    assert (await check(client, second, persona["nik"], code)).status_code == 200


async def test_the_simulated_outbox_is_not_readable_outside_local(gateway: GatewayFactory) -> None:
    token = "a-long-enough-service-token"
    production = {
        "environment": "production",
        "identity_key": "k" * 32,
        "service_token": token,
        "rasa_timeout_seconds": 20,  # production waits for Rasa longer than an action chain
    }
    async with (
        gateway(**production, allow_simulated_backends=True) as (app, _),
        # Where it would be: the internal listener, with the token.
        service_client(app, token) as service,
    ):
        response = await service.get("/api/v1/identity/simulated-sms", params={"to": "081234567890"})
        assert (await service.get("/api/v1/regions")).status_code == 200  # the listener answers
    assert response.status_code == 404
