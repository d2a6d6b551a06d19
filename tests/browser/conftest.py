"""Browser tests: the web widget in headless Chromium, driven by Playwright.

The gateway runs under uvicorn on a free 127.0.0.1 port, on SQLite, against a fake Rasa that
plays a scripted dialogue (tests/browser/dialogue.py), so no trained model is needed. The tests
of the bot's own flows (`assistant`) run the whole assistant instead, as tests/e2e does. Its call
center is open around the clock (national holidays included) for the console tests.
Playwright never downloads a browser: it drives Debian's /usr/bin/chromium (or CHROMIUM_PATH);
`make setup` installs it. Without it the tests skip locally and fail under CI=true.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route
from starlette.types import ASGIApp

from api.core.config import Settings
from api.main import create_app
from bench.load.stack import Stack, running
from tests.api.fake_rasa import FakeRasa, FakeRasaServer
from tests.api.support import Database, make_settings
from tests.browser.dialogue import SkckDialogue

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE: ViewportSize = {"width": 390, "height": 844}

# Another site embedding the widget with one script tag. Its styles are hostile on purpose:
# tiny root font, huge body font, green text, lime buttons, and one of our class names.
HOST_PAGE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kelurahan Contoh</title>
<style>
  html {{ font-size: 10px; }}
  body {{ font: 30px serif; color: rgb(0, 128, 0); }}
  button, .aw-send {{ background: rgb(0, 255, 0); font-size: 40px; }}
</style></head>
<body>
  <h1>Kelurahan Contoh</h1>
  <p id="host-text">Informasi layanan kelurahan.</p>
  <button class="aw-send" id="host-button">Tombol situs</button>
  <script src="{gateway}/widget.js" defer></script>
</body></html>"""


class LocalServer:
    """An ASGI app served by uvicorn (lifespan, WebSockets and all) on 127.0.0.1, in a thread."""

    def __init__(self, app: ASGIApp) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def __enter__(self) -> LocalServer:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not os.access(CHROMIUM, os.X_OK):
        message = (
            f"Chromium is missing at {CHROMIUM}: `make setup` installs it as root "
            "(apt-get install chromium), or set CHROMIUM_PATH"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


# Per module, not per session: Playwright's sync API runs an event loop on this thread while
# it is open, and the asyncio tests collected after these could not start their own.
@pytest.fixture(scope="module")
def browser(chromium_path: Path) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium_path))
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def _rasa_server() -> Iterator[FakeRasa]:
    with FakeRasaServer() as fake:
        yield fake


@pytest.fixture
def fake_rasa(_rasa_server: FakeRasa) -> FakeRasa:
    _rasa_server.reset()
    _rasa_server.respond = SkckDialogue()
    return _rasa_server


@dataclass(frozen=True)
class Gateway:
    url: str
    settings: Settings


@pytest.fixture(scope="session")
def gateway(_rasa_server: FakeRasa, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('gateway') / 'gateway.db'}")
    settings = make_settings(
        database,
        _rasa_server.url,
        rasa_timeout_seconds=5.0,
        rasa_token=_rasa_server.token,  # agent-assist reads the fake's tracker
        # Open always, national holidays too, so the tests pass whatever the date.
        call_center_hours="mon-sun 00:00-24:00",
        call_center_closed_on_holidays=False,
    )
    with LocalServer(create_app(settings)) as server:
        yield Gateway(server.url, settings)


@pytest.fixture(scope="session")
def gateway_url(gateway: Gateway) -> str:
    return gateway.url


@pytest.fixture(scope="session")
def host_site_url(gateway_url: str) -> Iterator[str]:
    """Another site (another origin) whose page embeds the widget with its one script tag.
    On 127.0.0.1 too: Chromium refuses a public page's requests to a loopback gateway."""

    async def page(_: Request) -> HTMLResponse:
        return HTMLResponse(HOST_PAGE.format(gateway=gateway_url))

    with LocalServer(Starlette(routes=[Route("/layanan", page)])) as server:
        yield server.url


@pytest.fixture
def page(browser: Browser, fake_rasa: FakeRasa) -> Iterator[Page]:
    """A phone-sized page in a fresh browser context (its own localStorage); fails the test
    on any JavaScript error."""
    context = browser.new_context(viewport=PHONE, locale="id-ID")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, errors


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The whole assistant (action server, Rasa with the trained model, gateway and its
    simulators) started by scripts/run, as tests/e2e starts it: for the bot's own flows."""
    from tests.e2e.conftest import MODEL

    if not MODEL.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"no trained model at {MODEL}: `make test` trains it first")
        pytest.skip(f"no trained model at {MODEL}: run `make train` first")
    settings = {"AW_RASA_TIMEOUT_SECONDS": "20"}  # a loaded 2-core machine too
    with running(MODEL, tmp_path_factory.mktemp("assistant"), env=settings) as started:
        yield started


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=path)
    return path
