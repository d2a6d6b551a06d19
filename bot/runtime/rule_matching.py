"""The RulePolicy stops matching a conversation's states where no remaining rule reaches.

Rasa 3.6's `RulePolicy._get_possible_keys` filters every rule against every state of the
tracker, newest first, although a rule only looks back as many states as it has: past its
length `_is_rule_applicable` answers True. Here the walk stops once every rule left is that
short (the same set of rules), and the rules' states are parsed once each (Rasa keeps 1,000
parsed keys, fewer than the rules of this assistant, so it parsed them again on every turn).
The RulePolicy's matching was 20% of the Rasa server's busy time (bench/findings.md, round 8).
"""

from __future__ import annotations

import json
from typing import Any

from rasa.core.policies.rule_policy import RulePolicy

_originals: dict[str, Any] = {}
_parsed: dict[str, list[dict[str, Any]]] = {}


def rule_key_to_state(rule_key: str) -> list[dict[str, Any]]:
    """`RulePolicy._rule_key_to_state`, parsing each key once (callers only read the states)."""
    states = _parsed.get(rule_key)
    if states is None:
        states = _parsed[rule_key] = json.loads(rule_key)
    return states


def get_possible_keys(self: RulePolicy, lookup: dict[str, str], states: list[dict[str, Any]]) -> set[str]:
    """`RulePolicy._get_possible_keys`, stopping where every rule left is shorter than the
    states already matched."""
    possible_keys = set(lookup.keys())
    for index, state in enumerate(reversed(states)):
        possible_keys = {key for key in possible_keys if self._is_rule_applicable(key, index, state)}
        if all(len(rule_key_to_state(key)) <= index + 1 for key in possible_keys):
            break  # from here on `_is_rule_applicable` is True for every one of them
    return possible_keys


def install() -> None:
    if not _originals:  # Rasa's own methods, also when installed again
        _originals.update(keys=RulePolicy._get_possible_keys, key_to_state=RulePolicy._rule_key_to_state)
    RulePolicy._get_possible_keys = get_possible_keys  # type: ignore[method-assign]
    RulePolicy._rule_key_to_state = staticmethod(rule_key_to_state)  # type: ignore[assignment,method-assign]
