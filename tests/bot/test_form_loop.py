"""bot/runtime/form_loop.py: on a form's happy path the policies skip their featurisation, and
the trained model's ensemble decides exactly as without the fix. Needs the trained model
(`make train`), like tests/bot/test_nlg_agent.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.core.agent import load_agent
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    Event,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import runtime
from bot.runtime import form_loop, rule_decided

MODEL = Path(__file__).parents[2] / "models" / "asisten-warga.tar.gz"
FORM = "bpjs_status_form"


def user(intent: str, text: str, entities: list[dict[str, Any]] | None = None) -> UserUttered:
    parse = {"intent": {"name": intent, "confidence": 0.95}, "entities": entities or [], "text": text}
    return UserUttered(text, parse["intent"], entities or [], parse)


OPENING: list[Event] = [
    ActionExecuted("action_session_start"),
    ActionExecuted("action_listen"),
    user("health_bpjs_status", "kartu bpjs saya masih aktif?"),
]
IN_FORM: list[Event] = [
    *OPENING,
    ActionExecuted(FORM),
    ActiveLoop(FORM),
    SlotSet("requested_slot", "nik"),
    ActionExecuted("action_listen"),
    user("inform", "3201012345670001", [{"entity": "nik", "value": "3201012345670001"}]),
]
CASES = {
    "the citizen answers the form": (IN_FORM, True),
    "the form has just run": ([*IN_FORM, SlotSet("nik", "3201012345670001"), ActionExecuted(FORM)], True),
    "the form rejected the answer": ([*IN_FORM, ActionExecutionRejected(FORM)], False),
    "before the form starts": (OPENING, False),
    "a default action's intent inside the form": ([*IN_FORM[:-1], user("restart", "/restart")], False),
}


async def test_the_ensemble_decides_as_without_the_fix():
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: train it with `make train`")
    runtime.install()
    endpoints = AvailableEndpoints(nlg=EndpointConfig(type="bot.nlg.FactNaturalLanguageGenerator"))
    agent = await load_agent(model_path=str(MODEL), endpoints=endpoints)
    assert agent.processor is not None and form_loop._rule_policies_loaded
    calls: list[str] = []
    rule_decided.enabled = False  # it sets TED aside on the form path too: tests/bot/test_rule_decided.py
    ted = form_loop._originals["ted"]
    form_loop._originals["ted"] = lambda *args, **kwargs: calls.append("ted") or ted(*args, **kwargs)
    try:
        for name, (events, decided) in CASES.items():
            tracker = DialogueStateTracker.from_events(f"form-loop-{name}", events, agent.domain.slots)
            assert (form_loop.decided_by_form(tracker) is not None) is decided, name
            predictions = {}
            for use_fix in (False, True):
                form_loop.enabled = use_fix
                calls.clear()
                prediction = agent.processor._predict_next_with_tracker(tracker)
                predictions[use_fix] = (
                    agent.domain.action_names_or_texts[prediction.max_confidence_index],
                    prediction.policy_name,
                    prediction.max_confidence,
                    prediction.is_no_user_prediction,
                    prediction.events,
                )
                assert calls == ([] if use_fix and decided else ["ted"]), name
            assert predictions[True] == predictions[False], name
    finally:
        form_loop._originals["ted"] = ted
        form_loop.enabled = True
        rule_decided.enabled = True
