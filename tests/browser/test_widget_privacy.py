"""The widget on a shared computer, in headless Chromium: "Hapus percakapan" asks first, then
deletes the conversation at the gateway and in the browser; a session left idle past its
expiry shows no history after a reload; a typed NIK and birth date leave the screen once the
turn is over, and the bot's echo of them shows them masked."""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, Request, expect

from connectors.web import session as widget_session
from tests.api.fake_rasa import FakeRasa
from tests.browser.conftest import Gateway, screenshot
from tests.browser.dialogue import GREETING_TEXT
from tests.browser.test_widget import REFUSE_WEBSOCKETS, composer, messages_in, say


def _stored_session(page: Page, gateway_url: str) -> dict[str, str] | None:
    saved = page.evaluate(f"localStorage.getItem('asistenWarga.session:{gateway_url}')")
    return json.loads(saved) if saved else None


def test_hapus_percakapan_asks_then_deletes_everywhere(page: Page, gateway: Gateway) -> None:
    page.goto(f"{gateway.url}/")
    say(page, "halo")
    expect(messages_in(page).last).to_have_text(re.compile(re.escape(GREETING_TEXT)))
    saved = _stored_session(page, gateway.url)
    assert saved is not None and saved["token"]

    page.get_by_role("button", name="Hapus percakapan").click()
    expect(page.get_by_text("Hapus percakapan ini dari perangkat ini")).to_be_visible()
    screenshot(page, "widget-erase-confirm.png")
    page.get_by_role("button", name="Tidak").click()
    expect(page.get_by_text("Hapus percakapan ini dari perangkat ini")).to_be_hidden()
    assert _stored_session(page, gateway.url) == saved  # nothing deleted

    page.get_by_role("button", name="Hapus percakapan").click()
    page.get_by_role("button", name="Ya, hapus").click()

    expect(messages_in(page)).to_have_count(1)
    expect(messages_in(page).first).to_have_text("Percakapan sudah dihapus.")
    screenshot(page, "widget-erased.png")
    assert _stored_session(page, gateway.url) is None
    gone = httpx.get(
        f"{gateway.url}/api/v1/conversations/{saved['id']}/messages",
        headers={widget_session.HEADER: saved["token"]},
    )
    assert gone.status_code == 404
    page.reload()
    expect(composer(page)).to_be_visible()
    expect(messages_in(page)).to_have_count(0)


def test_an_idle_session_shows_no_history_after_a_reload(page: Page, gateway: Gateway) -> None:
    page.goto(f"{gateway.url}/")
    say(page, "NIK saya 3201012345678901")
    expect(messages_in(page).nth(1)).to_be_visible()  # the answer is in
    saved = _stored_session(page, gateway.url)
    assert saved is not None
    # The citizen walked away: the token in storage is now older than the idle time.
    idle = gateway.settings.widget_idle_minutes * 60
    expired = widget_session.issue(gateway.settings, uuid.UUID(saved["id"]), now=time.time() - idle - 5)
    page.evaluate(
        f"localStorage.setItem('asistenWarga.session:{gateway.url}', "
        f"JSON.stringify({{id: {json.dumps(saved['id'])}, token: {json.dumps(expired)}}}))"
    )

    page.reload()

    expect(messages_in(page)).to_have_count(1)
    expect(messages_in(page).first).to_contain_text("Sesi percakapan berakhir")
    expect(page.get_by_text("3201012345678901")).to_have_count(0)
    expect(page.get_by_text("8901", exact=False)).to_have_count(0)
    screenshot(page, "widget-session-expired.png")
    assert _stored_session(page, gateway.url) is None


NIK, BIRTH_DATE = "3201012345678901", "12-03-1990"


def _echo_nik(request: dict[str, Any]) -> list[dict[str, Any]]:
    """Like the bot echoing its `nik` slot: what it got, the vault's token for the NIK."""
    token = re.search(r"\d{10,17}", request["message"])
    assert token is not None and token.group() != NIK  # the bot never sees the NIK itself
    return [{"text": f"Terima kasih. NIK Anda {token.group()}, benar?"}]


@pytest.mark.parametrize("transport", ["websocket", "http"])
def test_typed_identifiers_are_masked_after_the_turn(
    page: Page, gateway: Gateway, fake_rasa: FakeRasa, transport: str
) -> None:
    fake_rasa.respond = _echo_nik
    if transport == "http":
        page.add_init_script(REFUSE_WEBSOCKETS)  # the answer to POST …/messages, not the socket's
    page.goto(f"{gateway.url}/")
    posts: list[str] = []  # the citizen's messages sent over HTTP

    def on_request(request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/messages"):
            posts.append(request.url)

    page.on("request", on_request)
    say(page, f"NIK saya {NIK}, lahir {BIRTH_DATE}")

    expect(messages_in(page).last).to_contain_text("benar?")  # the answer is in
    mine = messages_in(page).filter(has_text="NIK saya").first
    expect(mine).to_have_text("NIK saya 3201********8901, lahir ••-••-••••")
    answer = messages_in(page).last
    expect(answer).to_contain_text("3201********8901")
    assert len(posts) == (1 if transport == "http" else 0)
    screenshot(page, f"widget-masked-after-turn-{transport}.png")
    for shown in [page.get_by_text(NIK), page.get_by_text(BIRTH_DATE), page.get_by_text("1990")]:
        expect(shown).to_have_count(0)

    page.reload()

    expect(messages_in(page).filter(has_text="NIK saya").first).to_have_text(
        "NIK saya 3201********8901, lahir ••-••-••••"
    )
    expect(page.get_by_text(NIK)).to_have_count(0)
    expect(page.get_by_text(BIRTH_DATE)).to_have_count(0)
    screenshot(page, f"widget-masked-after-reload-{transport}.png")
