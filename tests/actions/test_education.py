"""Education flows: PIP and KIP Kuliah (actions/education.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import education
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

NISN = "0123456789"
NIK = "3273012708060003"
STUDENT_BORN = "2012-08-17"

PIP = {
    "name": "BUDI S*******",
    "school": "SD Negeri 1 Bandung",
    "level": "SD",
    "grade": 4,
    "recipient": True,
    "year": 2025,
    "amount": 450000,
    "disbursement": "sudah_cair",
    "legal_basis": "Persesjen Kemendikdasmen 10/2025 tentang Juknis PIP",
}

NOT_A_RECIPIENT_NEXT = (
    "Siswa dari keluarga kurang mampu, misalnya pemegang KIP atau keluarga penerima bansos, dapat "
    "diusulkan sebagai penerima PIP melalui sekolah; tanyakan ke operator sekolah."
)
IDENTITY_MISMATCH = wording("utter_identity_mismatch")
IMPOSSIBLE_BIRTH_DATE = wording("utter_impossible_birth_date")
INVALID_BIRTH_DATE = wording("utter_invalid_birth_date")


@pytest.fixture()
def fake() -> Iterator[FakeGateway]:
    gateway = FakeGateway()
    use_gateway(gateway.client)
    yield gateway
    use_gateway(None)


# --- PIP ---------------------------------------------------------------------------------------


async def test_pip_recipient_amount_disbursement_and_basis(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.answer(PIP)
    tracker = submit_tracker({"nisn": NISN, "student_birth_date": STUDENT_BORN})

    events = await education.ActionPipStatus().run(dispatcher, tracker, domain)

    assert fake.last.url.path == "/api/v1/education/pip"
    assert fake.last_json() == {"nisn": NISN, "birth_date": STUDENT_BORN}
    text = texts(dispatcher)
    for fact in (
        "BUDI S*******",
        "SD Negeri 1 Bandung",
        "kelas 4 SD",
        "penerima PIP tahun 2025",
        "Rp450.000",
        "sudah cair",
        "Dasar hukum: Persesjen Kemendikdasmen 10/2025 tentang Juknis PIP.",
    ):
        assert fact in text
    assert events == [SlotSet("student_birth_date", None)]  # the student's birth date is not kept


async def test_pip_not_a_recipient_says_how_to_be_proposed(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.answer(PIP | {"recipient": False, "amount": 0, "disbursement": None})

    await education.ActionPipStatus().run(
        dispatcher, submit_tracker({"nisn": NISN, "student_birth_date": STUDENT_BORN}), domain
    )

    text = texts(dispatcher)
    assert "belum tercatat sebagai penerima PIP tahun 2025" in text
    assert NOT_A_RECIPIENT_NEXT in text and "Rp" not in text


async def test_pip_mismatch_forgets_nisn_and_birth_date(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.error(403, "identity_mismatch")

    events = await education.ActionPipStatus().run(
        dispatcher, submit_tracker({"nisn": NISN, "student_birth_date": STUDENT_BORN}), domain
    )

    assert texts(dispatcher) == wording("utter_pip_mismatch")
    assert events == [SlotSet("nisn", None), SlotSet("student_birth_date", None)]


async def test_pip_unknown_nisn(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.error(404, "not_found", "NISN tidak ditemukan.")

    events = await education.ActionPipStatus().run(
        dispatcher, submit_tracker({"nisn": NISN, "student_birth_date": STUDENT_BORN}), domain
    )

    assert texts(dispatcher) == wording("utter_pip_not_found")
    assert SlotSet("nisn", None) in events


@pytest.mark.parametrize("failure", UNAVAILABLE)
async def test_pip_unavailable(
    fake: FakeGateway,
    dispatcher: CollectingDispatcher,
    domain: DomainDict,
    failure: Callable[[FakeGateway], None],
) -> None:
    failure(fake)

    events = await education.ActionPipStatus().run(
        dispatcher, submit_tracker({"nisn": NISN, "student_birth_date": STUDENT_BORN}), domain
    )

    assert texts(dispatcher).startswith("Mohon maaf, layanan PIP sedang tidak dapat dihubungi")
    assert "operator sekolah" in texts(dispatcher)
    assert events == [SlotSet("student_birth_date", None)]  # the NISN stays for a retry


async def test_nisn_of_the_wrong_length_gets_a_reason(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    tracker = form_tracker("pip_status_form", "nisn", user("inform", "nisn 12345"))

    events = await education.ValidatePipStatusForm().run(dispatcher, tracker, domain)

    assert events == [SlotSet("nisn", None), SlotSet("requested_slot", "nisn")]
    assert "NISN terdiri dari 10 digit" in texts(dispatcher)


async def test_nisn_entity_is_kept_as_digits(dispatcher: CollectingDispatcher, domain: DomainDict) -> None:
    tracker = form_tracker(
        "pip_status_form",
        "nisn",
        user("inform", NISN, [("nisn", NISN)]),
        extracted={"nisn": NISN},
        candidates={"nisn": NISN},
    )

    events = await education.ValidatePipStatusForm().run(dispatcher, tracker, domain)

    assert events[0] == SlotSet("nisn", NISN)
    assert dispatcher.messages == []


@pytest.mark.parametrize(
    ("text", "expected", "message"),
    [
        ("17 agustus 2012", STUDENT_BORN, None),
        ("lahirnya 17/08/2012", STUDENT_BORN, None),
        ("tahun 2012", None, INVALID_BIRTH_DATE),
        ("17-08-2099", None, IMPOSSIBLE_BIRTH_DATE),
    ],
)
async def test_student_birth_date_answers(
    dispatcher: CollectingDispatcher, domain: DomainDict, text: str, expected: str | None, message: str | None
) -> None:
    tracker = form_tracker(
        "pip_status_form", "student_birth_date", user("inform", text), slots={"nisn": NISN}
    )

    events = await education.ValidatePipStatusForm().run(dispatcher, tracker, domain)

    assert SlotSet("student_birth_date", expected) in events
    assert texts(dispatcher) == (message or "")


# --- KIP Kuliah --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "entities", "topic"),
    [
        ("syarat kip kuliah apa aja", [], "info"),
        ("kapan pendaftaran kip kuliah dibuka", [], "info"),
        ("cek status kip kuliah saya", [], "status"),
        ("kip kuliah", [], None),
        ('/edu_kip_kuliah{"kip_kuliah_topic":"status"}', [("kip_kuliah_topic", "status")], "status"),
    ],
)
async def test_kip_topic_is_read_from_the_request(
    dispatcher: CollectingDispatcher, domain: DomainDict, text: str, entities: list, topic: str | None
) -> None:
    # A topic left over from an earlier run is forgotten unless the request names one.
    tracker = form_tracker(
        "kip_kuliah_form",
        None,
        user("edu_kip_kuliah", text, entities),
        slots={"kip_kuliah_topic": "status"},
        activating=True,
    )

    events = await education.ValidateKipKuliahForm().run(dispatcher, tracker, domain)

    assert events[0] == SlotSet("kip_kuliah_topic", topic)
    requested = [event["value"] for event in events if event["name"] == "requested_slot"]
    # info: nothing more to ask; none: ask the topic; status: the domain's order (nik, birth_date).
    assert requested == {"info": [None], None: ["kip_kuliah_topic"], "status": []}[topic]


async def test_typed_kip_topic_and_an_unclear_one(
    dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    clear = form_tracker(
        "kip_kuliah_form",
        "kip_kuliah_topic",
        user("inform", "syaratnya"),
        candidates={"kip_kuliah_topic": "syaratnya"},
    )
    unclear = form_tracker(
        "kip_kuliah_form", "kip_kuliah_topic", user("inform", "hmm"), candidates={"kip_kuliah_topic": "hmm"}
    )

    assert (await education.ValidateKipKuliahForm().run(dispatcher, clear, domain))[0] == SlotSet(
        "kip_kuliah_topic", "info"
    )
    assert dispatcher.messages == []
    assert (await education.ValidateKipKuliahForm().run(dispatcher, unclear, domain))[0] == SlotSet(
        "kip_kuliah_topic", None
    )
    assert texts(dispatcher) == wording("utter_unknown_kip_topic")


async def test_kip_requirements_and_schedule(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.answer(
        {
            "requirements": [
                "NIK, NISN, NPSN sekolah asal, dan e-mail aktif",
                "Lulusan SMA/SMK/sederajat tahun berjalan atau paling lama 2 tahun sebelumnya",
            ],
            "schedule": [{"stage": "Pendaftaran akun", "start": "2026-02-03", "end": "2026-10-31"}],
            "legal_basis": "Pedoman KIP Kuliah 2026",
        }
    )

    events = await education.ActionKipKuliah().run(
        dispatcher, submit_tracker({"kip_kuliah_topic": "info"}), domain
    )

    assert fake.last.url.path == "/api/v1/education/kip-kuliah"
    text = texts(dispatcher)
    assert "NPSN sekolah asal" in text and "paling lama 2 tahun sebelumnya" in text
    assert (
        "Jadwal:\n• Pendaftaran akun: 3 Februari 2026 – 31 Oktober 2026\n"
        + wording("utter_kip_schedule_source")
        in text
    )
    assert "belum dapat kami pastikan" not in text
    assert "Dasar hukum: Pedoman KIP Kuliah 2026." in text
    assert education.KIP_STATUS_BUTTON["payload"] in payloads(dispatcher)
    assert events == [SlotSet("kip_kuliah_topic", None)]


async def test_kip_without_a_published_schedule_says_where_to_look(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    """Issue 17: no invented schedule; without a published one the bot says so."""
    fake.answer({"requirements": ["NIK, NISN, NPSN sekolah asal"], "schedule": [], "legal_basis": ""})

    await education.ActionKipKuliah().run(dispatcher, submit_tracker({"kip_kuliah_topic": "info"}), domain)

    text = texts(dispatcher)
    assert "Jadwal:" not in text and "Dasar hukum" not in text
    assert text.endswith(wording("utter_kip_schedule_unpublished"))
    assert "kip-kuliah.kemdiktisaintek.go.id" in text


async def test_kip_registration_status(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.answer(
        {
            "registration_number": "KIPK-2026-0012345",
            "status": "seleksi",
            "stage": "seleksi_ptn",
            "updated_at": "2026-05-12",
        }
    )
    tracker = submit_tracker({"kip_kuliah_topic": "status", "nik": NIK, "birth_date": "2006-08-27"})

    await education.ActionKipKuliah().run(dispatcher, tracker, domain)

    assert fake.last_json() == {"nik": NIK, "birth_date": "2006-08-27"}
    text = texts(dispatcher)
    for fact in ("KIPK-2026-0012345", "Tahap: seleksi ptn", "Status: dalam seleksi", "12 Mei 2026"):
        assert fact in text


async def test_kip_not_registered_offers_the_requirements(
    fake: FakeGateway, dispatcher: CollectingDispatcher, domain: DomainDict
) -> None:
    fake.error(404, "not_found")

    await education.ActionKipKuliah().run(
        dispatcher,
        submit_tracker({"kip_kuliah_topic": "status", "nik": NIK, "birth_date": "2006-08-27"}),
        domain,
    )

    assert texts(dispatcher) == wording("utter_kip_not_registered")
    assert education.KIP_INFO_BUTTON["payload"] in payloads(dispatcher)


async def test_kip_registration_mismatch(fake: FakeGateway, dispatcher: CollectingDispatcher, domain) -> None:
    fake.error(403, "identity_mismatch")

    events = await education.ActionKipKuliah().run(
        dispatcher,
        submit_tracker({"kip_kuliah_topic": "status", "nik": NIK, "birth_date": "2006-08-27"}),
        domain,
    )

    assert texts(dispatcher) == IDENTITY_MISMATCH
    assert SlotSet("nik", None) in events and SlotSet("birth_date", None) in events


@pytest.mark.parametrize("failure", UNAVAILABLE)
async def test_kip_unavailable(
    fake: FakeGateway,
    dispatcher: CollectingDispatcher,
    domain: DomainDict,
    failure: Callable[[FakeGateway], None],
) -> None:
    failure(fake)

    await education.ActionKipKuliah().run(dispatcher, submit_tracker({"kip_kuliah_topic": "info"}), domain)

    assert texts(dispatcher).startswith("Mohon maaf, layanan KIP Kuliah sedang tidak dapat dihubungi")
