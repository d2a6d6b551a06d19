"""Shared phones and warnet PCs (api/privacy/masking.py, store.mask_after_turn): once the turn
that used them is over, identifiers and birth dates are masked in the stored and the shown
history — the citizen's own typing included — while the turn's own answer shows them."""

from __future__ import annotations

import uuid

import httpx
from fastapi import FastAPI

from api.privacy import vault as privacy
from api.privacy.masking import mask_text
from tests.api.callcenter.support import add_agent, ask_for_person, console, handoff_of, say
from tests.api.fake_rasa import FakeRasa
from tests.api.support import new_conversation, session_headers, stored_messages
from tests.security.support import web_conversation

NIK, CARD, PHONE = "3201012345678901", "0001234567890", "081234567890"
TYPED = f"NIK saya {NIK}, lahir 12-03-1990, hp {PHONE}"
REPLY = f"Kartu BPJS Anda {CARD} aktif. Nomor pengajuan ADM-2026-000123."


async def test_identifiers_are_masked_in_the_history_after_the_turn(
    app: FastAPI, client: httpx.AsyncClient, fake_rasa: FakeRasa
) -> None:
    conversation, token = await web_conversation(client)
    fake_rasa.reply({"text": REPLY, "buttons": [{"title": f"Cek {CARD}", "payload": "/ok"}]})

    answer = await client.post(f"/api/v1/conversations/{conversation}/messages", json={"text": TYPED})

    assert answer.json()["replies"][0]["text"] == REPLY  # this turn shows what it used
    # The bot gets the identifiers as the vault's tokens (api/privacy/vault.py), which the
    # gateway resolves whole: it understood the whole message.
    received = fake_rasa.received[0]["message"]
    assert NIK not in received and PHONE not in received
    async with app.state.sessionmaker() as session:
        resolved = await privacy.current().resolve_json(session, uuid.UUID(conversation), {"m": received})
    assert resolved == {"m": TYPED}
    stored = await stored_messages(app, conversation)
    history = await client.get(
        f"/api/v1/conversations/{conversation}/messages", headers={"X-Session-Token": token}
    )
    shown = history.json()["messages"]
    texts = [str((m.text, m.payload, m.buttons, m.content)) for m in stored]
    texts += [str((m["text"], m["buttons"], m["content"])) for m in shown]
    for text in texts:
        assert NIK not in text and CARD not in text and PHONE not in text and "1990" not in text
    # The vault's shapes mask the identifiers they know as the citizen's message is stored
    # (api/privacy/shapes.py); after the turn, the date too.
    assert stored[0].text == "NIK saya 3201********8901, lahir ••-••-••••, hp ********7890"
    assert "ADM-2026-000123" in stored[1].text  # case numbers stay readable
    assert shown[1]["buttons"][0]["title"] == "Cek •••••••••7890"


def test_typed_email_addresses_are_masked_to_their_first_letter_and_domain() -> None:
    assert mask_text("kirim ke siti.rahma+kabar@gmail.com ya", dates=True) == "kirim ke s•••@gmail.com ya"
    # The service's own address in a bot reply stays readable.
    assert mask_text("Tulis ke pengaduan@lapor.go.id", dates=False) == "Tulis ke pengaduan@lapor.go.id"


def test_masking_leaves_ordinary_text_alone() -> None:
    assert mask_text("ada 3 anak, jam 08:00-16:00, SKCK-2026-000123", dates=True) == (
        "ada 3 anak, jam 08:00-16:00, SKCK-2026-000123"
    )
    assert mask_text("lahir 17 Agustus 1990", dates=True) == "lahir •• ••••••• ••••"


async def test_messages_with_an_agent_are_masked_once_delivered(
    center: tuple[FastAPI, httpx.AsyncClient],
) -> None:
    """During a hand-off: what the citizen types to the agent, and what the agent writes, are
    masked in the stored and the shown history once delivered; the agent's console and the
    citizen's screen got them as written."""
    app, client = center
    agent = await add_agent(app, name="Sari")
    conversation = await new_conversation(client)
    await ask_for_person(client, conversation)
    handoff = await handoff_of(app, conversation)
    agent_text = "Baik, Bu. NIK 3201012345678902 dengan tanggal lahir 13-04-1991, benar?"
    async with console(app, agent) as desk:
        assert (await desk.post(f"/console/api/handoffs/{handoff.id}/claim")).status_code == 200
        await say(client, conversation, TYPED)  # to the agent: the bot does not see it
        sent = await desk.post(f"/console/api/handoffs/{handoff.id}/messages", json={"text": agent_text})
        assert sent.status_code == 201 and sent.json()["text"] == agent_text  # as written, once
        transcript = (await desk.get(f"/console/api/handoffs/{handoff.id}")).json()["transcript"]
    history = await client.get(
        f"/api/v1/conversations/{conversation}/messages", headers=session_headers(app, conversation)
    )

    stored = await stored_messages(app, conversation)
    texts = [str((m.text, m.payload, m.buttons, m.content)) for m in stored]
    texts += [str((m["text"], m.get("buttons"), m.get("content"))) for m in history.json()["messages"]]
    texts += [str(m["text"]) for m in transcript]
    assert any("••-••-••••" in text for text in texts)
    for text in texts:
        for secret in (NIK, PHONE, "1990", "3201012345678902", "1991"):
            assert secret not in text, (secret, text)
