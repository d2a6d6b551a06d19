"""Issue 3: one complete conversation per service, through the gateway, with the action server,
the Rasa server and the gateway running (`stack`, tests/e2e/conftest.py).

Each test is a citizen typing in Indonesian as the web widget would send it: a first message,
then the answers the form asks for, clicking the buttons the bot offers. The citizens are
personas of the seed (`simulators.seed`); the facts the bot must quote are read from the
gateway's own service API (docs/service-api.md), never written here, so that a reply with a
wrong facility, amount, year or case number fails.

Also covered: cases created and then followed in the same conversation (a population
application and a complaint by their typed numbers, a vehicle-tax billing paid meanwhile by its
button; an SKCK request checked through GET /cases), a wrong birth date refused (CASN), and a
form cancelled halfway whose answers are forgotten (complaint). Every reply is also checked for
raw data (a dict, "None") that a citizen must never read.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from simulators.seed import citizen_by_nik, sample
from simulators.seed.population import own_phone, population
from tests.e2e.conftest import Conversation, Stack

MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip
WIB = dt.timezone(dt.timedelta(hours=7))
BPJS_CLASSES = {1: "Kelas I", 2: "Kelas II", 3: "Kelas III"}
CASE_NUMBER = {
    "ADM": re.compile(r"\bADM-20\d\d-\d{6}\b"),
    "LPR": re.compile(r"\bLPR-20\d\d-\d{5}\b"),
    "SKCK": re.compile(r"\bSKCK-20\d\d-\d{6}\b"),
    "BIL": re.compile(r"\bBIL-20\d\d-\d{6}\b"),
}
BILLING_CODE = re.compile(r"\b\d{15}\b")
# What a citizen must never read: a Python/JSON structure or a missing value printed as is.
RAW_DATA = re.compile(r"\{['\"]|\[['\"{]|\bNone\b|\bnull\b")


# --- How the actions write facts (actions/answers.py), restated so a change there shows ------


def rupiah(amount: int) -> str:
    """419800 → "Rp419.800"."""
    return f"Rp{amount:,}".replace(",", ".")


def tanggal(iso: str) -> str:
    """ "2026-12-21" → "21 Desember 2026"; a date-time with an offset is dated in WIB."""
    if len(iso) > 10:
        moment = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
        day = moment.astimezone(WIB).date() if moment.tzinfo else moment.date()
    else:
        day = dt.date.fromisoformat(iso)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def decimal(value: float) -> str:
    """4.88 → "4,88"; 100.0 → "100" (the Indonesian decimal comma)."""
    return f"{value:g}".replace(".", ",")


def typed_date(iso: str) -> str:
    """How a citizen types a date: "1984-08-31" → "31 Agustus 1984"."""
    return tanggal(iso)


def dashed_date(iso: str) -> str:
    """ "1984-08-31" → "31-08-1984", the other common way of typing it."""
    day = dt.date.fromisoformat(iso)
    return f"{day:%d-%m-%Y}"


# --- The citizen's side of the chat, with a transcript for failures ----------------------------


@dataclass
class Chat:
    """A citizen's conversation that checks every exchange: the bot (not the gateway's apology
    for an unreachable Rasa) answered, and the reply contains what it must."""

    conversation: Conversation
    transcript: list[str] = field(default_factory=list)

    def say(self, text: str, *expected: str) -> str:
        return self._exchange(f"warga: {text}", lambda: self.conversation.say(text), expected)

    def click(self, title: str, *expected: str) -> str:
        offered = self.conversation.buttons()
        assert title in offered, f"no button {title!r} in {sorted(offered)}\n{self.log()}"
        return self._exchange(f"warga [tombol]: {title}", lambda: self.conversation.click(title), expected)

    def log(self) -> str:
        return "transcript:\n" + "\n".join(self.transcript)

    def _exchange(self, line: str, send: Callable[[], str], expected: tuple[str, ...]) -> str:
        reply = send()
        replies = self.conversation.replies
        buttons = [b["title"] for r in replies for b in r.get("buttons") or []]
        self.transcript += [line, f"bot: {reply}" + (f"\n  tombol: {buttons}" if buttons else "")]
        authors = {r.get("author") for r in replies}
        assert replies and authors == {"bot"}, f"the bot did not answer ({authors})\n{self.log()}"
        raw = RAW_DATA.search(reply)
        assert raw is None, f"raw data {raw[0]!r} in the reply\n{self.log()}"
        missing = [fragment for fragment in expected if fragment not in reply]
        assert not missing, f"missing in the reply: {missing}\n{self.log()}"
        return reply


@pytest.fixture
def chat(citizen: Conversation) -> Chat:
    return Chat(citizen)


@pytest.fixture(scope="module")
def service_api(stack: Stack) -> Iterator[httpx.Client]:
    """The gateway's service API (its internal listener, with the run's token), where the
    expected facts come from."""
    base_url = f"{stack.service_url}/api/v1"
    with httpx.Client(base_url=base_url, headers=stack.service_headers, timeout=30) as client:
        yield client


def call(client: httpx.Client, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    response = client.request(method, path, **kwargs)
    assert response.is_success, f"{method} {path}: {response.status_code} {response.text}"
    return response.json()


OTP_ASKED = "kode 6 digit"
SIX_DIGITS = re.compile(r"\b(\d{6})\b")


def sms_code(service_api: httpx.Client, phone: str) -> str:
    """The latest code the simulated SMS provider "sent" to `phone`."""
    messages = call(service_api, "GET", "/identity/simulated-sms", params={"to": phone})["messages"]
    assert messages, f"no SMS to {phone[:4]}…"
    code = SIX_DIGITS.search(messages[-1]["text"])
    assert code
    return code[1]


def as_chat(chat: Chat) -> dict[str, str]:
    """The chat's conversation as the caller of the service API: verified in the chat, it may
    read the facts the bot must quote."""
    return {"X-Conversation-ID": chat.conversation.id}


def parent_of(nik: str) -> tuple[str, str]:
    """The first member of `nik`'s KK with a phone number of their own: NIK and number."""
    family = citizen_by_nik(nik).kk_number  # type: ignore[union-attr]
    for member in population().citizens:
        if member.kk_number == family and (phone := own_phone(member)):
            return member.nik, phone
    raise AssertionError("no member with a phone")


