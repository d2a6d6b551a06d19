"""The identifier vault: per-conversation tokens for the identifiers citizens type, and the
originals encrypted at rest.

`tokenize` replaces the identifiers in a message (api/privacy/shapes.py) by tokens before it
goes to Rasa, and keeps each original in `identifier_vault`, encrypted with AES-256-GCM under
a key derived from `AW_DATA_KEY` (the row's conversation and token are its associated data,
so a ciphertext copied to another row does not decrypt). The same identifier typed twice in a
conversation gets the same token (found by a keyed hash of conversation and value), so the
bot's slots compare as they did. `resolve` maps a token back, only for the conversation it
was issued in; `reveal` shows a text's tokens to a person as the masked originals;
`keyed_hash` is what the audit log keeps instead of an identifier.

One vault per gateway process, installed at start-up (`install`); until then, and in tests,
one with a random key of the process.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import re
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from api.core.config import Settings
from api.db import owner_only
from api.models import VaultEntry
from api.privacy import sealing
from api.privacy.shapes import (
    digits,
    find_identifiers,
    mask,
    masked_text,
    new_token,
    normalized,
    same_identifier,
    token_kind,
)

logger = logging.getLogger(__name__)

_TOKEN_RUN = re.compile(r"(?<![\w+])\d{10,17}(?!\w)")


class Tokenized(NamedTuple):
    text: str  # what Rasa gets
    masked: str  # what is stored and shown


class Vault:
    def __init__(self, secret: str | bytes) -> None:
        root = secret.encode() if isinstance(secret, str) else secret
        if len(root) < 16:
            raise ValueError("AW_DATA_KEY must have at least 16 characters (32 random bytes recommended)")
        self._aead = AESGCM(hmac.new(root, b"asisten-warga vault encryption", hashlib.sha256).digest())
        self._hash_key = hmac.new(root, b"asisten-warga keyed hash", hashlib.sha256).digest()

    # --- hashes ---------------------------------------------------------------------------------

    def keyed_hash(self, value: str) -> str:
        """HMAC-SHA-256 of an identifier, 32 hex digits: the same citizen gives the same hash
        under the same key; without the key it cannot be reversed by trying every NIK."""
        return hmac.new(self._hash_key, value.encode(), hashlib.sha256).hexdigest()[:32]

    def _digest(self, conversation_id: uuid.UUID, value: str) -> str:
        return self.keyed_hash(f"{conversation_id}:{value}")

    # --- encryption -----------------------------------------------------------------------------

    def _seal(self, conversation_id: uuid.UUID, token: str, value: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, value.encode(), _associated(conversation_id, token))
        return base64.b64encode(nonce + sealed).decode()

    def _open(self, entry: VaultEntry) -> str | None:
        original = self.open_entry(entry.conversation_id, entry.token, entry.ciphertext)
        if original is None:
            logger.warning("vault entry does not decrypt (another key?) entry=%s", entry.id)
        return original

    def open_entry(self, conversation_id: uuid.UUID, token: str, ciphertext: str) -> str | None:
        """The original of a vault row read without the ORM (a migration); None when it does
        not decrypt (another key, another row)."""
        try:
            raw = base64.b64decode(ciphertext)
            return self._aead.decrypt(raw[:12], raw[12:], _associated(conversation_id, token)).decode()
        except (InvalidTag, ValueError):
            return None

    # --- single fields ---------------------------------------------------------------------------

    def seal_field(self, field: str, owner: uuid.UUID | str, value: str) -> str:
        """`value` of a column holding personal data outside the vault, encrypted like a vault
        entry; the column and the row's owner (its conversation or key) are the associated
        data, so it opens only in the same column of the same owner. Migration 0015's format
        for phone numbers, used by migrations only: the running code seals columns with the
        models' `Sealed` type (api/privacy/sealing.py), to which migration 0017 moved them."""
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, value.encode(), _field_data(field, owner))
        return base64.b64encode(nonce + sealed).decode()

    def open_field(self, field: str, owner: uuid.UUID | str, sealed: str) -> str | None:
        """What `seal_field` sealed; None when it does not decrypt (another key, another row)."""
        try:
            raw = base64.b64decode(sealed, validate=True)
            return self._aead.decrypt(raw[:12], raw[12:], _field_data(field, owner)).decode()
        except (InvalidTag, ValueError):
            logger.warning("sealed field does not decrypt (another key?) field=%s", field)
            return None

    # --- tokens ---------------------------------------------------------------------------------

    async def pseudonym(
        self, session: AsyncSession, conversation_id: uuid.UUID, kind: str, value: str
    ) -> str:
        """The conversation's token for the identifier `value` (digits): the one issued before,
        or a new one added to `session` (the caller commits). One token per identifier,
        however it was spelled (`same_identifier`)."""
        digest = self._digest(conversation_id, same_identifier(kind, value))
        existing = await session.scalar(
            select(VaultEntry.token)
            .where(VaultEntry.conversation_id == conversation_id, VaultEntry.digest == digest)
            .limit(1)
        )
        if existing is not None:
            return existing
        pending = _pending(session, conversation_id, digest)
        if pending is not None:
            return pending
        token = new_token(kind, value)
        session.add(
            VaultEntry(
                conversation_id=conversation_id,
                token=token,
                kind=kind,
                digest=digest,
                ciphertext=self._seal(conversation_id, token, value),
            )
        )
        return token

    async def tokenize(self, session: AsyncSession, conversation_id: uuid.UUID, text: str) -> Tokenized:
        """`text` for Rasa (identifiers as tokens) and for people (identifiers masked), both in
        NFKC (full-width digits as ASCII). A token glued to a word ("NIK3273…") is set apart
        by a space, so the bot reads it as the number it stands for."""
        text = normalized(text)
        found = find_identifiers(text)
        if not found:
            return Tokenized(text, text)
        out = text
        for item in reversed(found):
            token = await self.pseudonym(session, conversation_id, item.kind, item.value)
            before = " " if item.start > 0 and out[item.start - 1].isalpha() else ""
            after = " " if item.end < len(out) and out[item.end].isalpha() else ""
            out = out[: item.start] + before + token + after + out[item.end :]
        return Tokenized(out, masked_text(text))

    async def tokenize_json(self, session: AsyncSession, conversation_id: uuid.UUID, value: Any) -> Any:
        """`value` (JSON: channel metadata) with the identifiers in its strings as tokens."""
        if isinstance(value, str):
            return (await self.tokenize(session, conversation_id, value)).text
        if isinstance(value, dict):
            return {
                key: await self.tokenize_json(session, conversation_id, item) for key, item in value.items()
            }
        if isinstance(value, list):
            return [await self.tokenize_json(session, conversation_id, item) for item in value]
        return value

    async def originals(
        self, session: AsyncSession, conversation_id: uuid.UUID, tokens: Iterable[str]
    ) -> dict[str, tuple[str, str]]:
        """token → (kind, original) for those of `tokens` issued in this conversation."""
        wanted = {token for token in tokens if token_kind(token) is not None}
        if not wanted:
            return {}
        rows = await session.scalars(
            select(VaultEntry).where(
                VaultEntry.conversation_id == conversation_id, VaultEntry.token.in_(wanted)
            )
        )
        resolved: dict[str, tuple[str, str]] = {}
        for entry in rows:
            original = self._open(entry)
            if original is not None:
                resolved[entry.token] = (entry.kind, original)
        return resolved

    async def resolve(self, session: AsyncSession, conversation_id: uuid.UUID, value: str) -> str | None:
        """The original of the token `value` in this conversation; None if it is none of its tokens."""
        found = await self.originals(session, conversation_id, [digits(value)])
        return found[digits(value)][1] if found else None

    async def resolve_json(self, session: AsyncSession, conversation_id: uuid.UUID, value: Any) -> Any:
        """`value` (a JSON body, changed in place) with this conversation's tokens resolved:
        whole strings, and tokens inside a longer text (a complaint's description)."""
        runs = {m.group() for text in _strings(value) for m in _TOKEN_RUN.finditer(text)}
        originals = await self.originals(session, conversation_id, runs)
        if not originals:
            return value
        plain = {token: original for token, (_, original) in originals.items()}
        return _replace(value, lambda text: _TOKEN_RUN.sub(lambda m: plain.get(m.group(), m.group()), text))

    async def reveal(self, session: AsyncSession, conversation_id: uuid.UUID, text: str) -> str:
        """`text` (a bot reply) with this conversation's tokens shown as masked originals."""
        runs = [(m.start(), m.end(), m.group()) for m in _TOKEN_RUN.finditer(text)]
        originals = await self.originals(session, conversation_id, [run for _, _, run in runs])
        for start, end, run in reversed(runs):
            if run in originals:
                kind, original = originals[run]
                text = text[:start] + mask(kind, original) + text[end:]
        return text

    async def reveal_json(self, session: AsyncSession, conversation_id: uuid.UUID, value: Any) -> Any:
        """`value` (a custom reply: a list's rows) revealed as `reveal` does, in every string
        but a `payload` or `id`, which go back to Rasa."""
        if isinstance(value, str):
            return await self.reveal(session, conversation_id, value)
        if isinstance(value, dict):
            return {
                key: item
                if key in ("payload", "id")
                else await self.reveal_json(session, conversation_id, item)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [await self.reveal_json(session, conversation_id, item) for item in value]
        return value


def _associated(conversation_id: uuid.UUID, token: str) -> bytes:
    return conversation_id.bytes + token.encode()


def _field_data(field: str, owner: uuid.UUID | str) -> bytes:
    return f"field:{field}:{owner}".encode()


def _pending(session: AsyncSession, conversation_id: uuid.UUID, digest: str) -> str | None:
    """A token added to `session` earlier in this turn and not yet flushed."""
    for obj in session.new:
        if isinstance(obj, VaultEntry) and obj.conversation_id == conversation_id and obj.digest == digest:
            return obj.token
    return None


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _replace(value: Any, change: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        for key, item in value.items():
            value[key] = _replace(item, change)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            value[index] = _replace(item, change)
    return value


_installed: Vault | None = None


def install(vault: Vault) -> None:
    """The gateway's vault, from `AW_DATA_KEY` (api/main.py at start-up)."""
    global _installed
    _installed = vault


def current() -> Vault:
    """The installed vault; before `install`, one with a random key of this process."""
    global _installed
    if _installed is None:
        _installed = Vault(os.urandom(32))
    return _installed


def install_key(settings: Settings) -> None:
    """The vault and the sealed columns (api/privacy/sealing.py) from `AW_DATA_KEY` (a random
    key of the process when it is empty, which settings allow only outside production). Before
    migrating: a migration may encrypt."""
    key = settings.data_key.get_secret_value()
    if key:
        install(Vault(key))
        sealing.install(key.encode())
    else:
        logger.warning(
            "AW_DATA_KEY is not set: identifiers typed before a restart cannot be resolved after it"
        )


def start(settings: Settings) -> None:
    """At the gateway's start, before migrations: the keys (`install_key`), and the gateway's
    SQLite files (with their -wal and -shm) readable by their owner alone, however they were
    created."""
    install_key(settings)
    for path in (settings.sqlite_path(), _sqlite_path(settings.simulators_database_url)):
        if path is not None:  # created 600 if missing: SQLite then creates -wal and -shm 600
            path.parent.mkdir(parents=True, exist_ok=True)
            owner_only(path, create=True)


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)
