"""What a case update says: the case number, its new status and the citizen's next step, in
short, polite Indonesian. Amounts, fees and deadlines are never written here (they belong to
the fact registry and the service's own answers)."""

from __future__ import annotations

from dataclasses import dataclass

from api.cases import status_label
from api.models import Case, CaseKind

STOP_HINT = 'Balas "berhenti kabari saya" bila Bapak/Ibu tidak ingin menerima kabar ini lagi.'
# In an e-mail (from a no-reply address), where to write it instead.
EMAIL_STOP_HINT = (
    'Bila Bapak/Ibu tidak ingin menerima kabar ini lagi, tulis "berhenti kabari saya" di percakapan '
    "Asisten Warga."
)
NOTHING_TO_DO = "Bapak/Ibu belum perlu melakukan apa pun. Kami kabari lagi bila ada perkembangan."

# What each kind of case is called in a sentence.
SERVICES: dict[CaseKind, str] = {
    CaseKind.POPULATION_APPLICATION: "Permohonan dokumen kependudukan",
    CaseKind.COMPLAINT: "Laporan LAPOR!",
    CaseKind.SKCK: "Pendaftaran SKCK",
    CaseKind.BILLING: "Tagihan",
    CaseKind.CONTACT_REQUEST: "Tiket",
    CaseKind.CASN_RESULT: "Seleksi CASN",
}

# (kind, status) → the citizen's next step; a status not listed: NOTHING_TO_DO.
NEXT_STEPS: dict[tuple[CaseKind, str], str] = {
    (CaseKind.POPULATION_APPLICATION, "selesai"): (
        "Dokumen dapat diunduh atau diambil di Dinas Dukcapil tempat Bapak/Ibu mengajukan. "
        "Bawa KTP-el dan sebutkan nomor permohonan."
    ),
    (CaseKind.POPULATION_APPLICATION, "ditolak"): (
        'Mohon lengkapi persyaratan lalu ajukan kembali. Tulis "bicara dengan petugas" bila '
        "Bapak/Ibu perlu penjelasan."
    ),
    (CaseKind.COMPLAINT, "ditindaklanjuti"): (
        "Tanggapan instansi dapat dibaca di lapor.go.id dengan nomor pelacakan laporan Anda."
    ),
    (CaseKind.COMPLAINT, "selesai"): (
        "Bila Bapak/Ibu belum puas, sampaikan tanggapan di lapor.go.id sebelum laporan ditutup."
    ),
    (CaseKind.COMPLAINT, "bukan_kewenangan"): (
        "Laporan perlu disampaikan ke instansi lain yang berwenang. Tanyakan kepada kami bila "
        "Bapak/Ibu perlu bantuan."
    ),
    (CaseKind.COMPLAINT, "diarsipkan"): (
        "Laporan tidak dilanjutkan. Bapak/Ibu dapat membuat laporan baru dengan keterangan "
        "yang lebih lengkap."
    ),
    (CaseKind.SKCK, "siap_diambil"): (
        "SKCK dapat diambil di Polres tujuan. Bawa KTP-el dan bukti pembayaran PNBP."
    ),
    (CaseKind.SKCK, "kedaluwarsa"): "Silakan daftar ulang bila Bapak/Ibu masih memerlukan SKCK.",
    (CaseKind.BILLING, "lunas"): "Pembayaran sudah diterima. Simpan bukti bayar (NTPN) Anda.",
    (CaseKind.BILLING, "kedaluwarsa"): (
        "Kode billing sudah tidak berlaku. Silakan minta kode billing baru bila masih ingin membayar."
    ),
    (CaseKind.CONTACT_REQUEST, "in_progress"): "Petugas kami sedang menangani tiket Bapak/Ibu.",
    (CaseKind.CONTACT_REQUEST, "closed"): (
        "Petugas sudah menjawab. Tanyakan lagi kepada kami bila Bapak/Ibu masih perlu bantuan."
    ),
    (CaseKind.CASN_RESULT, "lulus_administrasi"): (
        "Periksa jadwal dan lokasi SKD serta cetak kartu ujian di akun SSCASN Anda (sscasn.bkn.go.id)."
    ),
    (CaseKind.CASN_RESULT, "lulus_skd"): (
        "Periksa jadwal dan lokasi SKB di akun SSCASN Anda (sscasn.bkn.go.id)."
    ),
    (CaseKind.CASN_RESULT, "lulus"): (
        "Ikuti petunjuk tahap berikutnya dari instansi Anda di akun SSCASN (sscasn.bkn.go.id)."
    ),
    (
        CaseKind.CASN_RESULT,
        "tidak_lulus",
    ): "Rincian nilai dapat dilihat di akun SSCASN Anda (sscasn.bkn.go.id).",
}


@dataclass(frozen=True)
class Update:
    """One case update's parts, as a template's parameters take them."""

    case_number: str
    service: str
    status: str
    next_step: str

    @property
    def text(self) -> str:
        """The whole update as one message."""
        return (
            f"Kabar terbaru {self.service} {self.case_number}: {self.status}.\n{self.next_step}\n{STOP_HINT}"
        )

    def parameter(self, name: str) -> str:
        values = {
            "case_number": self.case_number,
            "service": self.service,
            "status": self.status,
            "next_step": self.next_step,
        }
        return values[name]


def update_for(case: Case, status: str) -> Update:
    return Update(
        case_number=case.case_number,
        service=SERVICES[case.kind],
        status=status_label(case.kind, status),
        next_step=NEXT_STEPS.get((case.kind, status), NOTHING_TO_DO),
    )
