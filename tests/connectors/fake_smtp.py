"""A fake SMTP server on 127.0.0.1 (plain SMTP, no STARTTLS), run by asyncio on the test's
own loop: the gateway's `SmtpMailer` talks to it with smtplib from a worker thread, so the
whole real path is exercised. Tests read `messages` (parsed) and set `fail_for[address]` to
answer that many DATA commands for that recipient with a temporary failure (451), as a mail
server under load does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage


@dataclass
class FakeSmtp:
    host: str = "127.0.0.1"
    port: int = 0
    messages: list[EmailMessage] = field(default_factory=list)
    fail_for: dict[str, int] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)  # DATA commands answered 451

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async def say(line: str) -> None:
            writer.write(line.encode() + b"\r\n")
            await writer.drain()

        await say("220 fake-smtp ready")
        recipient = ""
        try:
            while line := await reader.readline():
                command = line.decode(errors="replace").strip().upper()
                if command.startswith(("EHLO", "HELO")):
                    await say("250 fake-smtp")
                elif command.startswith("RCPT TO"):
                    recipient = line.decode().strip()[len("RCPT TO:") :].strip("<> ").lower()
                    await say("250 OK")
                elif command.startswith(("MAIL FROM", "RSET", "NOOP")):
                    await say("250 OK")
                elif command == "DATA":
                    if self.fail_for.get(recipient, 0) > 0:
                        self.fail_for[recipient] -= 1
                        self.refused[recipient] = self.refused.get(recipient, 0) + 1
                        await say("451 try again later")
                        continue
                    await say("354 end with .")
                    data = bytearray()
                    while (chunk := await reader.readline()) not in (b".\r\n", b""):
                        data += chunk[1:] if chunk.startswith(b"..") else chunk
                    parsed = message_from_bytes(bytes(data), policy=policy.default)
                    assert isinstance(parsed, EmailMessage)
                    self.messages.append(parsed)
                    await say("250 queued")
                elif command == "QUIT":
                    await say("221 bye")
                    break
                else:
                    await say("502 not implemented")
        finally:
            writer.close()

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if message["To"] == address]


@asynccontextmanager
async def running_smtp() -> AsyncIterator[FakeSmtp]:
    fake = FakeSmtp()
    server = await asyncio.start_server(fake._session, fake.host, 0)
    fake.port = server.sockets[0].getsockname()[1]
    async with server:
        yield fake
