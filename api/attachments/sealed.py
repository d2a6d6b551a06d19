"""Files sealed at rest: a `Storage` that encrypts what it hands to another (AES-256-GCM under
`AW_DATA_KEY`, as the sealed columns: api/privacy/sealing.py), bound to the file's key, so a
copied disk, backup or bucket shows no KTP photo and a file moved to another key does not
open. A file that does not open (another key) reads as gone."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from api.attachments.storage import Storage
from api.privacy import sealing

logger = logging.getLogger(__name__)


def _purpose(key: str) -> str:
    return f"attachments:{key}"


class SealedStorage:
    def __init__(self, inner: Storage) -> None:
        self._inner = inner

    async def put(self, key: str, data: bytes) -> None:
        await self._inner.put(key, sealing.current().seal_bytes(_purpose(key), data))

    async def get(self, key: str) -> bytes | None:
        stored = await self._inner.get(key)
        if stored is None:
            return None
        data = sealing.current().open_bytes(_purpose(key), stored)
        if data is None:
            logger.warning("attachment does not open (another key?)")
        return data

    async def delete(self, key: str) -> None:
        await self._inner.delete(key)

    async def keys(self, older_than_seconds: float) -> Iterable[str]:
        return await self._inner.keys(older_than_seconds)
