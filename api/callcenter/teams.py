"""The call center's teams: one per service, and "general" for everything else. The keys
are the ones the bot's hand-off signal names (actions/, one module per service)."""

from __future__ import annotations

GENERAL = "general"

TEAMS: dict[str, str] = {
    GENERAL: "Layanan umum",
    "health": "Kesehatan (BPJS Kesehatan, SATUSEHAT)",
    "education": "Pendidikan (PIP, KIP Kuliah, PPDB)",
    "social": "Bantuan sosial (Cek Bansos, DTKS)",
    "identity": "Kependudukan (IKD, KTP, KK, akta)",
    "satudata": "Satu Data Indonesia",
    "payments": "Pembayaran digital (PNBP, pajak kendaraan)",
    "complaints": "Pengaduan (LAPOR!)",
    "asn": "Kepegawaian (ASN, CASN)",
    "police": "Kepolisian (SIM, SKCK)",
}


def team_of(service: object) -> str:
    """The team for the service a hand-off signal names; unknown or none: general."""
    return service if isinstance(service, str) and service in TEAMS else GENERAL
