"""What the console shows agents in words instead of the assistant's and the gateway's codes:
the service and question of an intent (agent-assist), entity names, and the audit log's
services and endpoints. Everything here is Bahasa Indonesia; an unknown code falls back to a
readable form of itself, never to nothing."""

from __future__ import annotations

import re

from api.callcenter.teams import GENERAL, TEAMS

# Intent → (team, the question in words). The team names the service (api/callcenter/teams.py).
INTENTS: dict[str, tuple[str, str]] = {
    "affirm": (GENERAL, "Menjawab ya"),
    "deny": (GENERAL, "Menjawab tidak"),
    "greet": (GENERAL, "Menyapa"),
    "goodbye": (GENERAL, "Berpamitan"),
    "thanks": (GENERAL, "Berterima kasih"),
    "cancel": (GENERAL, "Membatalkan"),
    "inform": (GENERAL, "Memberi keterangan"),
    "ask_menu": (GENERAL, "Meminta menu layanan"),
    "assistant_info": (GENERAL, "Bertanya tentang Asisten Warga"),
    "stop_case_updates": (GENERAL, "Berhenti menerima kabar kasus"),
    "bot_challenge": (GENERAL, "Bertanya apakah ini robot"),
    "out_of_scope": (GENERAL, "Di luar layanan asisten"),
    "request_human": (GENERAL, "Meminta bicara dengan petugas"),
    "handoff_returned": (GENERAL, "Kembali dari petugas"),
    "share_contact": (GENERAL, "Membagikan nomor telepon"),
    "share_location": (GENERAL, "Membagikan lokasi"),
    "identity_verified": (GENERAL, "Identitas terverifikasi"),
    "office_info": (GENERAL, "Alamat dan jam kantor layanan"),
    "case_status": (GENERAL, "Status permohonan atau tiket"),
    "journey_life_event": (GENERAL, "Panduan peristiwa hidup"),
    "journey_next_step": (GENERAL, "Langkah berikutnya dalam panduan"),
    "journey_step_done": (GENERAL, "Langkah panduan sudah selesai"),
    "erase_my_data": (GENERAL, "Meminta data pribadinya dihapus"),
    "who_viewed_my_data": (GENERAL, "Siapa yang melihat data pribadinya"),
    "health_bpjs_contribution": ("health", "Iuran BPJS Kesehatan"),
    "health_bpjs_info": ("health", "Informasi BPJS Kesehatan"),
    "health_bpjs_status": ("health", "Status kepesertaan BPJS Kesehatan"),
    "health_facility_search": ("health", "Mencari fasilitas kesehatan"),
    "health_immunization_record": ("health", "Catatan imunisasi (SATUSEHAT)"),
    "edu_kip_kuliah": ("education", "KIP Kuliah"),
    "edu_pip_status": ("education", "Status bantuan PIP"),
    "edu_school_admission": ("education", "Penerimaan murid baru (SPMB)"),
    "bansos_check": ("social", "Cek penerima bansos"),
    "bansos_info": ("social", "Informasi program bansos"),
    "bansos_register": ("social", "Cara mendaftar bansos (DTKS)"),
    "id_application_status": ("identity", "Status permohonan dokumen kependudukan"),
    "id_document_requirements": ("identity", "Syarat dokumen kependudukan"),
    "id_ikd_activation": ("identity", "Aktivasi Identitas Kependudukan Digital (IKD)"),
    "data_dataset_search": ("satudata", "Mencari dataset"),
    "data_statistics": ("satudata", "Angka statistik"),
    "pay_billing_status": ("payments", "Status tagihan PNBP"),
    "pay_create_billing": ("payments", "Membuat kode billing PNBP"),
    "pay_vehicle_tax": ("payments", "Pajak kendaraan"),
    "complaint_status": ("complaints", "Status pengaduan LAPOR!"),
    "complaint_submit": ("complaints", "Menyampaikan pengaduan LAPOR!"),
    "asn_casn_registration": ("asn", "Pendaftaran CASN"),
    "asn_selection_result": ("asn", "Hasil seleksi CASN"),
    "police_sim_fee": ("police", "Biaya SIM"),
    "police_sim_renewal": ("police", "Perpanjangan SIM"),
    "police_skck": ("police", "Pembuatan SKCK"),
    "nlu_fallback": (GENERAL, "Tidak dipahami asisten"),
}

