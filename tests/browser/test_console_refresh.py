"""The console's idle refresh: with no live events (here the network refuses WebSockets), the
queue is still refetched every SAFETY_REFETCH_MS (15 s), so a citizen waiting for a person
shows up without a reload, and the waiting times move on between fetches (TICK_MS).
Playwright's clock stands still while the citizen asks, then moves the page on: only the
console's timers can change what it shows.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from api.callcenter.accounts import create_agent
from api.db import create_engine, create_sessionmaker
from tests.api.callcenter.support import handoff_bot
from tests.api.fake_rasa import FakeRasa
from tests.browser.conftest import Gateway
from tests.browser.test_widget import REFUSE_WEBSOCKETS

IDLE_REFRESH_MS = 15_000  # console.js SAFETY_REFETCH_MS
PASSWORD = "kata-sandi-rina-2024"
DISPLAY_NAME = "Rina Lestari"


def _run_async(coroutine: Coroutine[Any, Any, None]) -> None:
    """On its own loop in another thread: Playwright's sync API holds this thread's loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()


@pytest.fixture
def username(gateway: Gateway) -> str:
    """A general-team agent of this test's own in the running gateway's database."""
    name = f"rina-{uuid.uuid4().hex[:6]}"

    async def create() -> None:
        engine = create_engine(gateway.settings)
        try:
            async with create_sessionmaker(engine)() as session:
                await create_agent(
                    session, username=name, password=PASSWORD, display_name=DISPLAY_NAME, role="agent",
                    teams=["general"],
                )  # fmt: skip
        finally:
            await engine.dispose()

    _run_async(create())
    return name


@pytest.fixture
def console_page(browser: Browser) -> Iterator[Page]:
    """A desktop console page whose WebSockets never open and whose clock Playwright drives;
    fails the test on any JavaScript error."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
    context.add_init_script(REFUSE_WEBSOCKETS)
    page = context.new_page()
    page.clock.install()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, errors


def ask_for_a_person(gateway_url: str, fake_rasa: FakeRasa) -> str:
    """A web citizen asks for a person over the HTTP API; returns the conversation id."""
    handoff_bot(fake_rasa)
    with httpx.Client(base_url=gateway_url, timeout=10) as http:
        created = http.post("/api/v1/conversations", json={"channel": "web"}).json()
        conversation = created["id"]
        answer = http.post(
            f"/api/v1/conversations/{conversation}/messages",
            json={"text": "/request_human"},
            headers={"X-Session-Token": created["session_token"]},
        )
    assert answer.status_code == 200, answer.text
    assert "Posisi antrean Anda" in answer.text  # queued, not offered a callback
    return str(conversation)


def test_the_queue_refreshes_while_no_live_event_arrives(
    console_page: Page, gateway_url: str, username: str, fake_rasa: FakeRasa
) -> None:
    page = console_page
    page.goto(f"{gateway_url}/console")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_text(DISPLAY_NAME, exact=True)).to_be_visible()
    expect(page.locator("#connection")).to_have_text("Terputus, menyambung ulang…")  # no socket
    with page.expect_response(re.compile(r"/console/api/me/status$")) as status:
        page.get_by_role("radio", name="Tersedia").check()  # someone to queue for
    assert status.value.ok
    count = page.locator("#queue-count")
    expect(count).to_have_text(re.compile(r"^\d+$"))
    waiting = int(count.inner_text())

    page.clock.pause_at(page.evaluate("Date.now()") + 500)  # the page's timers stand still
    conversation = ask_for_a_person(gateway_url, fake_rasa)
    try:
        page.wait_for_timeout(1000)  # real time: nothing but a timer would refetch the queue
        expect(count).to_have_text(str(waiting))

        page.clock.run_for(IDLE_REFRESH_MS)
        expect(count).to_have_text(str(waiting + 1))

        # Between refetches (here they fail) the waiting time moves on by itself (TICK_MS).
        waited = page.locator("#queue-list > li").last.locator(".card__wait")  # oldest first
        expect(waited).to_have_text(re.compile(r"^\d+ dtk$"))
        page.route(re.compile(r"/console/api/handoffs\?scope="), lambda route: route.abort())
        page.clock.run_for(70_000)  # the last tick at least 60 s after the fetch
        expect(waited).to_have_text("1 mnt")
        expect(count).to_have_text(str(waiting + 1))
    finally:
        page.unroute_all()
        leave_as_found(page, gateway_url, conversation)


def leave_as_found(page: Page, gateway_url: str, conversation: str) -> None:
    """The gateway is shared by the session: close this test's conversation, go away."""
    api = f"{gateway_url}/console/api"
    queue = page.request.get(f"{api}/handoffs?scope=queue").json()
    for handoff in (item for item in queue if item["conversation_id"] == conversation):
        assert page.request.post(f"{api}/handoffs/{handoff['id']}/claim").ok
        assert page.request.post(f"{api}/handoffs/{handoff['id']}/close", data={"disposition": "resolved"}).ok
    assert page.request.put(f"{api}/me/status", data={"status": "away"}).ok