def contains(reply: str, chat: Chat, *fragments: str) -> None:
    missing = [fragment for fragment in fragments if fragment not in reply]
    assert not missing, f"missing in the reply: {missing}\n{chat.log()}"


def found(kind: str, reply: str, chat: Chat) -> str:
    """The one case number of `kind` in the reply."""
    numbers = set(CASE_NUMBER[kind].findall(reply))
    assert len(numbers) == 1, f"expected one {kind} case number, got {numbers}\n{chat.log()}"
    return numbers.pop()


# --- One conversation per service ----------------------------------------------------------------


def test_health_bpjs_membership(chat: Chat, service_api: httpx.Client) -> None:
    member = sample("bpjs_active")

    chat.say("Kartu BPJS Kesehatan saya masih aktif atau tidak ya?", "NIK (16 digit)")
    chat.say(f"NIK saya {member['nik']}", "tanggal lahir peserta")
    chat.say(typed_date(member["birth_date"]), OTP_ASKED)  # the birth date alone opens nothing
    reply = chat.say(sms_code(service_api, member["phone"]), "identitas Anda sudah terverifikasi")
    expected = call(
        service_api, "POST", "/health/bpjs/membership",
        json={"nik": member["nik"], "birth_date": member["birth_date"]}, headers=as_chat(chat),
    )  # fmt: skip
    contains(
        reply,
        chat,
        "Status: Aktif" if expected["status"] == "aktif" else "Status: Tidak aktif",
        # The action got a token for the card number; the gateway shows it masked (issue 16).
        f"Nomor kartu: *********{expected['card_number'][-4:]}",
        f"Kelas rawat: {BPJS_CLASSES[expected['class']]}",
        f"Faskes tingkat pertama: {expected['facility']['name']}, {expected['facility']['address']}",
        f"Iuran per bulan: {rupiah(expected['monthly_contribution'])}",
        expected["legal_basis"],
    )
    assert expected["card_number"] == "*" * 9 + member["card_number"][-4:]  # masked
    assert member["card_number"] not in reply


def test_education_pip(chat: Chat, service_api: httpx.Client) -> None:
    student = sample("pip_recipient")
    parent_nik, parent_phone = parent_of(student["nik"])

    chat.say("Saya mau cek apakah anak saya dapat bantuan PIP", "NISN siswa")
    chat.say(f"NISN anak saya {student['nisn']}", "tanggal lahir siswa")
    chat.say(dashed_date(student["birth_date"]), "NIK Anda sendiri")
    chat.say(parent_nik, OTP_ASKED)  # the parent verifies: a member of the student's KK
    reply = chat.say(sms_code(service_api, parent_phone), "identitas Anda sudah terverifikasi")
    expected = call(
        service_api, "POST", "/education/pip",
        json={"nisn": student["nisn"], "birth_date": student["birth_date"]}, headers=as_chat(chat),
    )  # fmt: skip
    assert expected["recipient"] and expected["disbursement"] == "sudah_cair"
    contains(
        reply,
        chat,
        expected["name"],
        f"({expected['school']}, kelas {expected['grade']} {expected['level']})",
        f"penerima PIP tahun {expected['year']} sebesar {rupiah(expected['amount'])}",
        "Status pencairan: sudah cair",
        f"Dasar hukum: {expected['legal_basis']}",
    )


