"""NLU as citizens meet it: the held-out split through the trained model's whole pipeline,
the FallbackClassifier included.

`rasa test nlu` (test_nlu_evaluation.py) scores the intent before the fallback: a message that
the fallback turns into "not understood" counts there as understood. Here every message of
tests/nlu/ is parsed as the Rasa server parses it (`Agent.parse_message`), and:

- accuracy: the intent the assistant acts on is the message's intent; a fallback is a miss,
  for an out-of-scope message too;
- out-of-scope handling: an out-of-scope message gets the out-of-scope answer or the
  fallback's, never a service.

The floors sit a little under the values measured in docs/nlu.md; the reports of a run are
kept in var/reports/nlu-test-split/as_citizens_meet_it.json.
"""

import asyncio
import json
from collections import Counter
from dataclasses import dataclass

import pytest
from rasa.core.agent import Agent
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.training_data.loading import load_data

from tests.model.conftest import ROOT

ACCURACY_FLOOR = 0.925
OUT_OF_SCOPE_HANDLED_FLOOR = 0.88
OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class Parse:
    text: str
    intent: str  # as labelled in tests/nlu/
    acted_on: str  # what the assistant acts on: an intent, or nlu_fallback

    @property
    def fallback(self) -> bool:
        return self.acted_on == DEFAULT_NLU_FALLBACK_INTENT_NAME


async def _parse_all(agent: Agent, examples: list[tuple[str, str]]) -> list[Parse]:
    return [
        Parse(text, intent, (await agent.parse_message(text))["intent"]["name"]) for text, intent in examples
    ]


@pytest.fixture(scope="module")
def parses(model) -> list[Parse]:
    held_out = load_data(str(ROOT / "tests" / "nlu")).intent_examples
    examples = [(message.get("text"), message.get("intent")) for message in held_out]
    results = asyncio.run(_parse_all(Agent.load(str(model)), examples))
    kept = ROOT / "var" / "reports" / "nlu-test-split"
    kept.mkdir(parents=True, exist_ok=True)
    summary = {"messages": len(results), **measures(results)}
    # Counts of (labelled, acted on), never the messages: the split is held out (docs/nlu.md).
    (kept / "as_citizens_meet_it.json").write_text(
        json.dumps({**summary, "misses": misses(results)}, indent=1)
    )
    return results


def misses(parses: list[Parse]) -> dict[str, int]:
    """How often each labelled intent was acted on as another: "intent -> acted on": count."""
    return dict(
        Counter(f"{p.intent} -> {p.acted_on}" for p in parses if p.acted_on != p.intent).most_common()
    )


def measures(parses: list[Parse]) -> dict[str, float | int]:
    out_of_scope = [p for p in parses if p.intent == OUT_OF_SCOPE]
    return {
        "accuracy": sum(p.acted_on == p.intent for p in parses) / len(parses),
        "fallbacks": sum(p.fallback for p in parses),
        "fallbacks_in_scope": sum(p.fallback for p in parses if p.intent != OUT_OF_SCOPE),
        "out_of_scope_handled": sum(p.fallback or p.acted_on == OUT_OF_SCOPE for p in out_of_scope)
        / len(out_of_scope),
    }


def test_accuracy_as_citizens_meet_it(parses):
    assert measures(parses)["accuracy"] >= ACCURACY_FLOOR, misses(parses)


def test_out_of_scope_handling_as_citizens_meet_it(parses):
    served = misses([p for p in parses if p.intent == OUT_OF_SCOPE])
    assert measures(parses)["out_of_scope_handled"] >= OUT_OF_SCOPE_HANDLED_FLOOR, served


def test_the_fallback_is_part_of_the_pipeline_under_test(parses):
    # Without the FallbackClassifier the floors above would measure `rasa test nlu` again.
    assert measures(parses)["fallbacks"] > 0
