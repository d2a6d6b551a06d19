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

from typing import Any

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

from knowledge import Registry, facts


class FactNaturalLanguageGenerator(TemplatedNaturalLanguageGenerator):
    """TemplatedNaturalLanguageGenerator whose templates also see every `fact.*` and `basis.*`."""

    def __init__(
        self,
        endpoint_config: EndpointConfig | None = None,
        domain: Domain | None = None,
        registry: Registry | None = None,
    ) -> None:
        super().__init__((domain or Domain.empty()).responses)
        self.fact_values = (registry or facts).template_values()

    def _fill_response(
        self, response: dict[str, Any], filled_slots: dict[str, Any] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        return super()._fill_response(response, filled_slots, **{**kwargs, **self.fact_values})
