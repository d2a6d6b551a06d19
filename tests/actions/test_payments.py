"""PNBP billing codes and billing status (actions/payments.py)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from rasa_sdk.events import SlotSet

from actions.gateway import use_gateway
from actions.payments import (
    ActionAskPnbpService,
    ActionBillingStatus,
    ActionPnbpBilling,
    Tariff,
    ValidateBillingStatusForm,
    ValidatePnbpBillingForm,
    match_tariffs,
    words,
)
from tests.actions.builders import user
from tests.actions.flow_helpers import (
    UNAVAILABLE,
    FakeGateway,
    form_tracker,
    payloads,
    submit_tracker,
    texts,
)

NIK = "3273014102900001"
CODE = "820260000012345"


@pytest.fixture()
def fake() -> Iterator[FakeGateway]:
    fake = FakeGateway()
    use_gateway(fake.client)
    yield fake
    use_gateway(None)


def slot_events(events: list[dict]) -> dict[str, object]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


def billing(**overrides: object) -> dict[str, object]:
    return {
        "billing_code": CODE,
        "case_number": "BIL-2026-000123",
        "description": "PKB dan SWDKLLJ B 1234 XYZ",
        "amount": 1_250_000,
        "status": "belum_dibayar",
        "expires_at": "2026-03-04T10:00:00+07:00",
        "legal_basis": "UU 1/2022",
        **overrides,
    }


# --- PNBP billing ------------------------------------------------------------------------

TARIFFS = [
    {"service": "sim_a_baru", "label": "SIM A baru", "amount": 120_000, "legal_basis": "PP 76/2020 Lampiran"},
    {
        "service": "sim_a_perpanjangan",
        "label": "SIM A perpanjangan",
        "amount": 80_000,
        "legal_basis": "PP 76/2020 Lampiran",
    },
    {
        "service": "sim_b2_baru",
        "label": "SIM B II baru",
        "amount": 120_000,
        "legal_basis": "PP 76/2020 Lampiran",
    },
    {"service": "sim_c_baru", "label": "SIM C baru", "amount": 100_000, "legal_basis": "PP 76/2020 Lampiran"},
    {
        "service": "sim_c_perpanjangan",
        "label": "SIM C perpanjangan",
        "amount": 75_000,
        "legal_basis": "PP 76/2020 Lampiran",
    },
    {
        "service": "sim_c1_baru",
        "label": "SIM C I baru",
        "amount": 100_000,
        "legal_basis": "PP 76/2020 Lampiran",
    },
    {"service": "sim_d_baru", "label": "SIM D baru", "amount": 50_000, "legal_basis": "PP 76/2020 Lampiran"},
    {
        "service": "sim_internasional",
        "label": "SIM Internasional baru",
        "amount": 250_000,
        "legal_basis": "PP 76/2020 Lampiran",
    },
    {"service": "skck", "label": "SKCK", "amount": 30_000, "legal_basis": "PP 76/2020 Lampiran"},
    {
        "service": "paspor_biasa_5",
        "label": "Paspor non-elektronik 5 tahun",
        "amount": 350_000,
        "legal_basis": "PP 45/2024",
    },
    {
        "service": "paspor_biasa_10",
        "label": "Paspor non-elektronik 10 tahun",
        "amount": 650_000,
        "legal_basis": "PP 45/2024",
    },
    {
        "service": "paspor_el_10",
        "label": "Paspor elektronik 10 tahun",
        "amount": 950_000,
        "legal_basis": "PP 45/2024",
    },
]
TARIFF_LIST = [Tariff(t["service"], t["label"], t["amount"], t["legal_basis"]) for t in TARIFFS]


def keys(tariffs: list[Tariff]) -> list[str]:
    return [tariff.service for tariff in tariffs]


def test_words_normalise_sim_classes_and_synonyms() -> None:
    assert words("perpanjang SIM B II") == ["perpanjangan", "sim", "b2"]
    assert words("pembuatan sim c1") == ["baru", "sim", "c1"]
    assert words("bayar sim di polres") == ["bayar", "sim", "di", "polres"]
    assert words("e-paspor 10 tahun") == ["paspor", "elektronik", "10", "tahun"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("buat billing skck dong", ["skck"]),
        ("perpanjang sim c", ["sim_c_perpanjangan"]),
        ("sim b2 baru", ["sim_b2_baru"]),
        ("paspor elektronik 10 tahun", ["paspor_el_10"]),
        ("sim a", ["sim_a_baru", "sim_a_perpanjangan"]),
        ("bikin ktp", []),
        ("bikin sim c1", ["sim_c1_baru"]),
    ],
)
def test_typed_requests_point_at_tariffs(text, expected) -> None:
    assert keys(match_tariffs(text, TARIFF_LIST)) == expected


async def validate_service(dispatcher, domain, requested, message, **kwargs) -> dict[str, object]:
    tracker = form_tracker("pnbp_billing_form", requested, message, **kwargs)
    return slot_events(await ValidatePnbpBillingForm().run(dispatcher, tracker, domain))


async def test_service_named_in_the_request(fake, dispatcher, domain) -> None:
    fake.answer({"items": TARIFFS})

    slots = await validate_service(
        dispatcher, domain, None, user("pay_create_billing", "kode billing skck"), activating=True
    )
    assert slots["pnbp_service"] == "skck"

    slots = await validate_service(
        dispatcher,
        domain,
        None,
        user("pay_create_billing", "bikin kode billing"),
        activating=True,
        slots={"pnbp_service": "skck"},
    )
    assert slots["pnbp_service"] is None  # a new request starts afresh
    assert dispatcher.messages == []


async def test_typed_service_answers(fake, dispatcher, domain) -> None:
    fake.answer({"items": TARIFFS})

    slots = await validate_service(dispatcher, domain, "pnbp_service", user("inform", "perpanjangan sim c"))
    assert slots["pnbp_service"] == "sim_c_perpanjangan"

    slots = await validate_service(dispatcher, domain, "pnbp_service", user("inform", "sim a"))
    assert slots["pnbp_service"] is None and dispatcher.messages == []  # asked again with the two SIM A

    slots = await validate_service(dispatcher, domain, "pnbp_service", user("inform", "akta kelahiran"))
    assert slots["pnbp_service"] is None
    assert texts(dispatcher).startswith("Maaf, layanan itu tidak ada dalam daftar tarif PNBP")


async def test_service_buttons_are_checked(fake, dispatcher, domain) -> None:
    fake.answer({"items": TARIFFS})

    button = user("inform", '/inform{"pnbp_service":"skck"}', [("pnbp_service", "skck")])
    slots = await validate_service(
        dispatcher, domain, "pnbp_service", button, candidates={"pnbp_service": "skck"}
    )
    assert slots["pnbp_service"] == "skck"

    forged = user("inform", '/inform{"pnbp_service":"ktp"}', [("pnbp_service", "ktp")])
    slots = await validate_service(
        dispatcher, domain, "pnbp_service", forged, candidates={"pnbp_service": "ktp"}
    )
    assert slots["pnbp_service"] is None
    assert "tidak ada dalam daftar tarif" in texts(dispatcher)


async def test_nik_is_checked(fake, dispatcher, domain) -> None:
    slots = await validate_service(
        dispatcher, domain, "nik", user("inform", "3273 0141 0290"), slots={"pnbp_service": "skck"}
    )

    assert slots["nik"] is None
    assert "16 digit" in texts(dispatcher)


async def test_service_question_groups_a_long_list(fake, dispatcher, domain) -> None:
    fake.answer({"items": TARIFFS})
    tracker = form_tracker(
        "pnbp_billing_form", "pnbp_service", user("pay_create_billing", "buat kode billing"), activating=True
    )

    await ActionAskPnbpService().run(dispatcher, tracker, domain)

    assert texts(dispatcher).startswith("Kode billing untuk layanan apa?")
    assert [button["title"] for button in dispatcher.messages[0]["buttons"]] == [
        "SIM",
        "SKCK (Rp30.000)",
        "Paspor",
    ]
    assert payloads(dispatcher)[0] == '/inform{"pnbp_service":"SIM"}'


async def test_service_question_narrowed_by_the_answer(fake, dispatcher, domain) -> None:
    fake.answer({"items": TARIFFS})
    group = user("inform", '/inform{"pnbp_service":"Paspor"}', [("pnbp_service", "Paspor")])

    await ActionAskPnbpService().run(
        dispatcher, form_tracker("pnbp_billing_form", "pnbp_service", group), domain
    )

    assert [button["title"] for button in dispatcher.messages[0]["buttons"]] == [
        "Paspor non-elektronik 5 tahun (Rp350.000)",
        "Paspor non-elektronik 10 tahun (Rp650.000)",
        "Paspor elektronik 10 tahun (Rp950.000)",
    ]


@pytest.mark.parametrize("failure", UNAVAILABLE)
async def test_service_question_with_simponi_down_ends_the_form(fake, dispatcher, domain, failure) -> None:
    failure(fake)
    tracker = form_tracker(
        "pnbp_billing_form", "pnbp_service", user("pay_create_billing", "buat kode billing")
    )

    events = await ActionAskPnbpService().run(dispatcher, tracker, domain)

    assert texts(dispatcher).startswith(
        "Mohon maaf, layanan SIMPONI (kode billing PNBP) sedang tidak dapat dihubungi"
    )
    assert "Imigrasi" in texts(dispatcher)
    assert events == [SlotSet("requested_slot", None)]


async def test_pnbp_billing_code(fake, dispatcher, domain) -> None:
    fake.answer(billing(description="SKCK", amount=30_000, legal_basis="PP 76/2020 Lampiran"), status=201)

    events = await ActionPnbpBilling().run(
        dispatcher, submit_tracker({"pnbp_service": "skck", "nik": NIK}), domain
    )

    assert fake.last.url.path == "/api/v1/payments/billings"
    assert fake.last_json() == {"service": "skck", "nik": NIK}
    text = texts(dispatcher)
    assert f"Kode billing Anda: {CODE}" in text and "SKCK: Rp30.000" in text
    assert "Nomor kasus: BIL-2026-000123" in text and "Dasar hukum: PP 76/2020 Lampiran." in text
    assert slot_events(events) == {"pnbp_service": None, "billing_code": CODE}


async def test_pnbp_billing_for_an_unknown_nik(fake, dispatcher, domain) -> None:
    fake.error(404, "not_found", "NIK tidak ditemukan.")

    events = await ActionPnbpBilling().run(
        dispatcher, submit_tracker({"pnbp_service": "skck", "nik": NIK}), domain
    )

    assert texts(dispatcher).startswith("NIK tersebut tidak ditemukan")
    assert SlotSet("nik", None) in events


@pytest.mark.parametrize("failure", UNAVAILABLE)
async def test_pnbp_billing_with_simponi_down(fake, dispatcher, domain, failure) -> None:
    failure(fake)

    await ActionPnbpBilling().run(dispatcher, submit_tracker({"pnbp_service": "skck", "nik": NIK}), domain)

    assert texts(dispatcher).startswith(
        "Mohon maaf, layanan SIMPONI (kode billing PNBP) sedang tidak dapat dihubungi"
    )


# --- Billing status ----------------------------------------------------------------------


async def validate_code(dispatcher, domain, message, **kwargs) -> dict[str, object]:
    tracker = form_tracker("billing_status_form", "billing_code", message, **kwargs)
    return slot_events(await ValidateBillingStatusForm().run(dispatcher, tracker, domain))


async def test_billing_code_answers(dispatcher, domain) -> None:
    slots = await validate_code(dispatcher, domain, user("inform", "82026000001"))
    assert slots["billing_code"] is None
    assert texts(dispatcher).startswith(
        "Kode billing terdiri dari 15 digit angka, sedangkan yang Anda kirim 11 digit."
    )

    dispatcher.messages.clear()
    case = user("inform", "BIL-2026-000123", [("ticket_id", "BIL-2026-000123")])
    slots = await validate_code(dispatcher, domain, case)
    assert slots["billing_code"] is None
    assert texts(dispatcher).startswith("BIL-2026-000123 adalah nomor kasus, bukan kode billing.")

    dispatcher.messages.clear()
    slots = await validate_code(dispatcher, domain, user("inform", "yang kemarin"))
    assert texts(dispatcher).startswith("Kode billing belum saya temukan")


@pytest.mark.parametrize(
    ("status", "expected", "button"),
    [
        ("belum_dibayar", "Status: BELUM DIBAYAR. Bayar sebelum 4 Maret 2026 pukul 10.00 WIB.", "/ask_menu"),
        ("lunas", "Status: LUNAS, dibayar 2 Maret 2026 pukul 08.15 WIB.", "/ask_menu"),
        ("kedaluwarsa", "Status: KEDALUWARSA sejak 4 Maret 2026 pukul 10.00 WIB", "/pay_create_billing"),
    ],
)
async def test_billing_status(fake, dispatcher, domain, status, expected, button) -> None:
    fake.answer(billing(status=status, paid_at="2026-03-02T08:15:00+07:00" if status == "lunas" else None))

    await ActionBillingStatus().run(dispatcher, submit_tracker({"billing_code": CODE}), domain)

    assert fake.last.url.path == f"/api/v1/payments/billings/{CODE}"
    assert texts(dispatcher).startswith(
        f"Kode billing {CODE} (BIL-2026-000123): PKB dan SWDKLLJ B 1234 XYZ, Rp1.250.000."
    )
    assert expected in texts(dispatcher)
    assert button in payloads(dispatcher)


async def test_unknown_billing_code(fake, dispatcher, domain) -> None:
    fake.error(404, "not_found", "Tidak ditemukan.")

    events = await ActionBillingStatus().run(dispatcher, submit_tracker({"billing_code": CODE}), domain)

    assert (
        texts(dispatcher) == f"Kode billing {CODE} tidak ditemukan. Mohon periksa kembali 15 digit kodenya."
    )
    assert events == [SlotSet("billing_code", None)]


@pytest.mark.parametrize("failure", [*UNAVAILABLE, lambda fake: fake.down(httpx.RemoteProtocolError)])
async def test_billing_status_down_apologises(fake, dispatcher, domain, failure) -> None:
    failure(fake)

    await ActionBillingStatus().run(dispatcher, submit_tracker({"billing_code": CODE}), domain)

    assert texts(dispatcher).startswith(
        "Mohon maaf, layanan SIMPONI (kode billing PNBP) sedang tidak dapat dihubungi"
    )
    assert "NTPN" in texts(dispatcher)
