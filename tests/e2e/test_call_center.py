"""Issue 5 through the whole stack: the real bot hands a citizen over to an agent in the
middle of a flow, the agent answers from the console API, hands back, and the bot resumes
the flow where it was; an agent assists a phone caller and the look-up is audited."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from collections.abc import Iterator

import httpx
import pytest

from simulators.seed import sample
from tests.e2e.conftest import ROOT, Conversation, Stack

PASSWORD = "kata-sandi-e2e-panjang"


def _account(stack: Stack, role: str) -> str:
    username = f"{role}-{uuid.uuid4().hex[:8]}"
    command = ["add", username, "--name", f"Petugas {role}", "--role", role]
    subprocess.run(
        [sys.executable, "-m", "api.callcenter.accounts", *command],
        cwd=ROOT,
        env={**stack.env, "AW_NEW_AGENT_PASSWORD": PASSWORD},
        check=True,
        capture_output=True,
        timeout=60,
    )
    return username


@pytest.fixture
def agent_desk(stack: Stack) -> Iterator[httpx.Client]:
    """A console logged in as an available agent."""
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as desk:
        login = desk.post(
            "/console/api/login", json={"username": _account(stack, "agent"), "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
        assert desk.put("/console/api/me/status", json={"status": "available"}).status_code == 200
        yield desk


def _since(citizen: Conversation, after: int) -> list[dict]:
    response = citizen.client.get(
        f"/api/v1/conversations/{citizen.id}/messages",
        params={"after": after},
        headers={"X-Session-Token": citizen.token or ""},
    )
    response.raise_for_status()
    return response.json()["messages"]


def test_handoff_mid_flow_and_the_bot_resumes(citizen: Conversation, agent_desk: httpx.Client) -> None:
    asked = citizen.say("Kartu BPJS Kesehatan saya masih aktif atau tidak ya?")
    assert "NIK" in asked
    queued = citizen.say("saya mau bicara dengan petugas saja")
    assert "Posisi antrean Anda: 1" in queued, queued
    assert citizen.say("halo, ada orang?") == ""  # the bot stays silent while waiting

    [waiting] = [
        h
        for h in agent_desk.get("/console/api/handoffs?scope=queue").json()
        if h["conversation_id"] == citizen.id
    ]
    assert waiting["team"] in ("health", "general") and waiting["reason"] == "citizen_request"
    detail = agent_desk.post(f"/console/api/handoffs/{waiting['id']}/claim").json()
    transcript = [(m["author"], m["text"]) for m in detail["transcript"]]
    assert ("bot", asked) in transcript and ("citizen", "halo, ada orang?") in transcript
    last_seen = detail["transcript"][-1]["id"]

    sent = agent_desk.post(
        f"/console/api/handoffs/{waiting['id']}/messages",
        json={"text": "Selamat siang, ada yang bisa dibantu?"},
    )
    assert sent.status_code == 201
    assert [m["text"] for m in _since(citizen, last_seen)] == ["Selamat siang, ada yang bisa dibantu?"]

    back = agent_desk.post(f"/console/api/handoffs/{waiting['id']}/hand-back")
    assert back.json()["state"] == "returned"
    resumed = _since(citizen, sent.json()["id"])
    assert resumed and all(m["author"] == "bot" for m in resumed)
    resumed_text = "\n".join(m["text"] for m in resumed)
    assert "kembali dilayani Asisten Warga" in resumed_text and "NIK" in resumed_text  # the form goes on
    member = sample("bpjs_active")
    assert "tanggal lahir" in citizen.say(f"NIK saya {member['nik']}")


def test_agent_assists_a_caller_and_the_lookup_is_audited(stack: Stack, agent_desk: httpx.Client) -> None:
    member = sample("bpjs_active")
    session = agent_desk.post(
        "/console/api/assist", json={"reason": "Penelepon menanyakan status BPJS"}
    ).json()
    turn = agent_desk.post(
        f"/console/api/assist/{session['id']}/messages", json={"text": "status bpjs kesehatan saya aktif ga"}
    ).json()
    assert turn["understood"]["intent"] == "health_bpjs_status" and turn["understood"]["confidence"] > 0.5
    assert "NIK" in turn["replies"][0]["text"]
    turn = agent_desk.post(
        f"/console/api/assist/{session['id']}/messages", json={"text": member["nik"]}
    ).json()
    assert any(entity["entity"] == "nik" for entity in turn["understood"]["entities"])
    day, month, year = member["birth_date"][8:], member["birth_date"][5:7], member["birth_date"][:4]
    turn = agent_desk.post(
        f"/console/api/assist/{session['id']}/messages", json={"text": f"{day}-{month}-{year}"}
    ).json()
    # The caller reads out the code sent by SMS to their registered number (identity verification).
    assert any("kode 6 digit" in reply["text"] for reply in turn["replies"]), turn
    # The simulated SMS outbox is on the internal listener, behind the run's service token.
    sms = httpx.get(
        f"{stack.service_url}/api/v1/identity/simulated-sms",
        params={"to": member["otp_phone"]},
        headers=stack.service_headers,
        timeout=30,
    ).json()["messages"]
    code = re.search(r"\b(\d{6})\b", sms[-1]["text"])
    assert code
    turn = agent_desk.post(f"/console/api/assist/{session['id']}/messages", json={"text": code[1]}).json()
    assert any("Nomor kartu" in reply["text"] for reply in turn["replies"]), turn

    with httpx.Client(base_url=stack.gateway_url, timeout=30) as supervisor:
        login = supervisor.post(
            "/console/api/login", json={"username": _account(stack, "supervisor"), "password": PASSWORD}
        )
        assert login.status_code == 200
        # The log keeps a keyed hash of the NIK (issue 16): the supervisor finds entries by the NIK.
        log = supervisor.get("/console/api/supervisor/audit", params={"citizen": member["nik"]}).json()
    entries = [e for e in log if e["reason"] == "Penelepon menanyakan status BPJS"]
    assert any(e["service"] == "health" and e["outcome"] == "ok" for e in entries), entries
    assert all(member["nik"] not in str(e) for e in entries)
