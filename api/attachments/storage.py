"""Where attachment bytes are kept. `Storage` is what the gateway needs of a store; a
production object store (S3, GCS, MinIO) implements the same four calls. `LocalStorage`,
the embedded default, keeps one owner-only file per attachment under var/attachments/."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

_KEY = re.compile(r"^[0-9a-f]{32}$")


class Storage(Protocol):
    async def put(self, key: str, data: bytes) -> None: ...

    async def get(self, key: str) -> bytes | None:
        """The bytes under `key`; None when they are gone."""
        ...

    async def delete(self, key: str) -> None: ...

    async def keys(self, older_than_seconds: float) -> Iterable[str]:
        """The keys stored at least that long ago (the sweep of files whose conversation is
        gone leaves alone a file whose row is being committed)."""
        ...


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self._root = root

    def _path(self, key: str) -> Path:
        if not _KEY.match(key):  # never a path from outside
            raise ValueError("malformed storage key")
        return self._root / key[:2] / key

    async def put(self, key: str, data: bytes) -> None:
        await asyncio.to_thread(self._write, self._path(key), data)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        partial = path.with_suffix(".part")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(partial, path)  # a reader never sees half a file

    async def get(self, key: str) -> bytes | None:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None

    async def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            await asyncio.to_thread(self._path(key).unlink)

    async def keys(self, older_than_seconds: float = 0.0) -> list[str]:
        return await asyncio.to_thread(self._list, older_than_seconds)

    def _list(self, older_than_seconds: float) -> list[str]:
        if not self._root.is_dir():
            return []
        cutoff = time.time() - older_than_seconds
        found = []
        for path in self._root.glob("??/*"):
            with contextlib.suppress(FileNotFoundError):
                if _KEY.match(path.name) and path.stat().st_mtime <= cutoff:
                    found.append(path.name)
        return found
