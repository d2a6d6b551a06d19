"""Canned replies for agents: common sentences in polite Indonesian, inserted into the
composer and edited before sending."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CannedReply:
    id: str
    title: str
    text: str


CANNED_REPLIES: tuple[CannedReply, ...] = (
    CannedReply(
        "greeting",
        "Salam pembuka",
        "Selamat datang di layanan Asisten Warga. Saya petugas yang akan membantu Bapak/Ibu. "
        "Ada yang bisa saya bantu?",
    ),
    CannedReply(
        "ask_detail",
        "Minta penjelasan",
        "Mohon Bapak/Ibu jelaskan kendala yang dialami secara singkat, agar saya dapat membantu.",
    ),
    CannedReply(
        "checking",
        "Sedang memeriksa",
        "Terima kasih. Mohon tunggu sebentar, saya periksa terlebih dahulu.",
    ),
    CannedReply(
        "verify_identity",
        "Verifikasi identitas",
        "Untuk keamanan data, mohon sebutkan NIK dan tanggal lahir Bapak/Ibu.",
    ),
    CannedReply(
        "office_visit",
        "Datang ke kantor",
        "Untuk keperluan ini Bapak/Ibu perlu datang ke kantor layanan terdekat pada jam kerja "
        "dengan membawa KTP-el asli.",
    ),
    CannedReply(
        "follow_up",
        "Akan ditindaklanjuti",
        "Permintaan Bapak/Ibu sudah kami catat dan akan ditindaklanjuti oleh instansi terkait. "
        "Kami akan mengabari Bapak/Ibu melalui percakapan ini.",
    ),
    CannedReply(
        "anything_else",
        "Ada lagi?",
        "Apakah ada hal lain yang dapat saya bantu?",
    ),
    CannedReply(
        "closing",
        "Salam penutup",
        "Terima kasih telah menghubungi Asisten Warga. Semoga hari Bapak/Ibu menyenangkan.",
    ),
)
