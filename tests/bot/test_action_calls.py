"""bot/runtime/action_calls.py: the action server receives the same JSON document, with the
domain encoded once."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from rasa.utils.endpoints import EndpointConfig

from bot import runtime
from bot.runtime import action_calls

DOMAIN: dict[str, Any] = {
    "slots": {"nik": {"type": "text"}},
    "responses": {"utter_greet": [{"text": "Halo, Bapak/Ibu"}]},
}
PAYLOAD = {"next_action": "action_check", "sender_id": "a b", "tracker": {"events": []}, "domain": DOMAIN}


def test_the_body_is_the_same_document_and_the_domain_is_encoded_once() -> None:
    assert json.loads(action_calls.body(PAYLOAD)) == PAYLOAD
    first = action_calls._encoded
    assert json.loads(action_calls.body({**PAYLOAD, "sender_id": "c"})) == {**PAYLOAD, "sender_id": "c"}
    assert action_calls._encoded is first  # the same domain object: not encoded again
    other = {"slots": {}}
    assert json.loads(action_calls.body({"domain": other})) == {"domain": other}


async def test_the_action_server_receives_the_document(unused_tcp_port: int) -> None:
    runtime.install()
    received: list[Any] = []

    async def webhook(request: web.Request) -> web.Response:
        received.append((request.content_type, await request.json()))
        return web.json_response({"events": [], "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", unused_tcp_port).start()
    try:
        endpoint = EndpointConfig(f"http://127.0.0.1:{unused_tcp_port}/webhook")
        answer = await endpoint.request(json=PAYLOAD, method="post")
        plain = await endpoint.request(json={"no": "domain"}, method="post")
    finally:
        await runner.cleanup()
    assert answer == plain == {"events": [], "responses": []}
    assert received == [("application/json", PAYLOAD), ("application/json", {"no": "domain"})]
