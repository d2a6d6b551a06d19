"""The console's history (docs/call-center.md#history-and-search): a waiting conversation
previewed without claiming it, hand-offs searched by ticket number, phone or verified NIK and
filtered by date, team and disposition, earlier contacts beside the open conversation, a past
conversation read back; what each role may see; every search audited with the citizen as a
keyed hash, never in clear. SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from api.callcenter import texts
from api.callcenter.access import citizen_hash
from api.callcenter.history import NotRecognised, identify
from api.callcenter.lookup_keys import WHATSAPP_PURPOSE, nik_key
from api.identity import sessions
from api.models import (
    Agent,
    AuditEntry,
    Author,
    Direction,
    Handoff,
    HandoffState,
    Message,
    VerifiedIdentity,
    utcnow,
)
from connectors.whatsapp import identity as whatsapp_identity
from tests.api.callcenter.support import add_agent, ask_for_person, console, handoff_of, say
from tests.api.identity_support import last_code
from tests.api.support import channel_conversation, new_conversation

Center = tuple[FastAPI, httpx.AsyncClient]
JAKARTA = ZoneInfo("Asia/Jakarta")
SEARCH = "/console/api/history/search"


def _unique_digits(count: int) -> str:
    """Digits no other test of the shared database typed."""
    return str(uuid.uuid4().int)[:count].rjust(count, "1")


def _nik() -> str:
    return "317401" + _unique_digits(10)


def _mobile() -> str:
    """A Telkomsel number as citizens type it: 0813-xxxx-xxxx."""
    digits = _unique_digits(8)
    return f"0813-{digits[:4]}-{digits[4:]}"


async def _queued(client: httpx.AsyncClient, *words: str) -> str:
    conversation = await new_conversation(client)
    await ask_for_person(client, conversation)
    for text in words:
        await say(client, conversation, text)
    return conversation


async def _entries(app: FastAPI, agent: Agent, action: str) -> list[AuditEntry]:
    async with app.state.sessionmaker() as session:
        rows = await session.scalars(
            select(AuditEntry)
            .where(AuditEntry.agent_id == agent.id, AuditEntry.action == action)
            .order_by(AuditEntry.id)
        )
        return list(rows)


async def _handoff(app: FastAPI, conversation: str, **values: object) -> Handoff:
    """A hand-off row of `conversation` (for channels whose webhooks these tests do not drive)."""
    async with app.state.sessionmaker() as session:
        handoff = Handoff(
            conversation_id=uuid.UUID(conversation),
            state=values.pop("state", HandoffState.CLOSED),
            reason="citizen_request",
            team=values.pop("team", "general"),
            **values,
        )
        session.add(handoff)
        session.add(
            Message(
                conversation_id=uuid.UUID(conversation),
                direction=Direction.IN,
                author=Author.CITIZEN,
                text="halo",
            )
        )
        await session.commit()
        return handoff


def test_the_search_box_recognises_numbers() -> None:
    assert identify(" tkt-2026-000012 ").kind == "case"
    assert identify("TKT-2026-000012").value == "TKT-2026-000012"
    assert identify("3273 0145 0895 0001") == identify("3273014508950001")
    assert identify("3273014508950001").kind == "nik"
    assert identify("0813-3456-7890").value == identify("+62 813 3456 7890").value == "+6281334567890"
    assert identify("6281334567890").value == "+6281334567890"
    assert identify("３２７３０１４５０８９５０００１") == identify("3273014508950001")  # full-width
    for garbage in ("halo", "12", "💥💥", "x" * 64, "DROP TABLE handoffs", "\x00" * 16, "٣٢٧٣٠١٤٥٠٨٩٥٠٠٠١"):
        with pytest.raises(NotRecognised):
            identify(garbage)


def test_whatsapp_numbers_are_hashed_as_the_channel_hashes_them() -> None:
    assert WHATSAPP_PURPOSE == whatsapp_identity._PHONE_HASH


async def test_preview_shows_a_waiting_conversation_without_claiming_it(center: Center) -> None:
    app, client = center
    agent, other_team = await add_agent(app), await add_agent(app, teams=["health"])
    conversation = await _queued(client, "saya mau tanya soal KTP saya yang hilang")
    handoff = await handoff_of(app, conversation)
    async with console(app, agent) as desk:
        for _ in range(2):  # the console may open it twice: one audit entry
            shown = await desk.get(f"/console/api/handoffs/{handoff.id}/preview")
            assert shown.status_code == 200, shown.text
        body = shown.json()
        assert "saya mau tanya soal KTP saya yang hilang" in [m["text"] for m in body["transcript"]]
        assert body["state"] == "queued" and "identity" not in body and "notes" not in body
        assert (await handoff_of(app, conversation)).state is HandoffState.QUEUED  # not claimed
        for bad in ("abc", "0", "-1", str(2**64)):
            assert (await desk.get(f"/console/api/handoffs/{bad}/preview")).status_code == 422
        assert (await desk.get("/console/api/handoffs/999999999/preview")).status_code == 404
    assert [e.target for e in await _entries(app, agent, "preview")] == [f"handoff {handoff.id}"]
    async with console(app, other_team) as theirs:  # not their team's queue
        assert (await theirs.get(f"/console/api/handoffs/{handoff.id}/preview")).status_code == 404
    async with console(app, agent) as desk:
        assert (await desk.post(f"/console/api/handoffs/{handoff.id}/claim")).status_code == 200
        taken = await desk.get(f"/console/api/handoffs/{handoff.id}/preview")
        assert (
            taken.status_code == 409
            and taken.json()["detail"] == "Percakapan ini tidak lagi menunggu di antrean."
        )


async def test_search_by_ticket_number_callback_phone_and_verified_nik(center: Center) -> None:
    app, client = center
    # Nobody online: a ticket, then a callback to a number proved by a code.
    ticketed = await _queued(client)
    await say(client, ticketed, texts.TICKET, metadata={"button_title": "Minta nomor tiket"})
    reply = await say(client, ticketed, texts.REACH_SELF, metadata={"button_title": "Cek sendiri"})
    number = reply["replies"][0]["text"].split("Nomor tiket Anda: ")[1].split(".")[0]
    called = await _queued(client)
    await say(client, called, texts.CALLBACK)
    phone = _mobile()
    await say(client, called, phone)
    code = await last_code(app, phone)
    assert code is not None
    await say(client, called, code)
    assert (await handoff_of(app, called)).callback_phone_hash
    nik = _nik()
    verified = await new_conversation(client)
    async with app.state.sessionmaker() as session:
        await sessions.bind(session, uuid.UUID(verified), nik, "otp")
    await ask_for_person(client, verified)

    supervisor = await add_agent(app, role="supervisor")
    async with console(app, supervisor) as desk:

        async def found(q: str) -> set[str]:
            response = await desk.post(SEARCH, json={"q": q})
            assert response.status_code == 200, response.text
            return {item["conversation_id"] for item in response.json()["items"]}

        assert await found(number.lower()) == {ticketed}
        digits = phone.replace("-", "")
        assert await found(digits) == await found(f"+62 {phone[1:]}") == {called}
        assert await found(nik) == {verified}
        assert await found(_mobile()) == set()
    searches = await _entries(app, supervisor, "search_history")
    nik_search = [e for e in searches if e.target == "search nik"]
    assert [e.citizen for e in nik_search] == [citizen_hash(nik)]
    # The NIK and the number are in no column of any entry, only their keyed hash.
    for entry in searches:
        written = " ".join(str(value) for value in vars(entry).values())
        assert nik not in written and digits[1:] not in written


async def test_search_by_a_whatsapp_number(center: Center) -> None:
    app, _ = center
    phone = _mobile()
    # An account from before BSUIDs: the number is the channel's user id.
    conversation = await channel_conversation(app, "whatsapp", "62" + phone[1:].replace("-", ""))
    await _handoff(app, conversation)
    supervisor = await add_agent(app, role="supervisor")
    async with console(app, supervisor) as desk:
        items = (await desk.post(SEARCH, json={"q": phone.replace("-", " ")})).json()["items"]
    assert [item["conversation_id"] for item in items] == [conversation]


async def test_search_filters_and_what_each_role_sees(center: Center) -> None:
    app, _ = center
    general = await channel_conversation(app, "telegram", "1001")
    health = await channel_conversation(app, "telegram", "1002")
    await _handoff(app, general, disposition="resolved")
    old = await _handoff(app, health, team="health", disposition="abandoned")
    async with app.state.sessionmaker() as session:
        stored = await session.get(Handoff, old.id)
        assert stored is not None
        stored.requested_at = utcnow() - timedelta(days=3)
        await session.commit()
    agent, supervisor = await add_agent(app, teams=["health"]), await add_agent(app, role="supervisor")
    async with console(app, agent) as desk:
        seen = (await desk.post(SEARCH, json={})).json()
        assert {item["conversation_id"] for item in seen["items"]} == {health}  # their team only
        assert (await desk.get("/console/api/history/conversations/" + general)).status_code == 404
        assert (await desk.get("/console/api/history/conversations/" + health)).status_code == 200
    async with console(app, supervisor) as desk:

        async def found(**params: str) -> set[str]:
            response = await desk.post(SEARCH, json=params)
            assert response.status_code == 200, response.text
            return {item["conversation_id"] for item in response.json()["items"]}

        assert await found() >= {general, health}
        assert await found(team="health") == {health}
        assert general in await found(disposition="resolved") and health not in await found(
            disposition="resolved"
        )
        today = utcnow().astimezone(JAKARTA).date()  # the call center's days
        assert health not in await found(date_from=today.isoformat())
        three_days = (today - timedelta(days=3)).isoformat()
        assert health in await found(date_from=three_days, date_to=three_days, team="health")
        record = (await desk.get(f"/console/api/history/conversations/{general}")).json()
        assert [h["disposition"] for h in record["handoffs"]] == ["resolved"]
        assert [m["text"] for m in record["transcript"]] == ["halo"]

        bad = {
            "q": ("halo apa kabar", "Masukkan nomor tiket atau kasus, nomor telepon, atau NIK (16 digit)."),
            "team": ("rahasia", "Tim tidak dikenal."),
            "disposition": ("hilang", "Hasil percakapan tidak dikenal."),
        }
        for name, (value, detail) in bad.items():
            response = await desk.post(SEARCH, json={name: value})
            assert response.status_code == 422 and response.json()["detail"] == detail
        reversed_dates = {"date_from": today.isoformat(), "date_to": (today - timedelta(days=1)).isoformat()}
        response = await desk.post(SEARCH, json=reversed_dates)
        assert (
            response.status_code == 422
            and response.json()["detail"] == "Tanggal akhir tidak boleh sebelum tanggal awal."
        )
        for params in (
            {"date_from": "2026-13-45"},
            {"page": 0},
            {"q": "9" * 65},
            {"page": "x"},
            {"q": ["a"]},
        ):
            assert (await desk.post(SEARCH, json=params)).status_code == 422
        for bad_id in ("not-a-uuid", str(uuid.uuid4())):
            assert (await desk.get(f"/console/api/history/conversations/{bad_id}")).status_code in (404, 422)


async def test_earlier_contacts_by_channel_account_and_verified_person(center: Center) -> None:
    app, client = center
    nik, account = _nik(), _unique_digits(9)
    before_on_telegram = await channel_conversation(app, "telegram", account)
    await _handoff(app, before_on_telegram, disposition="resolved")
    before_on_web = await new_conversation(client)
    now_on_telegram = await channel_conversation(app, "telegram", account)
    someone_else = await channel_conversation(app, "telegram", _unique_digits(9))
    # A relative who only looked this citizen's data up (a family card): not the same person.
    relative = await channel_conversation(app, "telegram", _unique_digits(9))
    async with app.state.sessionmaker() as session:
        for conversation in (before_on_web, now_on_telegram):
            await sessions.bind(session, uuid.UUID(conversation), nik, "otp")
        looked_up = VerifiedIdentity(
            conversation_id=uuid.UUID(relative), nik="token", birth_date="1990-01-01", service="health"
        )
        looked_up.nik_hash = nik_key(nik)
        session.add(looked_up)
        await session.commit()
    current = await _handoff(app, now_on_telegram, state=HandoffState.QUEUED)
    agent, colleague = await add_agent(app), await add_agent(app, teams=["health"])
    same_team = await add_agent(app)
    async with console(app, same_team) as theirs:  # may see the queue, but does not hold it
        assert (await theirs.get(f"/console/api/handoffs/{current.id}/earlier")).status_code == 404
    async with console(app, agent) as desk:
        await desk.post(f"/console/api/handoffs/{current.id}/claim")
        contacts = (await desk.get(f"/console/api/handoffs/{current.id}/earlier")).json()
        links = {item["conversation_id"]: item["link"] for item in contacts}
        assert links == {before_on_telegram: "channel", before_on_web: "person"}
        assert someone_else not in links and relative not in links
        # The web conversation has no hand-off: readable only as this citizen's earlier contact.
        path = f"/console/api/history/conversations/{before_on_web}"
        assert (await desk.get(path)).status_code == 404
        assert (await desk.get(path, params={"via": current.id})).status_code == 200
        assert (await desk.get(path, params={"via": current.id})).status_code == 200
    assert [e.target for e in await _entries(app, agent, "view_history")] == [
        f"handoff {current.id}",
        f"conversation {before_on_web}",
    ]
    async with console(app, colleague) as theirs:  # another team, not holding it
        assert (await theirs.get(f"/console/api/handoffs/{current.id}/earlier")).status_code == 404
        assert (await theirs.get(path, params={"via": current.id})).status_code == 404