def test_social_assistance_by_name_and_region(chat: Chat, service_api: httpx.Client) -> None:
    recipient = sample("bansos_pkh")
    address = citizen_by_nik(recipient["nik"]).address
    expected = call(
        service_api, "GET", "/social/recipients",
        params={"name": recipient["name"], "village": address.village_code},
    )["items"]  # fmt: skip
    assert len(expected) == 1 and expected[0]["programmes"]

    chat.say("Tolong cek apakah ibu saya terdaftar sebagai penerima bansos", "Pilih salah satu")
    chat.click("Dengan nama & wilayah", "Pilih provinsi")
    chat.click(address.province, "Pilih kabupaten/kota")
    chat.click(address.regency, "Pilih kecamatan")
    chat.click(address.district, "Pilih desa/kelurahan")
    chat.click(address.village, "nama lengkap sesuai KTP")
    reply = chat.say(
        recipient["name"],
        f"{expected[0]['name']} ({address.village}, {address.district}",  # the name masked
        "tercatat sebagai penerima",
    )
    for programme in expected[0]["programmes"]:
        line = f"• {programme['programme']}: periode {programme['period']}"
        assert line in reply, f"missing {line!r}\n{chat.log()}"
        assert rupiah(programme["amount"]) in reply


def test_identity_kk_change_application_then_its_status(chat: Chat, service_api: httpx.Client) -> None:
    applicant = sample("adult")

    chat.say(
        "Apa saja syarat untuk mengubah data di kartu keluarga?",
        "Perpres 96/2018",
        "Ingin mengajukan permohonan perubahan KK secara daring sekarang?",
    )
    chat.click("Ya, ajukan", "NIK Anda sebagai pemohon")
    chat.say(applicant["nik"], "tanggal lahir Anda")
    chat.say(dashed_date(applicant["birth_date"]), OTP_ASKED)
    masked = f"{applicant['nik'][:4]}********{applicant['nik'][-4:]}"
    # The reason is taken from the question ("mengubah data"), confirmed rather than asked.
    chat.say(
        sms_code(service_api, applicant["phone"]),
        "identitas Anda sudah terverifikasi",
        "Jenis: perubahan KK",
        "Alasan: perubahan data",
        f"NIK pemohon: {masked}",
    )
    reply = chat.click("Ya, kirim", "Permohonan perubahan KK Anda sudah diterima", "UU 24/2013 Pasal 79A")
    case_number = found("ADM", reply, chat)

    case = call(service_api, "GET", f"/cases/{case_number}")
    assert case["kind"] == "population_application"
    assert f"Nomor permohonan: {case_number}" in reply
    assert f"Diajukan {tanggal(case['created_at'])}" in reply

    reply = chat.say(f"Permohonan saya dengan nomor {case_number} sudah sampai mana ya?")
    case = call(service_api, "GET", f"/cases/{case_number}")
    status = f"Permohonan {case_number}: {case['status_label']}."
    about = f"{case['summary']['label']} (perubahan data)"
    for fragment in (status, about, f"Diajukan {tanggal(case['created_at'])}"):
        assert fragment in reply, f"missing {fragment!r}\n{chat.log()}"


def test_satu_data_statistic_of_a_typed_year(chat: Chat, service_api: httpx.Client) -> None:
    query = {"indicator": "unemployment_rate", "region": "Jawa Barat"}
    expected = call(service_api, "GET", "/statistics", params={**query, "year": 2023})
    latest = call(service_api, "GET", "/statistics", params=query)
    assert latest["year"] != 2023, "the typed year must make a difference"

    chat.say("Saya mau lihat angka statistik resmi", "Statistik apa yang ingin Anda lihat?")
    chat.click("Tingkat pengangguran terbuka", "Untuk wilayah mana?")
    chat.say(
        "Jawa Barat tahun 2023",
        f"{expected['label']} — Jawa Barat, {expected['period']} 2023: "
        f"{decimal(expected['value'])} {expected['unit']}.",
        f"Sumber: {expected['source']}, data tahun 2023; publikasi: {expected['published']}.",
    )


