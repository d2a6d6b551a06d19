"""The chat offline, in headless Chromium: messages written without a connection wait (shown
as "Menunggu koneksi", kept across a reload) and are sent once, in order, with a stable
client_message_id when the connection is back; on the gateway's own page the service worker
serves the page and the last history offline."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, ViewportSize, WebSocket, expect

from tests.api.fake_rasa import FakeRasa
from tests.browser.conftest import screenshot
from tests.browser.dialogue import GREETING_TEXT
from tests.browser.test_widget import composer, greet, messages_in, say, sent_to_rasa
from tests.browser.test_widget_native import VIEWPORTS

OFFLINE_TEXT = "Anda sedang offline. Pesan Anda disimpan dan dikirim otomatis saat koneksi kembali."


def watch_frames(page: Page) -> list[dict[str, Any]]:
    frames: list[dict[str, Any]] = []

    def watch(socket: WebSocket) -> None:
        socket.on("framesent", lambda payload: frames.append(json.loads(payload)))

    page.on("websocket", watch)
    return frames


def controlled(page: Page) -> None:
    """Wait until the service worker controls the page (sw.js claims its clients)."""
    page.evaluate(
        """async () => {
            await navigator.serviceWorker.ready;
            if (navigator.serviceWorker.controller) return;
            await new Promise((done) => navigator.serviceWorker.addEventListener("controllerchange", done));
        }"""
    )


def pending(page: Page) -> Any:
    return messages_in(page).filter(has_text="Menunggu koneksi")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_messages_written_offline_are_sent_once_back_online(
    page: Page, gateway_url: str, fake_rasa: FakeRasa, viewport: ViewportSize
) -> None:
    page.set_viewport_size(viewport)
    frames = watch_frames(page)
    page.goto(f"{gateway_url}/")
    greet(page)

    page.context.set_offline(True)
    expect(page.get_by_text(OFFLINE_TEXT)).to_be_visible()
    say(page, "halo")
    say(page, "hai")
    expect(pending(page)).to_have_count(2)
    expect(composer(page)).to_have_value("")
    screenshot(page, f"widget-offline-queued-{viewport['width']}.png")
    assert sent_to_rasa(fake_rasa) == ["halo"]

    page.context.set_offline(False)
    expect(pending(page)).to_have_count(0)
    expect(page.get_by_text(OFFLINE_TEXT)).to_be_hidden()
    expect(messages_in(page)).to_have_count(6)
    for index, text in [(2, "halo"), (3, GREETING_TEXT), (4, "hai"), (5, GREETING_TEXT)]:
        expect(messages_in(page).nth(index)).to_contain_text(text)
    assert sent_to_rasa(fake_rasa) == ["halo", "halo", "hai"]  # once each, in order
    texts = [frame for frame in frames if frame["type"] == "text"]
    ids = [frame["client_message_id"] for frame in texts]
    assert len(set(ids)) == len(texts) == 3
    assert all(uuid.UUID(value).version == 4 for value in ids)


def test_the_installed_page_shows_history_and_keeps_messages_offline(
    page: Page, gateway_url: str, fake_rasa: FakeRasa
) -> None:
    frames = watch_frames(page)
    page.goto(f"{gateway_url}/")
    controlled(page)
    greet(page)
    page.reload()  # the history, read through the service worker, is kept for offline use
    expect(messages_in(page)).to_have_count(2)

    page.context.set_offline(True)
    page.reload()
    expect(messages_in(page)).to_have_count(2)
    expect(messages_in(page).last).to_contain_text(GREETING_TEXT)
    expect(page.get_by_text(OFFLINE_TEXT)).to_be_visible()
    say(page, "hai")
    expect(pending(page)).to_have_count(1)
    page.reload()  # still offline: the waiting message is still there
    expect(pending(page)).to_have_count(1)
    expect(pending(page)).to_contain_text("hai")
    screenshot(page, "widget-offline-reloaded.png")
    assert sent_to_rasa(fake_rasa) == ["halo"]

    page.context.set_offline(False)
    expect(pending(page)).to_have_count(0)
    expect(messages_in(page).last).to_have_text(re.compile(re.escape(GREETING_TEXT)))
    assert sent_to_rasa(fake_rasa) == ["halo", "hai"]
    assert [frame["text"] for frame in frames if frame["type"] == "text"] == ["halo", "hai"]

    # "Percakapan baru" forgets the offline copy too.
    page.get_by_role("button", name="Percakapan baru").click()
    for _ in range(50):
        if not page.evaluate("() => caches.has('aw-history')"):
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError("the offline copy of the history is still cached")
