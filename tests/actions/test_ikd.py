"""IKD activation help (actions/ikd.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from actions.gateway import use_gateway
from actions.ikd import ActionIkdActivation
from tests.actions.builders import user
from tests.actions.flow_helpers import (
    FakeGateway,
    payloads,
    submit_tracker,
    texts,
)


@pytest.fixture()
def fake() -> Iterator[FakeGateway]:
    fake = FakeGateway()
    use_gateway(fake.client)
    yield fake
    use_gateway(None)


def responses(dispatcher) -> list[str]:
    return [message["response"] for message in dispatcher.messages if message.get("response")]


async def test_ikd_gives_the_steps_then_offers_the_known_problems(dispatcher, domain) -> None:
    tracker = submit_tracker({}, user("id_ikd_activation", "cara aktivasi ikd gimana"))

    await ActionIkdActivation().run(dispatcher, tracker, domain)

    assert responses(dispatcher) == ["utter_id_ikd_activation", "utter_ikd_ask_problem"]
    assert '/id_ikd_activation{"ikd_problem":"activation_code"}' in payloads(dispatcher)
    assert '/id_ikd_activation{"ikd_problem":"face_match"}' in payloads(dispatcher)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("kode aktivasi ikd gak masuk2 ke email", "activation_code"),
        ("selfie ikd gagal terus", "face_match"),
        ("nik saya tidak terdaftar di ikd", "nik_rejected"),
        ("ganti hp, ikd nya gimana", "device_pin"),
        ("scan qr ikd dimana", "qr_scan"),
    ],
)
async def test_ikd_typed_problem_gets_its_fix(dispatcher, domain, text, problem) -> None:
    tracker = submit_tracker({}, user("id_ikd_activation", text))

    await ActionIkdActivation().run(dispatcher, tracker, domain)

    assert responses(dispatcher) == [f"utter_ikd_problem_{problem}", "utter_ikd_other_problem"]
    assert f"utter_ikd_problem_{problem}" in domain["responses"]
    assert f'"ikd_problem":"{problem}"' not in " ".join(payloads(dispatcher))  # the others are offered


async def test_ikd_problem_button_and_unknown_problem(dispatcher, domain) -> None:
    chosen = user(
        "id_ikd_activation", '/id_ikd_activation{"ikd_problem":"face_match"}', [("ikd_problem", "face_match")]
    )
    await ActionIkdActivation().run(dispatcher, submit_tracker({}, chosen), domain)
    assert responses(dispatcher) == ["utter_ikd_problem_face_match", "utter_ikd_other_problem"]

    dispatcher.messages.clear()
    unknown = user("id_ikd_activation", '/id_ikd_activation{"ikd_problem":"x"}', [("ikd_problem", "x")])
    await ActionIkdActivation().run(dispatcher, submit_tracker({}, unknown), domain)
    assert responses(dispatcher) == ["utter_ikd_ask_problem"]
    assert texts(dispatcher).startswith("Ada kendala saat aktivasi?")
