"""bot/nlg.py inside Rasa: responses render the fact registry's values, built as endpoints*.yml say."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.core.nlg import NaturalLanguageGenerator
from rasa.core.utils import read_endpoints_from_path
from rasa.shared.core.domain import Domain
from rasa.shared.core.slots import TextSlot
from rasa.shared.core.trackers import DialogueStateTracker

from bot.nlg import FactNaturalLanguageGenerator
from knowledge import facts

ROOT = Path(__file__).parents[2]

DOMAIN = Domain.from_dict(
    {
        "slots": {"name": {"type": "text", "mappings": [{"type": "custom"}]}},
        "responses": {
            "utter_fee": [
                {"text": "Kelas I: {fact.bpjs.contribution.class1} ({basis.bpjs.contribution.class1})."}
            ],
            "utter_part": [{"text": "Peserta membayar {fact.bpjs.contribution.class3_split.member}."}],
            "utter_mixed": [
                {
                    "text": "Halo {name}, iuran {fact.bpjs.contribution.class2}.",
                    "buttons": [{"title": "Bayar {fact.bpjs.contribution.class2}", "payload": "/pay"}],
                }
            ],
        },
    }
)


def tracker(**slots: str) -> DialogueStateTracker:
    tracker = DialogueStateTracker("nlg-test", [TextSlot("name", mappings=[{"type": "custom"}])])
    for name, value in slots.items():
        tracker.slots[name].value = value
    return tracker


@pytest.mark.parametrize("endpoints", ["endpoints.yml", "endpoints.prod.yml"])
def test_endpoints_configure_the_fact_generator(endpoints, monkeypatch):
    for name in ("ACTION_SERVER_URL", "ACTION_SERVER_TOKEN", "TRACKER_DB_HOST", "TRACKER_DB_PORT",
                 "TRACKER_DB_USER", "TRACKER_DB_PASSWORD", "TRACKER_DB_NAME", "LOCK_STORE_REDIS_HOST",
                 "LOCK_STORE_REDIS_PORT", "LOCK_STORE_REDIS_DB", "EVENT_BROKER_HOST", "EVENT_BROKER_PORT",
                 "EVENT_BROKER_USERNAME", "EVENT_BROKER_PASSWORD", "EVENT_BROKER_QUEUE",
                 "EVENT_BROKER_EXCHANGE"):
        monkeypatch.setenv(name, "x")
    config = read_endpoints_from_path(ROOT / endpoints)
    nlg = NaturalLanguageGenerator.create(config.nlg, DOMAIN)
    assert type(nlg) is FactNaturalLanguageGenerator
    assert nlg.responses == DOMAIN.responses


async def test_a_response_renders_a_fact_and_its_basis(monkeypatch):
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "x")
    nlg = NaturalLanguageGenerator.create(read_endpoints_from_path(ROOT / "endpoints.yml").nlg, DOMAIN)
    message = await nlg.generate("utter_fee", tracker(), "rest")
    assert message["text"] == "Kelas I: Rp150.000 (Perpres 64/2020 Pasal 34)."
    part = await nlg.generate("utter_part", tracker(), "rest")
    assert part["text"] == "Peserta membayar Rp35.000."


async def test_slots_action_values_and_buttons_still_render():
    nlg = FactNaturalLanguageGenerator(domain=DOMAIN)
    message = await nlg.generate("utter_mixed", tracker(name="Sari"), "rest")
    assert message["text"] == "Halo Sari, iuran Rp100.000."
    assert message["buttons"][0]["title"] == "Bayar Rp100.000"
    # A value an action passes (utter_message(response=..., name=...)) fills its placeholder too.
    passed = await nlg.generate("utter_mixed", tracker(), "rest", name="Budi")
    assert passed["text"].startswith("Halo Budi,")


async def test_a_slot_cannot_shadow_a_fact():
    nlg = FactNaturalLanguageGenerator(domain=DOMAIN)
    message = await nlg.generate("utter_fee", tracker(), "rest", **{"fact.bpjs.contribution.class1": "Rp1"})
    assert facts.get("bpjs.contribution.class1").text in message["text"]


def test_every_fact_placeholder_in_the_domain_exists():
    """A misspelt {fact.x} would reach the citizen as literal braces: every placeholder must resolve."""
    import re

    values = facts.template_values()
    domain = Domain.load(str(ROOT / "domain"))
    for name, variants in domain.responses.items():
        for variant in variants:
            for placeholder in re.findall(r"\{((?:fact|basis)\.[^{}\n]+)\}", str(variant)):
                assert placeholder in values, f"{name}: unknown {{{placeholder}}}"