def test_payments_vehicle_tax_billing_paid_then_followed(chat: Chat, service_api: httpx.Client) -> None:
    owner = sample("vehicle_owner_overdue")
    tax = call(service_api, "GET", f"/payments/vehicle-tax/{owner['plate'].replace(' ', '')}")
    assert tax["overdue_days"] > 0 and tax["total"] > 0

    chat.say("Saya mau cek pajak motor saya, sudah telat bayar", "nomor polisi")
    chat.say(
        owner["plate"],
        f"Pajak kendaraan {tax['plate']}",
        f"PKB: {rupiah(tax['pkb'])}",
        f"SWDKLLJ: {rupiah(tax['swdkllj'])}",
        f"Denda: {rupiah(tax['fine'])}",
        f"Total: {rupiah(tax['total'])}",
        f"Jatuh tempo: {tanggal(tax['due_date'])} (terlambat {tax['overdue_days']} hari).",
        f"Buat kode bayar sebesar {rupiah(tax['total'])} sekarang?",
    )
    reply = chat.click("Ya, buat kode bayar", "Kode billing Anda:", rupiah(tax["total"]))
    case_number = found("BIL", reply, chat)
    billing_code = BILLING_CODE.search(reply)
    assert billing_code, chat.log()

    billing = call(service_api, "GET", f"/payments/billings/{billing_code[0]}")
    assert billing["case_number"] == case_number
    assert (billing["amount"], billing["status"]) == (tax["total"], "belum_dibayar")
    assert call(service_api, "GET", f"/cases/{case_number}")["kind"] == "billing"

    # The bank confirms the payment; the citizen then asks whether it went through.
    paid = call(service_api, "POST", f"/payments/billings/{billing_code[0]}/payments")
    chat.click(
        "Cek status pembayaran",
        f"Kode billing {billing_code[0]} ({case_number})",
        rupiah(tax["total"]),
        f"Status: LUNAS, dibayar {tanggal(paid['paid_at'])}",
    )


def test_complaint_cancelled_then_filed_and_followed(chat: Chat, service_api: httpx.Client) -> None:
    categories = call(service_api, "GET", "/complaints/categories")["items"]
    roads = next(item["label"] for item in categories if item["key"] == "infrastruktur")
    location = "Jl. Raya Cibolang, Desa Cibolang, Kabupaten Sukabumi"
    description = (
        "Jalan di depan SD negeri berlubang besar sejak sebulan lalu, sudah dua pengendara motor "
        "jatuh. Mohon dinas pekerjaan umum segera memperbaikinya."
    )

    # Started, then cancelled halfway: the answers given are forgotten. The category is taken
    # from the request ("jalan rusak") and said back rather than asked.
    chat.say(
        "Saya mau melaporkan jalan rusak di dekat rumah saya", f"kategori {roads}", "Di mana kejadiannya?"
    )
    chat.say(location, "Ceritakan masalahnya")
    chat.say("gak jadi deh, nanti saja", "permintaan tadi saya batalkan")

    chat.say("Saya mau buat pengaduan soal jalan rusak", f"kategori {roads}", "Di mana kejadiannya?")
    chat.say(location, "Ceritakan masalahnya")
    chat.say(description, f"Kategori: {roads}", f"Lokasi: {location}", "Kirim pengaduan ini sekarang?")
    reply = chat.click("Ya, kirim", "Pengaduan Anda sudah diterima LAPOR!")
    case_number = found("LPR", reply, chat)

    complaint = call(service_api, "GET", f"/complaints/{case_number}")
    assert complaint["category"] == "infrastruktur"
    assert f"nomor pelacakan di lapor.go.id: {complaint['tracking_id']}" in reply
    assert f"paling lambat {tanggal(complaint['verify_by'])}" in reply
    assert call(service_api, "GET", f"/cases/{case_number}")["kind"] == "complaint"

    chat.say(
        f"Bagaimana perkembangan laporan saya {case_number}?",
        f"Pengaduan {case_number} ({roads}): status saat ini {complaint['status_label'].lower()}",
    )