ENTITIES: dict[str, str] = {
    "application_type": "Jenis permohonan",
    "bansos_method": "Cara cek bansos",
    "bansos_programme": "Program bansos",
    "bansos_topic": "Topik bansos",
    "billing_code": "Kode billing",
    "bpjs_class": "Kelas BPJS",
    "bpjs_number": "Nomor kartu BPJS",
    "complaint_category": "Kategori pengaduan",
    "date": "Tanggal",
    "document_case": "Nomor permohonan",
    "document_type": "Jenis dokumen",
    "facility_offset": "Halaman hasil",
    "facility_type": "Jenis fasilitas",
    "health_topic": "Topik kesehatan",
    "ikd_problem": "Kendala IKD",
    "journey_step": "Langkah panduan",
    "kip_kuliah_topic": "Topik KIP Kuliah",
    "kk_change_reason": "Alasan perubahan KK",
    "kk_number": "Nomor KK",
    "latitude": "Lintang",
    "longitude": "Bujur",
    "life_event": "Peristiwa hidup",
    "nik": "NIK",
    "nisn": "NISN",
    "participant_number": "Nomor peserta",
    "phone_number": "Nomor telepon",
    "pip_topic": "Topik PIP",
    "plate_number": "Nomor polisi",
    "pnbp_service": "Layanan PNBP",
    "privacy_confirm": "Konfirmasi hapus data",
    "region": "Wilayah",
    "region_code": "Kode wilayah",
    "school_level": "Jenjang sekolah",
    "service": "Layanan",
    "sim_class": "Golongan SIM",
    "skck_purpose": "Keperluan SKCK",
    "statistic_indicator": "Indikator statistik",
    "statistics_year": "Tahun statistik",
    "ticket_id": "Nomor tiket",
}

# The audit log's services: the service API's areas (api/service_api/), and the console itself.
SERVICES: dict[str, str] = {
    **TEAMS,
    "console": "Konsol petugas",
    "population": TEAMS["identity"],
    "civil-service": TEAMS["asn"],
    "identity": "Verifikasi identitas",
    "privacy": "Data pribadi",
    "cases": "Status permohonan",
    "tickets": "Tiket",
    "regions": "Wilayah",
    "unknown": "Lainnya",
}

# Endpoint path words → what the agent reads (the audit log's "Tindakan").
_ENDPOINT_WORDS: dict[str, str] = {
    "membership": "kepesertaan",
    "bpjs": "BPJS",
    "rates": "tarif",
    "facilities": "fasilitas kesehatan",
    "immunizations": "imunisasi",
    "pip": "PIP",
    "kip-kuliah": "KIP Kuliah",
    "registration": "pendaftaran",
    "spmb": "SPMB",
    "recipients": "penerima bansos",
    "by-nik": "menurut NIK",
    "applications": "permohonan",
    "verify": "verifikasi identitas",
    "otp": "kode OTP",
    "session": "sesi",
    "vehicle-tax": "pajak kendaraan",
    "billing": "kode billing",
    "billings": "kode billing",
    "tariffs": "tarif PNBP",
    "sim": "SIM",
    "skck": "SKCK",
    "fees": "biaya",
    "casn": "CASN",
    "results": "hasil seleksi",
    "categories": "kategori",
    "complaints": "pengaduan",
    "datasets": "dataset",
    "statistics": "statistik",
    "search": "pencarian",
    "erasure": "penghapusan data",
    "access-log": "riwayat akses data",
}
_VERBS = {"GET": "Melihat", "POST": "Mengirim", "PUT": "Mengubah", "DELETE": "Menghapus"}
_API_PREFIX = re.compile(r"^/api/v\d+/")


