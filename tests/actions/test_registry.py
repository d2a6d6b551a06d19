"""The action server finds every custom action the domain names."""

from __future__ import annotations

from rasa_sdk.executor import ActionExecutor
from rasa_sdk.types import DomainDict


def test_register_package_finds_every_domain_action(domain: DomainDict) -> None:
    executor = ActionExecutor()
    executor.register_package("actions")

    custom = {name for name in domain["actions"] if not name.startswith("utter_")}
    assert custom == {"action_show_menu", "action_handle_miss", "action_validate_slot_mappings"}
    assert custom <= set(executor.actions)