def test_civil_service_result_refused_for_a_wrong_birth_date(chat: Chat, service_api: httpx.Client) -> None:
    participant = sample("casn_passed")
    number = participant["participant_number"]
    wrong = (dt.date.fromisoformat(participant["birth_date"]) + dt.timedelta(days=1)).isoformat()

    chat.say("Hasil seleksi CPNS saya sudah keluar belum?", "nomor peserta seleksi CASN")
    chat.say(f"Nomor peserta saya {number}", "tanggal lahir peserta")
    chat.say(dashed_date(wrong), "NIK Anda sendiri")
    chat.say(participant["nik"], OTP_ASKED)
    # Verified, but a wrong birth date answers as an unknown or foreign number would.
    refused = chat.say(sms_code(service_api, participant["phone"]), "hanya dapat dibuka oleh pemiliknya")
    assert participant["name"].split()[0] not in refused

    chat.click("Hasil seleksi", "nomor peserta seleksi CASN")
    chat.say(number, "tanggal lahir peserta")
    reply = chat.say(typed_date(participant["birth_date"]))  # still verified: no NIK, no new code
    expected = call(
        service_api, "POST", "/civil-service/results",
        json={"participant_number": number, "birth_date": participant["birth_date"]}, headers=as_chat(chat),
    )  # fmt: skip
    contains(
        reply,
        chat,
        f"atas nama {expected['name']}, formasi {expected['position']} di {expected['agency']}",
        "Hasil akhir: LULUS" if expected["final"] == "lulus" else "Hasil akhir:",
    )
    for stage in expected["stages"]:
        line = f"• {stage['stage']}: nilai {decimal(stage['score'])}"
        if stage["passing_grade"] is not None:
            line += f" (ambang batas {decimal(stage['passing_grade'])})"
        line += " — lulus" if stage["passed"] else " — tidak lulus"
        assert line in reply, f"missing {line!r}\n{chat.log()}"
    # The result is followed as a case: its number is given, and its status can be asked by it.
    case_number = expected["case_number"]
    contains(reply, chat, f"Hasil ini kami pantau dengan nomor {case_number}")
    chat.say(f"status {case_number.lower()} gmn", f"Hasil seleksi CASN {case_number}: ")


def renewal_state(licence: dict[str, Any]) -> str:
    """What the bot must say of one licence, from the API's expiry date and renewal window.
    (The persona is renewable on the seed's reference date; the simulator uses today.)"""
    expires_on = tanggal(licence["expires_on"])
    if dt.date.fromisoformat(licence["expires_on"]) < dt.date.today():
        return f"masa berlakunya sudah habis sejak {expires_on}"
    if licence["renewal"]["eligible"]:
        return f"berlaku sampai {expires_on}; dapat diperpanjang sekarang."
    opens_on = tanggal(licence["renewal"]["window_opens_on"])
    return f"berlaku sampai {expires_on}; perpanjangan baru dapat diajukan mulai {opens_on}."


def test_police_sim_renewal_then_skck(chat: Chat, service_api: httpx.Client) -> None:
    holder = sample("sim_renewable")
    fees = call(service_api, "GET", "/police/fees")["items"]
    skck_fee = next(item for item in fees if item["service"] == "skck")

    chat.say("SIM saya sebentar lagi habis, bisa diperpanjang online belum ya?", "NIK (16 digit pada KTP)")
    chat.say(holder["nik"], "tanggal lahir pemilik NIK")
    chat.say(typed_date(holder["birth_date"]), OTP_ASKED)
    reply = chat.say(sms_code(service_api, holder["phone"]), "Perpol 5/2021")
    licences = call(
        service_api,
        "POST",
        "/police/sim",
        json={"nik": holder["nik"], "birth_date": holder["birth_date"]},
        headers=as_chat(chat),
    )["licences"]
    for licence in licences:
        line = f"(nomor berakhiran {licence['number'][-4:]}): {renewal_state(licence)}"
        assert line in reply, f"missing {line!r}\n{chat.log()}"

    # The same citizen applies for an SKCK: the NIK and birth date just checked are reused.
    chat.say(
        "Saya juga perlu bikin SKCK",
        f"{rupiah(skck_fee['amount'])} (PP 76/2020 Lampiran)",
        "Ingin mengajukan SKCK sekarang?",
    )
    chat.click("Ya, ajukan", "Untuk keperluan apa SKCK ini?")
    masked = f"{holder['nik'][:4]}********{holder['nik'][-4:]}"
    chat.click("Melamar pekerjaan", f"NIK: {masked}", "Keperluan: melamar pekerjaan")
    reply = chat.click("Ya, kirim", "Permohonan SKCK Anda sudah terdaftar", rupiah(skck_fee["amount"]))
    case_number = found("SKCK", reply, chat)
    billing_code = BILLING_CODE.search(reply)
    assert billing_code, chat.log()

    assert call(service_api, "GET", f"/cases/{case_number}")["kind"] == "skck"
    billing = call(service_api, "GET", f"/payments/billings/{billing_code[0]}")
    assert (billing["amount"], billing["status"]) == (skck_fee["amount"], "belum_dibayar")
