"""House rules for the domain's responses (the answers citizens read)."""

from __future__ import annotations

import re

from rasa_sdk.types import DomainDict

LEGAL_BASIS = re.compile(r"\b(UU|PP|Perpres|Permendikdasmen|PMK|Persesjen Kemendikdasmen) \d+/\d{4}")
# Not years (19xx), plates ("B 1234 XYZ"), durations or lengths.
PHONE_NUMBERS = re.compile(r"\b0\d{9,12}\b|(?<![A-Z] )\b1(?!9\d\d\b)\d{2,3}\b(?! hari| karakter)")
KNOWN_NUMBERS = {"08118750400", "165", "1708"}  # from services.md: CHIKA, BPJS care centre, LAPOR! SMS


def _texts(domain: DomainDict) -> dict[str, str]:
    # A `custom` response (a contact request) words its text inside. Facts rendered as bot/nlg.py does.
    from rasa.core.nlg.interpolator import interpolate_text

    from knowledge import facts

    class Facts(dict):  # facts filled in; an action's own {placeholders} kept as they are
        def __missing__(self, key: str) -> str:
            return f"{{{key}}}"

    values = Facts(facts.template_values())
    return {
        name: interpolate_text(variant.get("text") or (variant.get("custom") or {}).get("text", ""), values)
        for name, variants in domain["responses"].items()
        for variant in variants
    }


def test_every_fee_names_its_legal_basis(domain: DomainDict) -> None:
    for name, text in _texts(domain).items():
        if "Rp" in text:
            assert LEGAL_BASIS.search(text), f"{name} quotes a fee without its legal basis"


def test_only_known_contact_numbers_are_given(domain: DomainDict) -> None:
    for name, text in _texts(domain).items():
        for number in PHONE_NUMBERS.findall(text):
            assert number in KNOWN_NUMBERS, f"{name} gives an unknown number {number}"


def test_buttons_send_known_intents(domain: DomainDict) -> None:
    intents = {intent if isinstance(intent, str) else next(iter(intent)) for intent in domain["intents"]}
    for name, variants in domain["responses"].items():
        for variant in variants:
            for button in variant.get("buttons", []):
                intent = button["payload"].lstrip("/").split("{")[0]
                assert intent in intents, f"{name}: button {button['title']} sends unknown {intent}"
