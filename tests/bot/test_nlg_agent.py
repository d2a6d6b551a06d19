"""The fact generator inside the real Rasa agent: the trained model answers with registry values.

Needs the trained model (`make train`; `make test` trains before this step), like tests/model.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.core.agent import load_agent
from rasa.core.utils import AvailableEndpoints
from rasa.utils.endpoints import EndpointConfig

from knowledge import facts

MODEL = Path(__file__).parents[2] / "models" / "asisten-warga.tar.gz"


async def test_the_agent_answers_the_contributions_from_the_registry():
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: train it with `make train`")
    endpoints = AvailableEndpoints(nlg=EndpointConfig(type="bot.nlg.FactNaturalLanguageGenerator"))
    agent = await load_agent(model_path=str(MODEL), endpoints=endpoints)
    answers = await agent.handle_text("/health_bpjs_contribution", sender_id="nlg-agent-test")
    text = "\n".join(answer.get("text") or "" for answer in answers)
    for fact_id in ("bpjs.contribution.class1", "bpjs.contribution.class2", "bpjs.contribution.class3"):
        assert f": {facts.get(fact_id).text}" in text, text
    assert facts.get("bpjs.contribution.class1").basis in text
    assert "{" not in text, text
