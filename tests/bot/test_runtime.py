"""bot.runtime: the fixes Rasa uses once our components are imported (action-result
validation, kept-alive connections to the action server)."""

from collections.abc import AsyncIterator
from unittest import mock

import jsonschema
import pytest
from aiohttp import web
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

import bot.nlu  # noqa: F401  (installs bot.runtime, as Rasa's import of our components does)
from bot.runtime import action_results, endpoint_connections

VALID = {
    "events": [{"event": "slot", "name": "nik", "value": "3273014508950001"}],
    "responses": [{"text": "Baik.", "buttons": [{"title": "Ya", "payload": "/affirm"}]}],
}


def _action() -> RemoteAction:
    return RemoteAction("action_check", None)


def test_installed_on_rasas_remote_action() -> None:
    assert RemoteAction._validate_action_result is action_results.validate_action_result


def test_accepts_what_rasa_accepts() -> None:
    assert _action()._validate_action_result(VALID) is True
    jsonschema.validate(VALID, RemoteAction.action_response_format_spec())  # Rasa's own check


@pytest.mark.parametrize(
    "result",
    [
        {"events": [{"name": "nik"}], "responses": []},  # an event without its type
        {"events": "not a list", "responses": []},
        {"events": [], "responses": "not a list"},
    ],
)
def test_refuses_what_rasa_refuses_with_rasas_message(result: dict) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        _action()._validate_action_result(result)


def test_the_schema_is_checked_once() -> None:
    action_results.response_validator.cache_clear()
    validator_class = jsonschema.validators.validator_for(RemoteAction.action_response_format_spec())
    with mock.patch.object(validator_class, "check_schema", wraps=validator_class.check_schema) as check:
        for _ in range(5):
            _action()._validate_action_result(VALID)
    assert check.call_count == 1


@pytest.fixture
async def action_server() -> AsyncIterator[tuple[str, list[dict]]]:
    """A stand-in action server on a free port: its URL and what each request carried."""
    seen: list[dict] = []

    async def webhook(request: web.Request) -> web.Response:
        seen.append(
            {
                "peer": request.transport.get_extra_info("peername"),
                "authorization": request.headers.get("Authorization"),
                "token": request.query.get("token"),
                "body": await request.json(),
            }
        )
        return web.json_response({"events": [], "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}/webhook", seen
    await runner.cleanup()


async def test_calls_to_the_action_server_share_one_kept_alive_connection(action_server) -> None:
    url, seen = action_server
    endpoint = EndpointConfig(url, token="secret", basic_auth={"username": "rasa", "password": "pw"})
    answers = [await endpoint.request(json={"next_action": f"action_{n}"}) for n in range(3)]

    assert answers == [{"events": [], "responses": []}] * 3
    assert [request["body"]["next_action"] for request in seen] == ["action_0", "action_1", "action_2"]
    assert len({request["peer"] for request in seen}) == 1  # one connection, not three
    assert {request["token"] for request in seen} == {"secret"}
    assert all(request["authorization"].startswith("Basic ") for request in seen)
    await endpoint_connections.connection_pool().close()


async def test_one_pool_per_event_loop_replaced_once_closed() -> None:
    pool = endpoint_connections.connection_pool()
    assert endpoint_connections.connection_pool() is pool
    assert pool._keepalive_timeout == endpoint_connections.IDLE_SECONDS
    await pool.close()
    assert endpoint_connections.connection_pool() is not pool  # a closed pool is replaced
