"""The file name shown to people and sent in Content-Disposition: no path, no control or
markup characters, bounded, and with the extension of the kind the content really is."""

from __future__ import annotations

import re
import unicodedata

from api.attachments.kinds import EXTENSIONS, Kind

MAX_STEM = 80
FALLBACK_STEM = "berkas"

_UNSAFE = re.compile(r"[^\w .()+-]", re.UNICODE)
_SPACES = re.compile(r"\s+")


def sanitise(name: str | None, kind: Kind) -> str:
    """`name` as a safe file name ending in the kind's extension; "berkas.<ext>" when
    nothing usable is left."""
    extension = EXTENSIONS[kind]
    raw = unicodedata.normalize("NFKC", name or "")
    raw = re.split(r"[/\\]", raw)[-1]  # a path's last part only
    raw = "".join(char for char in raw if unicodedata.category(char)[0] not in ("C", "Z") or char == " ")
    stem, dot, given_extension = raw.rpartition(".")
    if not dot:
        stem = raw
    stem = _SPACES.sub(" ", _UNSAFE.sub("_", stem)).strip(" ._-")[:MAX_STEM].strip(" ._-")
    return f"{stem or FALLBACK_STEM}.{extension}"
