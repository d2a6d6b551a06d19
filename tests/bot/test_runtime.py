"""bot.runtime: the fixes Rasa uses once bot.server has installed them (action-result
validation, kept-alive connections to the action server, failing closed: tests/bot/test_fail_closed.py),
and that entry point."""

import argparse
import json
import logging
import os
import subprocess
import sys
import tarfile
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from unittest import mock

import jsonschema
import pytest
from aiohttp import web
from rasa import version
from rasa.cli import run as rasa_run
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent
from rasa.core.channels.rest import RestInput
from rasa.engine.graph import GraphSchema
from rasa.engine.storage.storage import ModelMetadata
from rasa.plugin import plugin_manager
from rasa.shared.core.domain import Domain
from rasa.shared.data import TrainingType
from rasa.utils.endpoints import EndpointConfig

from bot import runtime, server
from bot.runtime import action_results, endpoint_connections, fail_closed

ROOT = Path(__file__).parents[2]
RASAS_OWN = {
    (RemoteAction, "_validate_action_result"): RemoteAction._validate_action_result,
    (EndpointConfig, "session"): EndpointConfig.session,
    (Agent, "_create_tracker_store"): Agent.__dict__["_create_tracker_store"],  # a staticmethod
    (RestInput, "blueprint"): RestInput.blueprint,
}  # before any fix is installed: no module of ours replaces them when imported
runtime.install()  # as bot.server does when Rasa starts

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


@pytest.fixture
def rasas_own_code(monkeypatch):
    """Rasa's own methods back in place for one test (the fixes return after it)."""
    for (owner, name), method in RASAS_OWN.items():
        monkeypatch.setattr(owner, name, method)


def installed() -> bool:
    return (
        RemoteAction._validate_action_result is action_results.validate_action_result
        and EndpointConfig.session is endpoint_connections.session
        and Agent._create_tracker_store is fail_closed.create_tracker_store
        and RestInput.blueprint is fail_closed.blueprint
    )


def test_importing_our_modules_installs_nothing():
    assert RASAS_OWN[(RemoteAction, "_validate_action_result")] is not action_results.validate_action_result
    assert RASAS_OWN[(EndpointConfig, "session")] is not endpoint_connections.session
    assert RASAS_OWN[(RestInput, "blueprint")] is not fail_closed.blueprint


def test_install_on_the_rasa_version_the_fixes_were_written_for_says_so(rasas_own_code, caplog):
    assert version.__version__.startswith(f"{runtime.WRITTEN_FOR}.")
    with caplog.at_level(logging.INFO, logger="bot.runtime"):
        assert runtime.install() is True
    assert installed()
    assert f"Runtime fixes installed on Rasa {version.__version__}" in caplog.text
    fixes = (
        "bot.runtime.action_results, bot.runtime.action_calls, bot.runtime.endpoint_connections, "
        "bot.runtime.event_types, bot.runtime.fail_closed, bot.runtime.form_loop, "
        "bot.runtime.rule_decided, bot.runtime.redis_lock, bot.runtime.rule_matching, "
        "bot.runtime.server_metrics, bot.runtime.slot_copies"
    )
    assert fixes in caplog.text


def test_on_another_rasa_version_rasas_code_stays_with_a_warning(rasas_own_code, monkeypatch, caplog):
    monkeypatch.setattr(version, "__version__", "3.7.0")
    with caplog.at_level(logging.INFO, logger="bot.runtime"):
        assert runtime.install() is False
    assert not installed()
    assert [record.levelname for record in caplog.records] == ["WARNING"]
    assert "Rasa 3.7.0" in caplog.text and "NOT installed" in caplog.text


def model_archive(folder: Path, training_type: TrainingType) -> Path:
    """A model archive with only its metadata: what the entry point reads before Rasa loads it."""
    metadata = ModelMetadata(
        trained_at=datetime(2026, 12, 7, 9, 0), rasa_open_source_version=version.__version__,
        model_id=uuid.uuid4().hex, assistant_id="asisten-warga", domain=Domain.empty(),
        train_schema=GraphSchema({}), predict_schema=GraphSchema({}), project_fingerprint="",
        core_target=None, nlu_target="run_RegexMessageHandler", language="id",
        training_type=training_type,
    )  # fmt: skip
    (folder / "metadata.json").write_text(json.dumps(metadata.as_dict()))
    archive = folder / f"{training_type.model_type}.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder / "metadata.json", arcname="metadata.json")
    return archive


def test_the_entry_point_installs_the_fixes_when_rasa_has_read_its_command_line(rasas_own_code):
    plugin_manager().register(server)
    try:
        plugin_manager().hook.configure_commandline(cmdline_arguments=argparse.Namespace())
    finally:
        plugin_manager().unregister(server)
    assert installed()


def test_the_server_serves_a_model_with_dialogue_and_refuses_an_nlu_only_one(tmp_path, caplog):
    whole = model_archive(tmp_path, TrainingType.BOTH)
    nlu_only = model_archive(tmp_path, TrainingType.NLU)
    with caplog.at_level(logging.INFO, logger="bot.server"):
        assert server.check_model(str(whole), project=tmp_path) == str(whole)
    assert f"Serving {whole}, trained at 2026-12-07T09:00:00." in caplog.text
    with pytest.raises(server.ModelWithoutDialogue, match="without dialogue"):
        server.configure_commandline(argparse.Namespace(func=rasa_run.run, model=str(nlu_only)))
    assert server.configure_commandline(argparse.Namespace(func=rasa_run.run_actions, model=None)) is None


def test_the_server_refuses_a_model_older_than_what_it_is_trained_from(tmp_path):
    model = model_archive(tmp_path, TrainingType.BOTH)
    (tmp_path / "domain").mkdir()
    for name in ("config.yml", "domain/health.yml", "notes.md"):
        (tmp_path / name).write_text("")
        os.utime(tmp_path / name, (model.stat().st_mtime - 60,) * 2)
    assert server.check_model(str(model), project=tmp_path) == str(model)

    os.utime(tmp_path / "notes.md")  # not read by `rasa train`
    assert server.check_model(str(model), project=tmp_path) == str(model)
    os.utime(tmp_path / "domain/health.yml")
    with pytest.raises(server.ModelOutOfDate, match=r"domain/health.yml changed after .* `make train`"):
        server.check_model(str(model), project=tmp_path)


def test_rasa_started_through_the_entry_point_logs_the_fixes_and_refuses_an_nlu_only_model(tmp_path):
    nlu_only = model_archive(tmp_path, TrainingType.NLU)
    started = subprocess.run(
        [sys.executable, "-m", "bot.server", "run", "--model", str(nlu_only), "--port", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    output = started.stdout + started.stderr
    assert started.returncode == 1, output[-3000:]
    assert f"Runtime fixes installed on Rasa {version.__version__}" in output
    assert "ModelWithoutDialogue" in output and "without dialogue (nlu only)" in output
