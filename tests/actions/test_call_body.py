"""Action calls parsed with the domain reused (actions/call_body.py): the same document as a
full parse, for the bodies the Rasa server writes (bot/runtime/action_calls.py) and any other."""

from __future__ import annotations

import json
from typing import Any

from actions.call_body import DomainReuse
from bot.runtime.action_calls import body

DOMAIN = {
    "slots": {"nik": {"type": "text", "mappings": [{"type": "custom"}]}},
    "forms": {"skck_form": {"required_slots": ["nik"]}},
    "responses": {"utter_greet": [{"text": 'Halo, "domain": Bapak/Ibu'}]},
}


def call(text: str, domain: dict[str, Any] = DOMAIN) -> dict[str, Any]:
    return {
        "next_action": "action_skck_apply",
        "sender_id": "c1",
        "tracker": {"latest_message": {"text": text}, "slots": {"domain": text}},
        "domain": domain,
        "version": "3.6.2",
    }


def test_the_domain_is_parsed_once_and_the_rest_every_call() -> None:
    reuse = DomainReuse()
    first = reuse.parse(body(call("halo")))
    second = reuse.parse(body(call('tulis , "domain": {}')))
    assert first == call("halo")
    assert second == call('tulis , "domain": {}')
    assert second["domain"] is first["domain"]  # reused, not parsed again


def test_a_changed_domain_is_parsed_again() -> None:
    reuse = DomainReuse()
    first = reuse.parse(body(call("halo")))
    changed = {**DOMAIN, "forms": {}}
    second = reuse.parse(body(call("halo", changed)))
    assert second["domain"] == changed and second["domain"] is not first["domain"]
    assert reuse.parse(body(call("lagi", changed)))["domain"] is second["domain"]


def test_other_bodies_are_parsed_whole() -> None:
    reuse = DomainReuse()
    plain = json.dumps(call("halo")).encode()  # Rasa's own encoding: the domain is not last
    assert reuse.parse(plain) == call("halo")
    nested = json.dumps({"tracker": {"x": 1, "domain": {"a": 1}}}).encode()
    assert reuse.parse(nested) == {"tracker": {"x": 1, "domain": {"a": 1}}}
    assert reuse.parse(nested) == {"tracker": {"x": 1, "domain": {"a": 1}}}
    only_domain = body({"domain": DOMAIN})
    assert reuse.parse(only_domain) == {"domain": DOMAIN}
