"""The web widget as a citizen uses it, in headless Chromium: on the gateway's own page, on
another site's page, with and without WebSockets, by mouse and by keyboard."""

from __future__ import annotations

import json
import re
from typing import Any

from playwright.sync_api import Browser, Locator, Page, WebSocket, expect

from tests.api.fake_rasa import FakeRasa
from tests.browser.conftest import PHONE, screenshot
from tests.browser.dialogue import GREETING_TEXT, MENU, PURPOSE_QUESTION

# A network that refuses WebSocket upgrades (some proxies): the socket closes before opening.
REFUSE_WEBSOCKETS = """
window.WebSocket = class extends EventTarget {
  static OPEN = 1;
  constructor() {
    super();
    this.readyState = 0;
    setTimeout(() => {
      this.readyState = 3;
      this.dispatchEvent(new Event("error"));
      this.dispatchEvent(new CloseEvent("close", { code: 1006 }));
    }, 20);
  }
  send() { throw new Error("not open"); }
  close() {}
};
"""


def messages_in(page: Page) -> Locator:
    return page.get_by_role("log", name="Percakapan").get_by_role("listitem")


def composer(page: Page) -> Locator:
    return page.get_by_role("textbox", name="Pesan Anda")


def say(page: Page, text: str) -> None:
    composer(page).fill(text)
    composer(page).press("Enter")


def sent_to_rasa(fake_rasa: FakeRasa) -> list[str]:
    return [request["message"] for request in fake_rasa.received]


def greet(page: Page) -> None:
    say(page, "halo")
    expect(messages_in(page).last).to_have_text(re.compile(re.escape(GREETING_TEXT)))


def finish_skck_flow(page: Page) -> None:
    """After the greeting: pick the police menu, pick SKCK from the list, answer the question."""
    page.get_by_role("button", name="SIM & SKCK").click()
    expect(page.get_by_role("group", name="SKCK")).to_be_visible()
    page.get_by_role("button", name="Buat SKCK").click()
    expect(messages_in(page).last).to_have_text(PURPOSE_QUESTION)
    say(page, "melamar kerja")
    expect(messages_in(page).last).to_contain_text("Rp30.000 (PP 76/2020 Lampiran)")


FLOW_TEXTS = [
    "halo",
    GREETING_TEXT,
    "SIM & SKCK",
    "Layanan kepolisian apa yang Anda perlukan?",
    "Buat SKCK",
    PURPOSE_QUESTION,
    "melamar kerja",
    "Baik, SKCK untuk keperluan: melamar kerja.",
]
FLOW_TO_RASA = ["halo", MENU[2]["payload"], "/skck_apply", "melamar kerja"]


def assert_history(page: Page) -> None:
    items = messages_in(page)
    expect(items).to_have_count(len(FLOW_TEXTS))
    for item, text in zip(items.all(), FLOW_TEXTS, strict=True):
        expect(item).to_contain_text(text)
    # Only the latest answer's buttons can be clicked.
    expect(page.get_by_role("button", name="SIM & SKCK")).to_be_disabled()
    expect(page.get_by_role("button", name="Buat SKCK")).to_be_disabled()


def test_chat_page_flow_and_history(page: Page, gateway_url: str, fake_rasa: FakeRasa) -> None:
    sockets: list[WebSocket] = []
    frames: list[dict[str, Any]] = []

    def watch(socket: WebSocket) -> None:
        sockets.append(socket)
        socket.on("framesent", lambda payload: frames.append(json.loads(payload)))

    page.on("websocket", watch)
    fake_rasa.delay = 0.4  # long enough to see the typing indicator
    page.goto(f"{gateway_url}/")
    expect(composer(page)).to_be_visible()
    expect(page.get_by_text("Halo! Silakan tanyakan layanan publik")).to_be_visible()

    say(page, "halo")
    expect(page.get_by_role("status")).to_have_text("Asisten sedang mengetik…")
    expect(messages_in(page).last).to_have_text(re.compile(re.escape(GREETING_TEXT)))
    finish_skck_flow(page)
    expect(page.get_by_role("status")).to_have_text("")

    assert_history(page)
    assert sent_to_rasa(fake_rasa) == FLOW_TO_RASA
    assert {request["input_channel"] for request in fake_rasa.received} == {"web"}
    metadata = fake_rasa.received[1]["metadata"]
    assert metadata == {"button_title": "SIM & SKCK", "turn_id": metadata["turn_id"]}
    # Over one WebSocket: the list row went as a list choice.
    assert len(sockets) == 1 and sockets[0].url.endswith("/ws")
    # The session token first (never in the URL), then the citizen's events.
    assert [frame["type"] for frame in frames] == ["auth", "text", "button", "list_choice", "text"]
    # Phone-sized: nothing sticks out sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "web-chat.png")

    page.reload()
    assert_history(page)
    expect(page.get_by_text("Halo! Silakan tanyakan layanan publik")).to_be_hidden()
    screenshot(page, "web-chat-after-reload.png")

    page.get_by_role("button", name="Percakapan baru").click()
    expect(messages_in(page)).to_have_count(0)
    page.reload()
    expect(composer(page)).to_be_visible()
    expect(messages_in(page)).to_have_count(0)


