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
    text="Percakapan dengan petugas telah selesai. Terima kasih telah menghubungi Asisten Warga. "
    "Bila memerlukan bantuan lagi, silakan kirim pesan."
)
ABANDONED = TextReply(
    text="Karena tidak ada balasan, percakapan dengan petugas kami tutup. Bila masih memerlukan "
    "bantuan, silakan kirim pesan kapan saja."
)
NOTHING_TO_CANCEL = TextReply(text="Tidak ada permintaan petugas yang sedang berjalan.")
