"""What citizens read about a hand-off, in Bahasa Indonesia. The buttons' payloads are the
gateway's own (`HANDOFF_PAYLOADS`): the gateway answers them, never the bot."""

from __future__ import annotations

from api.conversations.model import Choice, TextReply

CANCEL = "/handoff_cancel"
CALLBACK = "/handoff_callback"
TICKET = "/handoff_ticket"
# How an out-of-hours web ticket's answer reaches the citizen (api/callcenter/reach.py).
REACH_WHATSAPP = "/handoff_reach_whatsapp"
REACH_EMAIL = "/handoff_reach_email"
REACH_SELF = "/handoff_reach_self"
REACH_PAYLOADS = frozenset({REACH_WHATSAPP, REACH_EMAIL, REACH_SELF})
HANDOFF_PAYLOADS = frozenset({CANCEL, CALLBACK, TICKET}) | REACH_PAYLOADS

CANCEL_WAITING = Choice(title="Batal menunggu", payload=CANCEL)
BACK_TO_BOT = Choice(title="Kembali ke asisten", payload=CANCEL)
ASK_CALLBACK = Choice(title="Minta ditelepon", payload=CALLBACK)
ASK_TICKET = Choice(title="Minta nomor tiket", payload=TICKET)


def queued(position: int, minutes: int) -> TextReply:
    return TextReply(
        text=(
            "Baik, Bapak/Ibu akan kami hubungkan dengan petugas. "
            f"Posisi antrean Anda: {position}. Perkiraan waktu tunggu sekitar {minutes} menit. "
            "Mohon tetap di percakapan ini; pesan Anda akan dibaca oleh petugas."
        ),
        buttons=[CANCEL_WAITING],
    )


def offer(hours: str, *, closed: bool) -> TextReply:
    why = (
        f"Saat ini di luar jam layanan petugas ({hours})."
        if closed
        else "Mohon maaf, saat ini belum ada petugas yang dapat melayani."
    )
    return TextReply(
        text=f"{why} Bapak/Ibu dapat meminta ditelepon kembali, atau menerima nomor tiket agar "
        "petugas menindaklanjuti pada jam layanan berikutnya. Mana yang Anda pilih?",
        buttons=[ASK_CALLBACK, ASK_TICKET, BACK_TO_BOT],
    )


def waited_too_long(hours: str) -> TextReply:
    return TextReply(
        text="Mohon maaf, semua petugas masih melayani warga lain. Agar Bapak/Ibu tidak menunggu "
        "lebih lama, kami dapat menelepon Anda kembali atau memberi nomor tiket untuk "
        f"ditindaklanjuti petugas (jam layanan: {hours}). Mana yang Anda pilih?",
        buttons=[ASK_CALLBACK, ASK_TICKET, BACK_TO_BOT],
    )


ASK_PHONE = TextReply(
    text="Silakan tulis nomor telepon yang dapat kami hubungi, misalnya 081234567890.",
    buttons=[BACK_TO_BOT],
)
INVALID_PHONE = TextReply(
    text="Maaf, nomor telepon tersebut tidak valid. Mohon tulis nomor telepon Indonesia, "
    "misalnya 081234567890.",
    buttons=[BACK_TO_BOT],
)


ASK_CODE_AGAIN = TextReply(
    text="Maaf, kode tersebut tidak sesuai atau sudah tidak berlaku. Mohon tulis kode 6 digit yang "
    "kami kirim lewat SMS, atau tulis nomor telepon lagi untuk meminta kode baru.",
    buttons=[BACK_TO_BOT],
)
OWN_NUMBER_ONLY = TextReply(
    text="Maaf, kami hanya dapat menelepon nomor milik Bapak/Ibu sendiri. Silakan bagikan nomor "
    "Anda sendiri, atau tulis nomor telepon Anda.",
    buttons=[BACK_TO_BOT],
)


def code_sent(masked_phone: str) -> TextReply:
    return TextReply(
        text=f"Kami telah mengirim kode 6 digit lewat SMS ke nomor {masked_phone}. Mohon tulis kode "
        "tersebut di sini untuk memastikan nomor itu milik Bapak/Ibu.",
        buttons=[BACK_TO_BOT],
    )


def callback_booked(masked_phone: str, case_number: str, hours: str) -> TextReply:
    return TextReply(
        text=f"Terima kasih. Petugas akan menelepon Bapak/Ibu di nomor {masked_phone} pada jam "
        f"layanan ({hours}). Nomor permintaan Anda: {case_number}. Sementara itu, Anda tetap "
        "dapat bertanya kepada Asisten Warga."
    )