def test_http_fallback_without_websockets(page: Page, gateway_url: str, fake_rasa: FakeRasa) -> None:
    sockets: list[WebSocket] = []
    page.on("websocket", lambda socket: sockets.append(socket))
    page.add_init_script(REFUSE_WEBSOCKETS)
    page.goto(f"{gateway_url}/")

    greet(page)
    finish_skck_flow(page)

    assert_history(page)
    assert sent_to_rasa(fake_rasa) == FLOW_TO_RASA
    assert sockets == []
    page.reload()
    assert_history(page)


def computed(locator: Locator, prop: str) -> str:
    value: str = locator.evaluate("(node, prop) => getComputedStyle(node)[prop]", prop)
    return value


def test_embedded_on_another_site_by_keyboard(page: Page, host_site_url: str, fake_rasa: FakeRasa) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{host_site_url}/layanan")

    launcher = page.get_by_role("button", name="Tanya Asisten Warga")
    expect(launcher).to_be_visible()
    # Neither side's styles reach the other.
    host_button = page.locator("#host-button")
    assert computed(host_button, "backgroundColor") == "rgb(0, 255, 0)"
    assert computed(host_button, "fontSize") == "40px"
    assert computed(page.locator("#host-text"), "fontSize") == "30px"
    assert computed(launcher, "fontSize") == "16px"
    assert computed(launcher, "backgroundColor") == "rgb(179, 38, 30)"
    assert computed(launcher, "fontFamily") != "serif"

    launcher.focus()
    page.keyboard.press("Enter")
    panel = page.get_by_role("dialog", name="Asisten Warga")
    expect(panel).to_be_visible()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    expect(composer(page)).to_be_focused()

    page.keyboard.type("halo")
    page.keyboard.press("Enter")
    expect(messages_in(page).last).to_have_text(re.compile(re.escape(GREETING_TEXT)))
    expect(composer(page)).to_be_focused()
    # Back from the text box: the latest answer's buttons, last one first.
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("button", name="SIM & SKCK")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("group", name="SKCK")).to_be_visible()

    screenshot(page, "web-widget-embedded.png")

    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(launcher).to_be_focused()
    assert sent_to_rasa(fake_rasa) == ["halo", MENU[2]["payload"]]


def test_rich_replies_and_location(browser: Browser, gateway_url: str, fake_rasa: FakeRasa) -> None:
    fake_rasa.respond = lambda request: (
        [{"text": "Terima kasih, lokasi Anda sudah kami terima."}]
        if request["message"].startswith("/share_location")
        else [
            {"custom": {"type": "document", "url": "/static/page.css", "filename": "formulir.pdf"}},
            {"custom": {"type": "document", "url": "javascript:alert(1)", "caption": "Berbahaya"}},
            {"custom": {"type": "image", "url": f"{gateway_url}/static/none.png", "caption": "Peta"}},
            {"custom": {"type": "request_location", "text": "Bagikan lokasi Anda untuk mencari faskes."}},
        ]
    )
    context = browser.new_context(
        viewport=PHONE,
        geolocation={"latitude": -6.2, "longitude": 106.8},
        permissions=["geolocation"],
    )
    try:
        page = context.new_page()
        page.goto(f"{gateway_url}/")
        say(page, "faskes terdekat")

        link = page.get_by_role("link", name="formulir.pdf")
        expect(link).to_have_attribute("href", f"{gateway_url}/static/page.css")
        expect(link).to_have_attribute("target", "_blank")
        expect(page.get_by_text("Berbahaya")).to_be_visible()
        expect(page.locator("a[href^='javascript']")).to_have_count(0)
        expect(page.get_by_role("img", name="Peta")).to_be_visible()

        page.get_by_role("button", name="Bagikan lokasi").click()
        expect(messages_in(page).last).to_have_text("Terima kasih, lokasi Anda sudah kami terima.")
        expect(messages_in(page).nth(-2)).to_have_text("📍 Lokasi dibagikan")
    finally:
        context.close()
    location = fake_rasa.received[-1]
    assert location["message"] == '/share_location{"latitude":-6.2,"longitude":106.8}'
    turn_id = location["metadata"]["turn_id"]
    assert location["metadata"] == {"location": {"latitude": -6.2, "longitude": 106.8}, "turn_id": turn_id}
