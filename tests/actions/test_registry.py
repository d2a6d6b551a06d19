"""The action server finds every custom action the domain names."""

from __future__ import annotations

from rasa_sdk.executor import ActionExecutor
from rasa_sdk.types import DomainDict

from actions.conversation import WRAPPED


def test_register_package_finds_every_domain_action(domain: DomainDict) -> None:
    executor = ActionExecutor()
    executor.register_package("actions")

    custom = {name for name in domain["actions"] if not name.startswith("utter_")}
    assert {"action_show_menu", "action_handle_miss", "action_validate_slot_mappings"} <= custom
    assert custom <= set(executor.actions), custom - set(executor.actions)


def test_every_form_has_its_validation_action(domain: DomainDict) -> None:
    executor = ActionExecutor()
    executor.register_package("actions")

    missing = {f"validate_{form}" for form in domain["forms"]} - set(executor.actions)
    assert not missing, missing


def test_every_action_runs_in_its_conversation() -> None:
    """Each registered run sets the conversation its gateway calls name (actions/conversation.py):
    every action derives from the bases there, not from rasa-sdk's directly."""
    executor = ActionExecutor()
    executor.register_package("actions")

    plain = {name for name, run in executor.actions.items() if not getattr(run, WRAPPED, False)}
    assert not plain, plain
