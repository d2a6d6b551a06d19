"""Which of the nine services an intent belongs to: the call center's team keys
(api/callcenter/teams.py), so that hand-offs (by team) and conversations (by intent) share
one filter. An intent of no service (greetings, the menu, misses) belongs to none."""

from __future__ import annotations

GENERAL = "general"
# Intent prefix → service (the intent names are a contract: docs/nlu-data.md).
PREFIXES: dict[str, str] = {
    "health_": "health",
    "edu_": "education",
    "bansos_": "social",
    "id_": "identity",
    "data_": "satudata",
    "pay_": "payments",
    "complaint_": "complaints",
    "asn_": "asn",
    "police_": "police",
}
SERVICES: tuple[str, ...] = (*PREFIXES.values(), GENERAL)


def service_of(intent: str | None) -> str | None:
    """The service of `intent`, or None when it names none."""
    if intent:
        for prefix, service in PREFIXES.items():
            if intent.startswith(prefix):
                return service
    return None
