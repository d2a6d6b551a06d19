"""bot/runtime/rule_matching.py: the same rules match as with Rasa's own walk over every state."""

from __future__ import annotations

import json
import random
from typing import Any

from rasa.core.policies.rule_policy import RulePolicy

from bot import runtime
from bot.runtime import rule_matching

INTENTS = ("greet", "inform", "cancel", "affirm")
ACTIONS = ("action_listen", "utter_greet", "bpjs_status_form", "action_handle_miss")


def state(rng: random.Random, start: bool = False) -> dict[str, Any]:
    if start:
        return {}  # a conversation's start (a rule with conversation_start: true)
    found: dict[str, Any] = {"prev_action": {"action_name": rng.choice(ACTIONS)}}
    if rng.random() < 0.6:
        found["user"] = {"intent": rng.choice(INTENTS)}
    if rng.random() < 0.3:
        found["active_loop"] = {"name": "bpjs_status_form"}
    return found


def test_the_same_rules_match_on_random_rules_and_conversations() -> None:
    runtime.install()
    rng = random.Random(7)
    policy = RulePolicy.__new__(RulePolicy)  # the matching uses no trained state
    rules = {}
    matched = 0
    for _ in range(300):
        length = rng.randint(1, 6)
        rule = [state(rng, start=rng.random() < 0.1)] + [state(rng) for _ in range(length - 1)]
        rules[json.dumps(rule, sort_keys=True)] = "utter_greet"
    for _ in range(300):
        conversation = [state(rng)] + [state(rng) for _ in range(rng.randint(0, 40))]
        # Rules made to match its tail, so that some survive the walk.
        for length in (1, 3, 6):
            rules.setdefault(json.dumps(conversation[-length:], sort_keys=True), "utter_greet")
        ours = rule_matching.get_possible_keys(policy, rules, conversation)
        rasas = rule_matching._originals["keys"](policy, rules, conversation)
        assert ours == rasas
        matched += bool(ours)
    assert matched == 300  # every conversation matched some rules (its own tail at least)
    assert RulePolicy._rule_key_to_state(next(iter(rules))) is RulePolicy._rule_key_to_state(
        next(iter(rules))
    )
