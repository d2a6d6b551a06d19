"""E-mail: the call center's `Mailer` port (api/callcenter/reach.py) over SMTP, for a web
ticket's answer sent to the address the citizen gave. Standard library `smtplib` in a worker
thread (one short connection per e-mail: answers are few), STARTTLS unless turned off."""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage

from api.core.config import Settings

TIMEOUT_SECONDS = 15.0


class SmtpMailer:
    def __init__(self, settings: Settings) -> None:
        self._host, self._port = settings.smtp_host, settings.smtp_port
        self._username = settings.smtp_username
        self._password = settings.smtp_password.get_secret_value()
        self._sender = settings.smtp_sender
        self._starttls = settings.smtp_starttls

    async def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self._sender, to, subject
        message.set_content(body)
        await asyncio.to_thread(self._send, message)

    def _send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self._host, self._port, timeout=TIMEOUT_SECONDS) as smtp:
            if self._starttls:
                smtp.starttls()
            if self._username:
                smtp.login(self._username, self._password)
            smtp.send_message(message)