def ticket_given(case_number: str, hours: str) -> TextReply:
    return TextReply(
        text=f"Nomor tiket Anda: {case_number}. Petugas akan menindaklanjuti melalui percakapan "
        f"ini pada jam layanan ({hours}). Anda dapat menanyakan status tiket kapan saja dengan "
        "menyebut nomornya. Sementara itu, Anda tetap dapat bertanya kepada Asisten Warga."
    )


def agent_joined(name: str) -> TextReply:
    return TextReply(text=f"{name} telah bergabung dan akan membantu Bapak/Ibu.")


def transferred_to_agent(name: str) -> TextReply:
    return TextReply(text=f"Percakapan Anda dialihkan ke {name}. Mohon tunggu sebentar.")


def transferred_to_team(team: str, position: int) -> TextReply:
    return TextReply(
        text=f"Percakapan Anda dialihkan ke tim {team}. Posisi antrean Anda: {position}. "
        "Mohon tetap di percakapan ini.",
        buttons=[CANCEL_WAITING],
    )


BACK_WITH_BOT = TextReply(text="Bapak/Ibu kembali dilayani Asisten Warga. Ada yang dapat saya bantu?")
CLOSED = TextReply(
    text="Percakapan dengan petugas telah selesai dan permasalahan Anda kami catat sebagai "
    "terselesaikan. Terima kasih telah menghubungi Asisten Warga. Bila memerlukan bantuan lagi, "
    "silakan kirim pesan."
)


def closed(disposition: str, case_number: str | None = None) -> TextReply:
    """The citizen's closing notice, matching the agent's disposition: resolved says resolved;
    a follow-up says the matter stays open (with the ticket to follow it by)."""
    if disposition == "follow_up":
        ticket = (
            f" Nomor tiket Anda: {case_number}; Anda dapat menanyakan statusnya kapan saja dengan "
            "menyebut nomor tersebut."
            if case_number
            else ""
        )
        return TextReply(
            text="Percakapan dengan petugas kami akhiri untuk sementara. Permasalahan Anda belum "
            "selesai dan tetap terbuka: petugas akan menindaklanjutinya dan menghubungi Bapak/Ibu "
            f"melalui percakapan ini.{ticket}"
        )
    if disposition == "unresolved":
        return TextReply(
            text="Percakapan dengan petugas telah berakhir. Mohon maaf, permasalahan Anda belum "
            "dapat kami selesaikan saat ini. Bila memerlukan bantuan lagi, silakan kirim pesan "
            "kapan saja."
        )
    if disposition == "abusive":
        return TextReply(
            text="Percakapan dengan petugas kami akhiri. Bila memerlukan layanan, silakan kirim "
            "pesan dengan bahasa yang sopan."
        )
    return CLOSED


# The satisfaction survey at an agent's close (api/callcenter/survey.py). Titles fit a
# WhatsApp list row (24 characters), where five buttons are shown.
SCORE_TITLES = {
    1: "1 · Sangat tidak puas",
    2: "2 · Tidak puas",
    3: "3 · Cukup",
    4: "4 · Puas",
    5: "5 · Sangat puas",
}


def survey_question(payloads: dict[int, str]) -> TextReply:
    return TextReply(
        text="Seberapa puas Bapak/Ibu dengan layanan petugas kami? Mohon beri nilai 1 (sangat "
        "tidak puas) sampai 5 (sangat puas).",
        buttons=[Choice(title=SCORE_TITLES[score], payload=payload) for score, payload in payloads.items()],
    )


def survey_rated(score: int, skip_payload: str) -> TextReply:
    return TextReply(
        text=f"Terima kasih atas penilaian Anda ({score} dari 5). Bila berkenan, tulis saran atau "
        'komentar singkat untuk kami sekarang, atau pilih "Lewati".',
        buttons=[Choice(title="Lewati", payload=skip_payload)],
    )


SURVEY_THANKS = TextReply(
    text="Terima kasih atas masukan Anda. Bila memerlukan bantuan lagi, silakan kirim pesan."
)
SURVEY_CLOSED = TextReply(
    text="Mohon maaf, penilaian untuk percakapan tersebut sudah tidak dapat diberikan. Bila "
    "memerlukan bantuan, silakan kirim pesan."
)
ABANDONED = TextReply(
    text="Karena tidak ada balasan, percakapan dengan petugas kami tutup. Bila masih memerlukan "
    "bantuan, silakan kirim pesan kapan saja."
)
NOTHING_TO_CANCEL = TextReply(text="Tidak ada permintaan petugas yang sedang berjalan.")