def readable(code: str) -> str:
    """A code made readable as a last resort: `kip_kuliah` → "kip kuliah"."""
    return code.replace("_", " ").replace("-", " ").strip()


def intent(name: str | None) -> tuple[str | None, str | None]:
    """The service and the question an intent stands for; (None, None) without an intent."""
    if not name:
        return None, None
    team, question = INTENTS.get(name, (GENERAL, readable(name).capitalize()))
    return TEAMS[team], question


def entity(name: str | None) -> str:
    return ENTITIES.get(name or "", readable(name or "").capitalize() or "—")


def entity_value(entity: dict[str, object]) -> str:
    """An entity's value as the agent reads it: a service's key becomes its team's name."""
    value = str(entity.get("value"))
    if entity.get("entity") == "service" and value in TEAMS:
        return TEAMS[value]
    return value


def service(code: str) -> str:
    return SERVICES.get(code, readable(code).capitalize())


def endpoint(target: str | None) -> str | None:
    """`POST /api/v1/health/bpjs/membership` → "Mengirim: BPJS kepesertaan"; `handoff 3` →
    "Percakapan #3"; anything else readable."""
    if not target:
        return None
    handoff = re.fullmatch(r"hand-?off (\d+)", target.strip())
    if handoff:
        return f"Percakapan #{handoff.group(1)}"
    method, _, path = target.strip().partition(" ")
    if method not in _VERBS or not path.startswith("/"):
        return readable(target)
    parts = [part for part in _API_PREFIX.sub("", path).split("/") if part][1:]  # the area is the service
    words = [_ENDPOINT_WORDS.get(part, "…" if _looks_like_value(part) else readable(part)) for part in parts]
    return f"{_VERBS[method]}: {' '.join(word for word in words if word != '…') or 'data'}"


def _looks_like_value(part: str) -> bool:
    """A path part that carries a value (a plate, a code, a case number), never shown."""
    return part.startswith("{") or any(char.isdigit() for char in part)


def audit_reason(reason: str) -> str:
    """The console's own reasons ("hand-off 3 (citizen_request)") in words; an agent's typed
    reason as written."""
    found = re.fullmatch(r"hand-off (\d+) \((\w+)\)", reason.strip())
    if not found:
        return reason
    return f"Membuka percakapan #{found.group(1)} ({REASONS.get(found.group(2), readable(found.group(2)))})"


REASONS: dict[str, str] = {
    "citizen_request": "permintaan warga",
    "repeated_miss": "bot tidak memahami",
    "escalation": "eskalasi",
    "undelivered": "pesan tidak terkirim",
    "bot_unavailable": "bot tidak dapat menjawab",
}

DISPOSITIONS: dict[str, str] = {
    "resolved": "Selesai",
    "unresolved": "Belum terselesaikan",
    "follow_up": "Perlu tindak lanjut",
    "abusive": "Kasar / penyalahgunaan",
    "abandoned": "Ditinggalkan warga",
}
# A hand-off event's detail (api/callcenter/service.py): short words of the gateway's.
EVENT_DETAILS: dict[str, str] = {
    **DISPOSITIONS,
    **{key: value.capitalize() for key, value in REASONS.items()},
    "citizen_cancelled": "Dibatalkan warga",
    "superseded": "Diganti permintaan baru",
    "offer_expired": "Tawaran tidak dijawab",
    "waited_too_long": "Menunggu terlalu lama",
    "callback": "Minta ditelepon",
    "ticket": "Minta nomor tiket",
}


def event_detail(detail: str | None, agent_names: dict[int, str]) -> str | None:
    """`agent:5` → "ke Sari"; `team:health` → "ke tim Kesehatan (...)"; known words in
    Indonesian; anything else readable."""
    if not detail:
        return None
    kind, _, key = detail.partition(":")
    if kind == "agent" and key.isdigit():
        return f"ke {agent_names.get(int(key), 'petugas lain')}"
    if kind == "team" and key:
        return f"ke tim {TEAMS.get(key, readable(key))}"
    return EVENT_DETAILS.get(detail, readable(detail).capitalize())
