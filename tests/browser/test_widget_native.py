"""The widget as a native app would behave (issue 21 §4), in headless Chromium at a phone's
390x844 and a laptop's 1366x768: topic buttons and the privacy note at open, no keyboard
popping up after a tap, the length limit, the focus trap of the embedded panel, timestamps,
unbroken case numbers, errors apart from notices, the contrast of every button state, and
axe-core's WCAG 2.2 AA checks before and after a conversation."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

from tests.api.fake_rasa import FakeRasa
from tests.browser.accessibility import describe, violations
from tests.browser.conftest import PHONE, screenshot
from tests.browser.dialogue import GREETING_TEXT, PURPOSE_QUESTION
from tests.browser.test_widget import composer, finish_skck_flow, greet, messages_in, say, sent_to_rasa

LAPTOP: ViewportSize = {"width": 1366, "height": 768}
VIEWPORTS = [pytest.param(PHONE, id="phone"), pytest.param(LAPTOP, id="laptop")]
LIMIT = 2000  # AW_MAX_MESSAGE_CHARS of the test gateway (the default)
ACTIVE = "document.querySelector('.asisten-warga').shadowRoot.activeElement"  # focus inside the widget

# The contrast of a node's text against what is really behind it: the first opaque background
# up the tree, crossing the shadow root to its host page.
CONTRAST = """
(node) => {
  const rgb = (value) => (value.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const style = getComputedStyle(node);
  if (Number(style.opacity) < 1) return 0;
  let bg = null;
  for (let at = node; at; at = at.parentElement || (at.getRootNode() && at.getRootNode().host)) {
    const color = rgb(getComputedStyle(at).backgroundColor);
    if (color.length === 3 || (color.length === 4 && color[3] === 1)) { bg = color.slice(0, 3); break; }
  }
  bg = bg || [255, 255, 255];
  const [a, b] = [lum(rgb(style.color).slice(0, 3)), lum(bg)];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}
"""


@pytest.fixture
def axe_page(browser: Browser, fake_rasa: FakeRasa) -> Iterator[Page]:
    """A page whose Content-Security-Policy lets axe-core's script in (the gateway's page
    allows no inline script)."""
    context = browser.new_context(viewport=PHONE, locale="id-ID", bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, errors


@pytest.fixture
def touch_page(browser: Browser, fake_rasa: FakeRasa) -> Iterator[Page]:
    """A phone with a touch screen: taps are touch pointer events, `pointer: coarse`."""
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, locale="id-ID")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, errors


def topics(page: Page) -> Locator:
    return page.get_by_role("group", name="Pilih layanan").get_by_role("button")


def contrast(locator: Locator) -> float:
    ratio: float = locator.evaluate(CONTRAST)
    return ratio


def assert_no_violations(page: Page, include: str | None = None) -> None:
    found = violations(page, include=include)
    assert not found, describe(found)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_topics_and_privacy_note_at_open(
    page: Page, gateway_url: str, fake_rasa: FakeRasa, viewport: ViewportSize
) -> None:
    page.set_viewport_size(viewport)
    page.goto(f"{gateway_url}/")

    expect(topics(page)).to_have_count(9)
    expect(topics(page).first).to_have_text("Kesehatan (BPJS)")
    privacy = page.get_by_text("Percakapan disimpan paling lama 90 hari")
    expect(privacy).to_be_visible()
    link = page.get_by_role("link", name="Pemberitahuan privasi")
    expect(link).to_have_attribute("href", f"{gateway_url}/privasi")
    # Compact: all nine without scrolling, two columns on a phone.
    boxes = [box for box in (button.bounding_box() for button in topics(page).all()) if box]
    assert max(box["y"] + box["height"] for box in boxes) <= viewport["height"]
    if viewport == PHONE:
        assert boxes[0]["y"] == boxes[1]["y"] and boxes[1]["y"] < boxes[2]["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    screenshot(page, f"widget-opening-{viewport['width']}.png")

    topics(page).filter(has_text="SIM & SKCK").click()
    expect(page.get_by_role("group", name="SKCK")).to_be_visible()
    assert sent_to_rasa(fake_rasa) == ['/ask_menu{"service":"police"}']
    expect(topics(page).first).to_be_hidden()  # the opening gives way to the conversation


def test_a_tap_never_moves_focus_to_the_text_box(touch_page: Page, gateway_url: str) -> None:
    page = touch_page
    page.goto(f"{gateway_url}/")
    is_text_box_focused = f"() => {ACTIVE}?.id === 'aw-text'"

    topics(page).filter(has_text="SIM & SKCK").tap()
    expect(page.get_by_role("button", name="Buat SKCK")).to_be_enabled()
    assert not page.evaluate(is_text_box_focused)

    page.get_by_role("button", name="Buat SKCK").tap()
    expect(messages_in(page).last).to_have_text(PURPOSE_QUESTION)
    assert not page.evaluate(is_text_box_focused)
    screenshot(page, "widget-after-tap.png")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_an_overlong_message_stays_in_the_box(
    page: Page, gateway_url: str, fake_rasa: FakeRasa, viewport: ViewportSize
) -> None:
    page.set_viewport_size(viewport)
    page.goto(f"{gateway_url}/")
    counter = page.locator("#aw-counter")
    expect(topics(page)).to_have_count(9)  # the limit has arrived with the opening

    composer(page).fill("a" * 1500)
    expect(counter).to_be_hidden()
    composer(page).fill("a" * 1850)
    expect(counter).to_have_text("1.850 dari 2.000 karakter")

    long_text = "Mohon bantuan " + "b" * LIMIT
    composer(page).fill(long_text)
    expect(counter).to_have_text(f"{len(long_text):,} dari 2.000 karakter".replace(",", "."))
    composer(page).press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_have_text("Pesan Anda melebihi batas 2.000 karakter. Mohon persingkat, lalu kirim lagi.")
    expect(composer(page)).to_have_value(long_text)
    expect(composer(page)).to_have_attribute("aria-invalid", "true")
    expect(composer(page)).to_be_focused()
    expect(messages_in(page)).to_have_count(0)  # never shown as sent
    screenshot(page, f"widget-too-long-{viewport['width']}.png")
    assert fake_rasa.received == []

    composer(page).fill("halo")
    expect(alert).to_have_text("")
    composer(page).press("Enter")
    expect(messages_in(page).last).to_have_text(re.compile(re.escape(GREETING_TEXT)))


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_focus_stays_in_the_open_panel(
    page: Page, host_site_url: str, fake_rasa: FakeRasa, viewport: ViewportSize
) -> None:
    page.set_viewport_size(viewport)
    page.goto(f"{host_site_url}/layanan")
    launcher = page.get_by_role("button", name="Tanya Asisten Warga")
    launcher.click()
    panel = page.get_by_role("dialog", name="Asisten Warga")
    expect(panel).to_have_attribute("aria-modal", "true")
    expect(composer(page)).to_be_focused()
    greet(page)
    inside = (
        "() => { const r = document.querySelector('.asisten-warga').shadowRoot; "
        "return document.activeElement === r.host "
        "&& r.getElementById('aw-panel').contains(r.activeElement); }"
    )

    seen: set[str] = set()
    for key in ["Tab"] * 25 + ["Shift+Tab"] * 25:
        page.keyboard.press(key)
        assert page.evaluate(inside), f"focus left the panel after {key}"
        seen.add(page.evaluate(f"() => {ACTIVE}.outerHTML.slice(0, 40)"))
    assert len(seen) >= 5  # it did move around: header buttons, topics, message, composer

    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(launcher).to_be_focused()
    page.keyboard.press("Tab")  # closed: the page's own elements again
    assert not page.evaluate("() => document.activeElement.classList.contains('asisten-warga')")


def test_timestamps_on_hover_and_focus(page: Page, gateway_url: str) -> None:
    page.goto(f"{gateway_url}/")
    greet(page)
    answer, question = messages_in(page).last, messages_in(page).first
    answer_time, question_time = answer.locator("time"), question.locator("time")
    expect(answer_time).to_be_hidden()

    question.hover()
    expect(question_time).to_be_visible()
    assert re.fullmatch(r"\d{2}\.\d{2}", question_time.get_attribute("data-clock") or "")
    assert re.fullmatch(r"\d{1,2} \w+ \d{4} pukul \d{2}\.\d{2}", question_time.get_attribute("title") or "")
    page.mouse.move(0, 0)

    # The keyboard: the latest message is one Tab stop; the arrow keys move between messages.
    composer(page).focus()
    page.keyboard.press("Shift+Tab")  # the answer's last button
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    expect(answer).to_be_focused()
    expect(answer_time).to_be_visible()
    page.keyboard.press("ArrowUp")
    expect(question).to_be_focused()
    expect(question_time).to_be_visible()
    expect(answer_time).to_be_hidden()
    screenshot(page, "widget-timestamp-focus.png")


def test_case_numbers_never_break_across_lines(page: Page, gateway_url: str, fake_rasa: FakeRasa) -> None:
    numbers = ["TKT-2026-000123", "LPR-2026-01234", "SKCK-2026-000042", "17-08-2025", "Rp30.000"]
    # Each number at many positions in the line: one of them would fall on a line end.
    text = " ".join(f"{'kata ' * shift}{number}" for shift in range(8) for number in numbers)
    fake_rasa.respond = lambda _request: [{"text": f"Nomor tiket Anda: {text}."}]
    page.goto(f"{gateway_url}/")
    say(page, "status tiket")
    spans = messages_in(page).last.locator(".aw-id")
    expect(spans).to_have_count(8 * len(numbers))
    lines = spans.evaluate_all("nodes => nodes.map(node => [node.textContent, node.getClientRects().length])")
    assert {number for number, _ in lines} == set(numbers)
    assert all(count == 1 for _, count in lines), [line for line in lines if line[1] != 1]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "widget-case-numbers.png")


def test_errors_look_different_from_notices(browser: Browser, gateway_url: str, fake_rasa: FakeRasa) -> None:
    fake_rasa.respond = lambda _request: [
        {"custom": {"type": "request_location", "text": "Bagikan lokasi Anda untuk mencari faskes."}}
    ]
    # No geolocation permission; axe-core's inline script allowed.
    context = browser.new_context(viewport=PHONE, locale="id-ID", bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(f"{gateway_url}/")
        say(page, "faskes terdekat")
        page.get_by_role("button", name="Bagikan lokasi").click()
        error = messages_in(page).last
        expect(error).to_contain_text("lokasi Anda tidak dapat diambil")
        page.get_by_role("button", name="Hapus percakapan").click()
        page.get_by_role("button", name="Ya, hapus").click()
        notice = messages_in(page).first  # the log starts again with it
        expect(notice).to_have_text("Percakapan sudah dihapus.")
        say(page, "faskes terdekat")
        page.get_by_role("button", name="Bagikan lokasi").click()
        expect(messages_in(page).last).to_contain_text("lokasi Anda tidak dapat diambil")
        error = messages_in(page).last
        screenshot(page, "widget-error-and-notice.png")

        style = "node => ['backgroundColor', 'borderLeftColor', 'color'].map(p => getComputedStyle(node)[p])"
        assert error.evaluate(style) != notice.evaluate(style)
        assert "aw-msg--error" in (error.get_attribute("class") or "")
        assert contrast(error.locator(".aw-text")) >= 4.5
        assert contrast(notice.locator(".aw-text")) >= 4.5
        assert_no_violations(page)
    finally:
        context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_button_state_is_readable(
    page: Page, gateway_url: str, fake_rasa: FakeRasa, viewport: ViewportSize
) -> None:
    page.set_viewport_size(viewport)
    page.goto(f"{gateway_url}/")
    states: dict[str, Locator] = {
        "topic": topics(page).first,
        "header": page.get_by_role("button", name="Percakapan baru"),
        "send": page.get_by_role("button", name="Kirim", exact=True),
    }
    ratios = {name: contrast(locator) for name, locator in states.items()}

    fake_rasa.delay = 1.0
    say(page, "halo")
    expect(page.get_by_role("button", name="Kirim", exact=True)).to_be_disabled()
    ratios["send busy"] = contrast(page.get_by_role("button", name="Kirim", exact=True))
    expect(messages_in(page).last).to_have_text(re.compile(re.escape(GREETING_TEXT)))
    fake_rasa.delay = 0.0
    ratios["reply"] = contrast(page.get_by_role("button", name="Kesehatan", exact=True))
    page.get_by_role("button", name="SIM & SKCK").click()
    expect(page.get_by_role("group", name="SKCK")).to_be_visible()
    chosen = page.get_by_role("button", name="SIM & SKCK")
    expect(chosen).to_have_attribute("aria-pressed", "true")
    ratios["used"] = contrast(page.get_by_role("button", name="Kesehatan", exact=True))
    ratios["chosen"] = contrast(chosen)
    ratios["list row"] = contrast(page.get_by_role("button", name="Buat SKCK").locator(".aw-choice__title"))
    ratios["row description"] = contrast(page.locator(".aw-choice__description").first)
    screenshot(page, f"widget-button-states-{viewport['width']}.png")

    assert all(ratio >= 4.5 for ratio in ratios.values()), ratios
    used_style = page.get_by_role("button", name="Kesehatan", exact=True).evaluate(
        "node => getComputedStyle(node).backgroundColor"
    )
    assert chosen.evaluate("node => getComputedStyle(node).backgroundColor") != used_style


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_no_wcag_violations_on_the_chat_page(
    axe_page: Page, gateway_url: str, fake_rasa: FakeRasa, viewport: ViewportSize
) -> None:
    page = axe_page
    page.set_viewport_size(viewport)
    page.goto(f"{gateway_url}/")
    expect(topics(page)).to_have_count(9)
    assert_no_violations(page)

    greet(page)
    finish_skck_flow(page)
    composer(page).fill("x" * (LIMIT + 5))
    composer(page).press("Enter")  # the length alert and the invalid box, too
    assert_no_violations(page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_no_wcag_violations_in_the_embedded_panel(
    page: Page, host_site_url: str, fake_rasa: FakeRasa, viewport: ViewportSize
) -> None:
    page.set_viewport_size(viewport)
    page.goto(f"{host_site_url}/layanan")
    # The host page's own styles are not ours to check: the widget only.
    assert_no_violations(page, include=".asisten-warga")
    page.get_by_role("button", name="Tanya Asisten Warga").click()
    expect(topics(page)).to_have_count(9)
    assert_no_violations(page, include=".asisten-warga")

    greet(page)
    expect(messages_in(page).last).to_contain_text(GREETING_TEXT)
    assert_no_violations(page, include=".asisten-warga")
    screenshot(page, f"widget-embedded-{viewport['width']}.png")
