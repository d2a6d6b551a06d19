"""SPMB school admission routes and quotas (actions/spmb.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import spmb
from actions.gateway import use_gateway
from tests.actions.builders import user
from tests.actions.flow_helpers import (
    UNAVAILABLE,
    FakeGateway,
    form_tracker,
    payloads,
    submit_tracker,
    texts,
    wording,
)


@pytest.fixture()
def fake() -> Iterator[FakeGateway]:
    gateway = FakeGateway()
    use_gateway(gateway.client)
    yield gateway
    use_gateway(None)


@pytest.mark.parametrize(
    ("text", "level"),
    [("jalur spmb smp apa aja", "smp"), ("kuota zonasi sekolah dasar", "sd"), ("spmb 2025", None)],
)
async def test_level_is_read_from_the_request(
    dispatcher: CollectingDispatcher, domain: DomainDict, text: str, level: str | None
) -> None:
    tracker = form_tracker(
        "spmb_form", None, user("edu_school_admission", text), activating=True, slots={"school_level": "sma"}
    )

    events = await spmb.ValidateSpmbForm().run(dispatcher, tracker, domain)

    assert events == [SlotSet("school_level", level)]


@pytest.mark.parametrize(
    ("typed", "level", "message"),
    [
        ("SMA", "sma", None),
        ("jenjang smp kak", "smp", None),
        ("smk", None, wording("utter_spmb_no_smk")),
        ("universitas", None, wording("utter_unknown_school_level")),
    ],
)
async def test_typed_level(
    dispatcher: CollectingDispatcher, domain: DomainDict, typed: str, level: str | None, message: str | None
) -> None:
    tracker = form_tracker(
        "spmb_form", "school_level", user("inform", typed), candidates={"school_level": typed}
    )

    events = await spmb.ValidateSpmbForm().run(dispatcher, tracker, domain)

    assert events == [SlotSet("school_level", level)]
    assert texts(dispatcher) == (message or "")


async def test_spmb_routes_quotas_and_basis(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain
) -> None:
    fake.answer(
        {
            "level": "smp",
            "legal_basis": "Permendikdasmen 3/2025",
            "routes": [
                {"route": "domisili", "quota": "min. 40%"},
                {"route": "afirmasi", "quota": "min. 20%"},
                {"route": "prestasi", "quota": "min. 25%"},
                {"route": "mutasi", "quota": "maks. 5%"},
            ],
        }
    )

    events = await spmb.ActionSpmb().run(dispatcher, submit_tracker({"school_level": "smp"}), domain)

    assert dict(fake.last.url.params) == {"level": "smp"}
    text = texts(dispatcher)
    assert "jenjang SMP" in text and "(Permendikdasmen 3/2025)" in text
    assert "• Domisili: min. 40%" in text and "• Mutasi: maks. 5%" in text
    assert payloads(dispatcher)[:2] == [
        '/edu_school_admission{"school_level":"sd"}',
        '/edu_school_admission{"school_level":"sma"}',
    ]
    assert events == [SlotSet("school_level", None)]


@pytest.mark.parametrize("failure", UNAVAILABLE)
async def test_spmb_unavailable(
    fake: FakeGateway,
    dispatcher: CollectingDispatcher,
    domain: DomainDict,
    failure: Callable[[FakeGateway], None],
) -> None:
    failure(fake)

    await spmb.ActionSpmb().run(dispatcher, submit_tracker({"school_level": "sd"}), domain)

    assert texts(dispatcher).startswith("Mohon maaf, layanan informasi SPMB sedang tidak dapat dihubungi")
    assert "dinas pendidikan" in texts(dispatcher)
