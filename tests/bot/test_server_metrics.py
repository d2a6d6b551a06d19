"""bot.runtime.server_metrics: the Rasa server's `/metrics`, behind Rasa's API token, with every
request timed by route name (never by path) and status class."""

from __future__ import annotations

import socket
from typing import Any

import aiohttp
import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Sanic

from bot.runtime import fail_closed, server_metrics

TOKEN = "token-api-rasa-untuk-metrik"


@pytest.fixture(autouse=True)
def _sanic_test_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Sanic, "test_mode", True)
    monkeypatch.setattr(RestInput, "blueprint", fail_closed.blueprint)


def instrumented(token: str | None) -> Sanic:
    async def answers(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, "Halo!")

    app = Sanic(f"server_metrics_{id(answers)}")
    app.blueprint(RestInput().blueprint(answers), url_prefix="/webhooks/rest")
    server_metrics.instrument(app, token)
    return app


async def served(app: Sanic, *calls: tuple[str, str, dict[str, Any]]) -> list[tuple[int, str]]:
    """The calls (method, path, aiohttp keywords) to `app` on a free port, in order."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    answers = []
    try:
        async with aiohttp.ClientSession() as client:
            for method, path, options in calls:
                async with client.request(method, f"http://127.0.0.1:{port}{path}", **options) as reply:
                    answers.append((reply.status, await reply.text()))
    finally:
        await server.close()
    return answers


async def test_turns_are_timed_and_metrics_need_the_token() -> None:
    app = instrumented(TOKEN)
    turn = {"json": {"sender": "warga-1", "message": "halo"}}
    bearer = {"headers": {"Authorization": f"Bearer {TOKEN}"}}
    answers = await served(
        app,
        ("post", "/webhooks/rest/webhook", turn),
        ("post", "/webhooks/rest/webhook", turn),
        ("get", "/metrics", {}),
        ("get", "/metrics", {"headers": {"Authorization": "Bearer salah"}}),
        ("get", "/metrics", bearer),
    )
    assert [status for status, _ in answers] == [200, 200, 401, 401, 200]
    scraped = answers[-1][1]
    webhook = [
        line for line in scraped.splitlines() if line.startswith("aw_rasa_server_request_seconds_count")
    ]
    assert len(webhook) == 1 and 'status="2xx"' in webhook[0] and webhook[0].endswith(" 2.0")
    assert "warga-1" not in scraped and "/webhooks/rest/webhook" not in scraped  # names, not paths
    assert "process_resident_memory_bytes" in scraped


async def test_without_a_token_metrics_are_as_open_as_rasas_api() -> None:
    [(status, body)] = await served(instrumented(None), ("get", "/metrics", {}))
    assert status == 200 and "aw_rasa_server_request_seconds" in body


def test_the_wrapper_reads_the_auth_token_however_rasa_passes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str | None] = []
    monkeypatch.setattr(server_metrics, "instrument", lambda app, token: seen.append(token))

    def configure_app(input_channels: Any = None, cors: Any = None, auth_token: str | None = None) -> Any:
        return object()

    configure = server_metrics.with_metrics(configure_app)
    configure([], None, TOKEN)  # positionally, as rasa.core.run.serve_application does
    configure(auth_token="lain")
    configure()
    assert seen == [TOKEN, "lain", None]
    assert getattr(configure, server_metrics._WRAPPED)
