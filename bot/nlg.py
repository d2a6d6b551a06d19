"""Rasa's response generator with the fact registry's values (issue 17).

Responses in domain/ write a fact as `{fact.<id>}` (its value in Indonesian, e.g. "Rp150.000 per
orang per bulan", with a caveat when unverified), a table entry as `{fact.<id>.<key>}`, and its
legal basis as `{basis.<id>}` ("Perpres 64/2020 Pasal 34"). Rasa builds this generator from
endpoints*.yml (`nlg: type: bot.nlg.FactNaturalLanguageGenerator`) as `cls(endpoint_config=...,
domain=...)`; responses that actions send by name (`utter_message(response=...)`) come here too.
Slots and the values an action passes fill the other placeholders, as in Rasa's own generator;
they cannot shadow a fact.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import assistant_topics, offices
from knowledge import Registry, facts

# A placeholder as Rasa's interpolator reads it (rasa.core.nlg.interpolator.interpolate_text).
PLACEHOLDER = re.compile(r"{([^\n{}]+?)}")


class FactNaturalLanguageGenerator(TemplatedNaturalLanguageGenerator):
    """TemplatedNaturalLanguageGenerator whose templates also see every `fact.*` and `basis.*`.

    Each response gets only the facts its variations name, found once at start-up: merging all
    of the registry's values into every response's variables cost each rendered response a copy
    of a few hundred entries."""

    def __init__(
        self,
        endpoint_config: EndpointConfig | None = None,
        domain: Domain | None = None,
        registry: Registry | None = None,
    ) -> None:
        self.fact_values = (registry or facts).template_values()
        super().__init__((domain or Domain.empty()).responses)

    @property  # type: ignore[override]
    def responses(self) -> dict[str, list[dict[str, Any]]]:
        return self._responses

    @responses.setter
    def responses(self, responses: dict[str, list[dict[str, Any]]]) -> None:
        """Also set by Rasa's agent once the model's domain is loaded (rasa.core.agent)."""
        self._responses = responses
        self._facts_of = {
            name: {key: self.fact_values[key] for key in _placeholders(variations) if key in self.fact_values}
            for name, variations in responses.items()
        }

    async def generate(
        self, utter_action: str, tracker: DialogueStateTracker, output_channel: str, **kwargs: Any
    ) -> dict[str, Any] | None:
        """`utter_office_info` is worded for the office the latest message names (bot/offices.py),
        `utter_assistant_info` for the topic it asks about (bot/assistant_topics.py)."""
        if utter_action == assistant_topics.RESPONSE:
            message = tracker.latest_message
            utter_action = assistant_topics.response_for(message.text if message else None)
        elif utter_action == offices.RESPONSE:
            message = tracker.latest_message
            utter_action, values = offices.response_for(
                message.text if message else None, message.entities if message else ()
            )
            kwargs = {**values, **kwargs}
        return await super().generate(utter_action, tracker, output_channel, **kwargs)

    def generate_from_slots(
        self, utter_action: str, filled_slots: dict[str, Any], output_channel: str, **kwargs: Any
    ) -> dict[str, Any] | None:
        facts_used = self._facts_of.get(utter_action)
        if facts_used:  # after the values passed: a slot or an action's value cannot shadow a fact
            kwargs = {**kwargs, **facts_used}
        return super().generate_from_slots(utter_action, filled_slots, output_channel, **kwargs)


def _placeholders(value: Any) -> Iterator[str]:
    """Every placeholder in the strings of a response's variations (text, buttons, custom...)."""
    if isinstance(value, str):
        yield from PLACEHOLDER.findall(value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _placeholders(item)
    elif isinstance(value, list):
        for item in value:
            yield from _placeholders(item)
