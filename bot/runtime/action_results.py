"""Validate the action server's responses with one compiled validator.

Rasa 3.6 checks every custom action's response (`RemoteAction._validate_action_result`) with
`jsonschema.validate(result, schema)`, which first validates the *schema itself* against the
JSON Schema meta-schema and builds a new validator, on every call. Under load that was 61% of
the Rasa server's time (py-spy, 30 concurrent citizens). The schema is a constant, so it is
checked once and its validator reused: the same validation, with the same error message.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jsonschema import ValidationError, validators
from jsonschema.protocols import Validator
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@cache
def response_validator() -> Validator:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """`RemoteAction._validate_action_result` with the cached validator."""
    try:
        response_validator().validate(result)
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            "from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise
    return True


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
