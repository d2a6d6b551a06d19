"""bot.runtime: the action-result validation Rasa uses once our components are imported."""

from unittest import mock

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

import bot.nlu  # noqa: F401  (installs bot.runtime, as Rasa's import of our components does)
from bot.runtime import action_results

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
