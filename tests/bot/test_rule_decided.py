"""bot/runtime/rule_decided.py: where a rule has decided, TED and memoization do not run, and
the trained model's ensemble decides exactly as without the fix. Needs the trained model
(`make train`), like tests/bot/test_form_loop.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.core.agent import load_agent
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.events import ActionExecuted, ActionExecutionRejected, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import runtime
from bot.runtime import rule_decided

MODEL = Path(__file__).parents[2] / "models" / "asisten-warga.tar.gz"


def user(intent: str, text: str, confidence: float = 0.95) -> UserUttered:
    parse = {"intent": {"name": intent, "confidence": confidence}, "entities": [], "text": text}
    return UserUttered(text, parse["intent"], [], parse)


START: list[Event] = [ActionExecuted("action_session_start"), ActionExecuted("action_listen")]
GREETED: list[Event] = [*START, user("greet", "halo")]
# name: (events, whether a rule decides the next action)
CASES = {
    "a greeting (rule: greeting shows the menu)": (GREETED, True),
    "the rule's next step": ([*GREETED, ActionExecuted("utter_greet")], True),
    "after the rule, wait for the citizen": (
        [*GREETED, ActionExecuted("utter_greet"), ActionExecuted("action_show_menu")],
        True,
    ),
    "a fee question": ([*START, user("police_sim_fee", "berapa biaya sim")], True),
    "the NLU's fallback": ([*START, user("nlu_fallback", "asdfgh", 0.2)], True),
    "an answer outside any form": ([*START, user("inform", "jakarta selatan")], True),
    "an action no rule follows": ([*GREETED, ActionExecuted("utter_thanks")], False),
    "a rejected action": ([*GREETED, ActionExecutionRejected("utter_greet")], False),
}


def _outcome(agent: Any, tracker: DialogueStateTracker) -> tuple[Any, ...]:
    prediction = agent.processor._predict_next_with_tracker(tracker)
    return (
        agent.domain.action_names_or_texts[prediction.max_confidence_index],
        prediction.policy_name,
        prediction.max_confidence,
        prediction.is_no_user_prediction,
        prediction.is_end_to_end_prediction,
        prediction.events,
        prediction.optional_events,
        prediction.hide_rule_turn,
    )


async def test_the_ensemble_decides_as_without_the_fix_and_ted_runs_only_where_rules_abstain():
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: train it with `make train`")
    runtime.install()
    endpoints = AvailableEndpoints(nlg=EndpointConfig(type="bot.nlg.FactNaturalLanguageGenerator"))
    agent = await load_agent(model_path=str(MODEL), endpoints=endpoints)
    assert agent.processor is not None
    calls: list[str] = []
    originals = dict(rule_decided._originals)

    def counting(name: str) -> Any:
        return lambda *args, **kwargs: calls.append(name) or originals[name](*args, **kwargs)

    rule_decided._originals.update(ted=counting("ted"), memo=counting("memo"))
    try:
        for name, (events, decided) in CASES.items():
            tracker = DialogueStateTracker.from_events(f"rule-decided-{name}", events, agent.domain.slots)
            outcomes = {}
            for use_fix in (False, True):
                rule_decided.enabled = use_fix
                calls.clear()
                outcomes[use_fix] = _outcome(agent, tracker)
                # The graph runs the RulePolicy before the other two, so the fix saves their work.
                expected = [] if use_fix and decided else ["memo", "ted"]
                assert sorted(calls) == expected, name
            assert outcomes[True] == outcomes[False], name
            assert (outcomes[False][1] == "RulePolicy" and outcomes[False][2] == 1.0) is decided, name
    finally:
        rule_decided._originals.update(originals)
        rule_decided.enabled = True
