"""Files and photos in headless Chromium: a citizen sends a photo from the web widget and
the agent sees it in the console; the agent sends a photo and a requirements sheet (PDF)
and the citizen sees them in the widget. Screenshots go to var/screenshots/attachments-*.png."""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, FilePayload, Page, ViewportSize, expect

from tests.api.fake_rasa import FakeRasa
from tests.browser.accessibility import describe, violations
from tests.browser.conftest import PHONE, Gateway, screenshot
from tests.browser.test_call_center import (  # noqa: F401 (fixtures)
    DESKTOP,
    Account,
    ask_for_a_person,
    create_accounts,
    dialogue,
    log_in,
    queue_cards,
    transcript,
)
from tests.browser.test_widget import messages_in

AGENT = Account("dewi", "kata-sandi-dewi-2024", "Dewi Anggraini", "agent")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def accounts(gateway: Gateway) -> None:
    create_accounts(gateway, (AGENT, ["general"]))


@pytest.fixture
def new_page(browser: Browser, accounts: None) -> Iterator[Callable[..., Page]]:  # noqa: F811
    """Pages in fresh browser contexts that let axe-core in past the pages' CSP; the test
    fails on any JavaScript error in them."""
    contexts = []
    errors: list[str] = []

    def new(viewport: ViewportSize = DESKTOP) -> Page:
        context = browser.new_context(
            viewport=viewport, locale="id-ID", bypass_csp=True, accept_downloads=True
        )
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    try:
        yield new
    finally:
        for context in contexts:
            context.close()
    assert not errors, errors


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A real PNG of one colour with a darker band, so the screenshots show it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    dark = bytes(value // 2 for value in rgb)
    rows = b"".join(
        b"\x00" + (dark if height // 3 <= y < 2 * height // 3 else bytes(rgb)) * width for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def checked(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.2 AA violations, but `listitem`: the console's and the widget's
    <ol role="log"> fail it on every message, before and apart from files (reported to their
    owners)."""
    return [violation for violation in violations(page) if violation["id"] != "listitem"]


def image_loaded(page: Page, selector: str) -> bool:
    return bool(page.locator(selector).evaluate_all("(images) => images.some((i) => i.naturalWidth > 0)"))


def test_a_photo_from_the_citizen_and_documents_from_the_agent(
    new_page: Callable[..., Page],
    gateway_url: str,
    dialogue: FakeRasa,  # noqa: F811
) -> None:
    agent = new_page()
    log_in(agent, gateway_url, AGENT)
    citizen = new_page(PHONE)
    ask_for_a_person(citizen, gateway_url)
    queue_cards(agent).first.get_by_role("button", name="Ambil").click()
    expect(agent.locator("#mine-list > li")).to_have_count(1)

    # The citizen attaches a photo: shown in their chat, and live in the agent's transcript.
    attach = citizen.get_by_role("button", name="Kirim foto atau dokumen")
    expect(attach).to_be_visible()
    house = FilePayload(name="rumah saya.png", mimeType="image/png", buffer=png(320, 200, (40, 120, 200)))
    citizen.locator("input[type=file]").set_input_files(house)
    photo = citizen.locator(".aw-msg--citizen img")
    expect(photo).to_have_attribute("alt", "Foto: rumah saya.png")
    expect(photo).to_be_visible()
    assert image_loaded(citizen, ".aw-msg--citizen img")
    seen = transcript(agent).locator(".turn--citizen img")
    expect(seen).to_have_attribute("alt", "Foto dari percakapan: rumah saya.png")
    assert image_loaded(agent, ".turn--citizen img")
    screenshot(citizen, "attachments-1-citizen-photo.png")

    # The agent sends a photo and a requirements sheet, with a caption from the composer.
    agent.get_by_role("textbox", name="Balasan untuk warga").fill("Contoh foto yang jelas")
    sample = FilePayload(name="contoh.png", mimeType="image/png", buffer=png(240, 160, (30, 160, 90)))
    with agent.expect_response(re.compile(r"/attachments$")) as sent:
        agent.locator("#reply-file").set_input_files(sample)
    assert sent.value.status == 201
    sheet = FilePayload(name="Syarat KTP-el.pdf", mimeType="application/pdf", buffer=PDF)
    with agent.expect_response(re.compile(r"/attachments$")) as sent:
        agent.locator("#reply-file").set_input_files(sheet)
    assert sent.value.status == 201
    expect(transcript(agent).locator(".turn--agent img")).to_have_attribute(
        "alt", "Foto dari percakapan: contoh.png"
    )
    expect(
        transcript(agent).get_by_role("link", name=re.compile(r"^Unduh Syarat KTP-el\.pdf"))
    ).to_be_visible()
    screenshot(agent, "attachments-2-console.png")
    found = checked(agent)
    assert found == [], describe(found)

    agent_photo = citizen.locator(".aw-msg--agent img")
    expect(agent_photo).to_have_attribute("alt", "Foto: contoh.png")
    expect(citizen.locator(".aw-msg--agent").filter(has=citizen.locator("img"))).to_contain_text(
        "Contoh foto yang jelas"
    )
    assert image_loaded(citizen, ".aw-msg--agent img")
    download_button = citizen.get_by_role("button", name=re.compile(r"^Unduh Syarat KTP-el\.pdf"))
    expect(download_button).to_be_visible()
    with citizen.expect_download() as download:
        download_button.click()
    assert download.value.suggested_filename == "Syarat KTP-el.pdf"
    assert Path(download.value.path()).read_bytes() == PDF
    screenshot(citizen, "attachments-3-citizen-documents.png")
    found = checked(citizen)
    assert found == [], describe(found)


def test_a_file_of_another_kind_is_refused_in_the_widget(
    new_page: Callable[..., Page],
    gateway_url: str,
    dialogue: FakeRasa,  # noqa: F811
) -> None:
    citizen = new_page(PHONE)
    citizen.goto(f"{gateway_url}/")
    program = FilePayload(name="foto.jpg", mimeType="image/jpeg", buffer=b"MZ\x90\x00 not a photo")
    citizen.locator("input[type=file]").set_input_files(program)
    expect(messages_in(citizen).last).to_contain_text("hanya dapat menerima foto")
    expect(citizen.locator(".aw-msg--citizen")).to_have_count(0)


def test_a_photo_from_a_widget_on_another_site(
    new_page: Callable[..., Page],
    host_site_url: str,
    dialogue: FakeRasa,  # noqa: F811
) -> None:
    """Embedded on another origin: the upload and the fetch pass CORS with their headers."""
    citizen = new_page(PHONE)
    citizen.goto(f"{host_site_url}/layanan")
    citizen.get_by_role("button", name="Tanya Asisten Warga").click()
    photo = FilePayload(name="jalan rusak.png", mimeType="image/png", buffer=png(200, 120, (200, 120, 40)))
    citizen.locator("input[type=file]").set_input_files(photo)
    expect(citizen.locator(".aw-msg--citizen img")).to_have_attribute("alt", "Foto: jalan rusak.png")
    wait_until_loaded = citizen.locator(".aw-msg--citizen img")
    expect(wait_until_loaded).to_be_visible()
    assert image_loaded(citizen, ".aw-msg--citizen img")
    expect(messages_in(citizen).last).to_contain_text("berkas Anda sudah kami terima")
    screenshot(citizen, "attachments-4-other-site.png")
