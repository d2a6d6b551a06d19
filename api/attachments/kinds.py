"""The file kinds the assistant accepts, recognised by their content (magic bytes)."""

from __future__ import annotations

import enum


class Kind(enum.StrEnum):
    JPEG = "jpeg"
    PNG = "png"
    WEBP = "webp"
    PDF = "pdf"


CONTENT_TYPES: dict[Kind, str] = {
    Kind.JPEG: "image/jpeg",
    Kind.PNG: "image/png",
    Kind.WEBP: "image/webp",
    Kind.PDF: "application/pdf",
}
EXTENSIONS: dict[Kind, str] = {Kind.JPEG: "jpg", Kind.PNG: "png", Kind.WEBP: "webp", Kind.PDF: "pdf"}
IMAGES = frozenset({Kind.JPEG, Kind.PNG, Kind.WEBP})

# The bytes needed to tell the kinds apart.
HEAD_BYTES = 12


def sniff(data: bytes) -> Kind | None:
    """The kind of `data` by its signature; None for anything else (an executable renamed
    foto.jpg, an HTML page, an SVG with scripts, a GIF, a truncated file)."""
    if data.startswith(b"\xff\xd8\xff"):
        return Kind.JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return Kind.PNG
    if len(data) >= HEAD_BYTES and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return Kind.WEBP
    if data.startswith(b"%PDF-"):
        return Kind.PDF
    return None


def is_image(kind: Kind) -> bool:
    return kind in IMAGES
