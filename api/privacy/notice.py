"""The short privacy notice a citizen gets at first contact, on every channel, with the link
to the full notice (the gateway's page /privasi, connectors/web/static/privacy.html)."""

from __future__ import annotations

from api.core.config import Settings


def short_notice(settings: Settings) -> str:
    return (
        f"Privasi Anda: percakapan ini disimpan paling lama {settings.retention_days} hari, dan nomor "
        "identitas serta tanggal lahir disamarkan setelah dipakai.\n"
        'Ketik "hapus data saya" kapan saja untuk menghapusnya. '
        f"Selengkapnya: {settings.privacy_url()}"
    )
