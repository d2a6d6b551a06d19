"""The supervisor's analytics dashboard in headless Chromium: its charts are drawn from seeded
conversations (the gateway's rows, and Rasa's events as the broker's consumer stores them),
its counters and unanswered questions match them, a group is marked for the training data,
and the section passes axe-core's WCAG 2.2 AA checks. Screenshots:
var/screenshots/console-dashboard-*.png."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from api.analytics.events import domain_names, to_row
from api.analytics.questions import to_question
from api.analytics.salt import analytics_salt
from api.analytics.sink import insert
from api.callcenter.accounts import create_agent
from api.db import create_engine, create_sessionmaker
from tests.api.analytics.seeding import conversations, recent_day, seed_gateway, tracker_events
from tests.browser.accessibility import violations
from tests.browser.conftest import Gateway, screenshot

PASSWORD = "kata-sandi-dewi-2024"
DISPLAY_NAME = "Dewi Anggraini"


def _run_async(coroutine: Coroutine[Any, Any, None]) -> None:
    """On its own loop in another thread: Playwright's sync API holds this thread's loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()


@pytest.fixture
def seeded(gateway: Gateway) -> tuple[str, str]:
    """A supervisor, and conversations of this test's own channel in the running gateway's
    database; Rasa's events for them as the broker's consumer stores them. (username, channel)"""
    username, channel = f"dewi-{uuid.uuid4().hex[:6]}", f"uji{uuid.uuid4().hex[:8]}"
    created = conversations(channel, recent_day())
    salt, names = analytics_salt(gateway.settings), domain_names()
    bodies = [
        json.dumps({**event, "sender_id": str(seeded.id)}).encode()
        for seeded in created
        for event in tracker_events(seeded)
    ]

    async def seed() -> None:
        engine = create_engine(gateway.settings)
        try:
            sessionmaker = create_sessionmaker(engine)
            async with sessionmaker() as session:
                await create_agent(
                    session, username=username, password=PASSWORD, display_name=DISPLAY_NAME,
                    role="supervisor", teams=["general"],
                )  # fmt: skip
            await seed_gateway(sessionmaker, created)
            rows = [row for body in bodies if (row := to_row(body, salt, names))]
            questions = [q for body in bodies if (q := to_question(body, salt, names))]
            await insert(engine, rows, questions)
        finally:
            await engine.dispose()

    _run_async(seed())
    return username, channel


def _is_csp_refusal(message: ConsoleMessage) -> bool:
    return message.type == "error" and "Content Security Policy" in message.text


@pytest.fixture
def console_page(browser: Browser) -> Iterator[Page]:
    """A desktop console page under the console's Content-Security-Policy; fails the test on
    any JavaScript error or CSP refusal (the vendored Chart.js must run under it)."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if _is_csp_refusal(message) else None)
    try:
        yield page
    finally:
        context.close()
    assert not errors, errors


@pytest.fixture
def axe_page(browser: Browser) -> Iterator[Page]:
    """A narrow console page that lets axe-core's injected script run (CSP bypassed)."""
    context = browser.new_context(viewport={"width": 820, "height": 1000}, locale="id-ID", bypass_csp=True)
    try:
        yield context.new_page()
    finally:
        context.close()


def open_dashboard(page: Page, gateway_url: str, username: str, channel: str) -> None:
    """Log in as the supervisor, open the dashboard and filter it to `channel`."""
    page.goto(f"{gateway_url}/console")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_text(DISPLAY_NAME, exact=True)).to_be_visible()
    page.get_by_role("link", name="Supervisor").click()
    expect(page.locator("#analytics")).to_have_attribute("data-loaded", "true")
    page.get_by_label("Kanal", exact=True).select_option(channel)
    with page.expect_response(lambda response: "/supervisor/analytics?" in response.url) as answer:
        page.get_by_role("form", name="Filter analitik").get_by_role("button", name="Terapkan").click()
    assert answer.value.ok
    expect(page.locator("#analytics-status")).to_contain_text(" – ")


def chart_totals(page: Page, key: str) -> dict[str, float]:
    """What the Chart.js chart of `key` draws: each dataset's label and sum."""
    return page.evaluate(
        """(key) => {
            const chart = Chart.getChart(document.querySelector(`#analytics-chart-${key} canvas`));
            return Object.fromEntries(chart.data.datasets.map(
                (set) => [set.label, set.data.reduce((a, b) => a + (b || 0), 0)]));
        }""",
        key,
    )


def test_the_dashboard_draws_the_seeded_conversations(
    console_page: Page, gateway_url: str, seeded: tuple[str, str]
) -> None:
    username, channel = seeded
    page = console_page
    open_dashboard(page, gateway_url, username, channel)
    counters = page.locator("#analytics-counters")
    expect(counters.locator(".counter").nth(0)).to_contain_text("5Percakapan")
    expect(counters.locator(".counter").nth(1)).to_contain_text("60%")
    expect(counters.locator(".counter").nth(3)).to_contain_text("2Dialihkan")

    assert chart_totals(page, "channel") == {channel: 5}
    assert chart_totals(page, "service") == {
        "Layanan umum": 2, "Kesehatan (BPJS Kesehatan, SATUSEHAT)": 2,
        "Pembayaran digital (PNBP, pajak kendaraan)": 1,
    }  # fmt: skip
    assert chart_totals(page, "reason") == {"Dialihkan ke petugas": 2}
    assert chart_totals(page, "times") == {"Rata-rata": 2.0 + 10.0, "p90": 3.0 + 10.0}
    satisfaction = page.locator("#analytics-chart-satisfaction")
    # No citizen rated an agent in the seeded conversations (the API tests count the surveys).
    expect(satisfaction.get_by_text("Belum ada data.")).to_be_visible()

    table = page.locator("#analytics-unanswered")
    first = table.locator("tbody tr").first
    expect(first).to_contain_text("cara bikin paspor")
    expect(first.locator(".analytics__count")).to_have_text("2")
    expect(table).not_to_contain_text("3273014508950001")
    expect(table).not_to_contain_text("Rahmawati")
    page.locator("#analytics-chart-channel canvas").scroll_into_view_if_needed()
    screenshot(page, "console-dashboard-1-charts.png")

    first.get_by_role("combobox").select_option("id_document_requirements")
    first.get_by_role("button", name="Tambahkan ke data latih").click()
    expect(page.locator("#analytics-status")).to_have_text(
        "2 contoh ditambahkan sebagai kandidat data latih."
    )
    table.scroll_into_view_if_needed()
    screenshot(page, "console-dashboard-2-unanswered.png")

    page.get_by_role("button", name="Keluar").click()
    expect(page.get_by_role("button", name="Masuk")).to_be_visible()
    expect(page.locator("#analytics")).to_be_empty()  # the figures leave with the session


def test_the_dashboard_passes_wcag_aa(axe_page: Page, gateway_url: str, seeded: tuple[str, str]) -> None:
    username, channel = seeded
    open_dashboard(axe_page, gateway_url, username, channel)
    chart = axe_page.locator("#analytics-chart-service canvas")
    expect(chart).to_be_visible()
    chart.scroll_into_view_if_needed()
    screenshot(axe_page, "console-dashboard-3-narrow.png")
    assert violations(axe_page, include="#analytics") == []
