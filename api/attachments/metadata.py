"""Hidden metadata taken out of citizens' photos before they are kept: a phone photo's EXIF
can hold the GPS position of the citizen's home, the camera's serial number and the time it
was taken, which no agent needs. JPEG: the APP1 (EXIF, XMP) and APP13 (IPTC) segments go,
and a minimal EXIF with the photo's orientation alone takes their place (without it, a photo
taken upright shows sideways); PNG: the eXIf and text chunks go. The picture itself is
untouched (no re-encoding). WebP and PDF are kept as they are
(docs/privacy.md#files-and-photos)."""

from __future__ import annotations

import struct

from api.attachments.kinds import Kind

_JPEG_DROPPED = frozenset({0xE1, 0xED})  # APP1: EXIF and XMP; APP13: IPTC / Photoshop
_PNG_DROPPED = frozenset({b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"})
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A real photo's header has a few dozen JPEG segments and its PNG a few thousand chunks at
# most; a file built of millions of tiny ones is kept as it came rather than walked.
_MAX_STEPS = 8192


def strip(kind: Kind, data: bytes) -> bytes:
    """`data` without its metadata; as it was when it cannot be read as its kind."""
    if kind is Kind.JPEG:
        return _jpeg(data)
    if kind is Kind.PNG:
        return _png(data)
    return data


def _jpeg(data: bytes) -> bytes:
    """The segments before the image data (SOS), less the dropped ones, then the rest."""
    kept = [data[:2]]  # SOI
    position = 2
    for _ in range(_MAX_STEPS):
        if position + 4 > len(data):
            break
        if data[position] != 0xFF:
            return data  # not a marker where one belongs: leave the file alone
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xDA:  # start of scan: the image data follows, up to the end of the image
            end = data.find(b"\xff\xd9", position)
            # Past it: a phone's "motion photo" video or further images, each with its own
            # metadata. In the image data every 0xFF is followed by 0x00 or a restart marker.
            kept.append(data[position:] if end < 0 else data[position : end + 2])
            return b"".join(kept)
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        end = position + 2 + length
        if length < 2 or end > len(data):
            return data
        if marker not in _JPEG_DROPPED:
            kept.append(data[position:end])
        elif (turn := _orientation(data[position + 4 : end])) is not None:
            kept.append(_orientation_segment(turn))
        position = end
    return data


_EXIF = b"Exif\x00\x00"
_ORIENTATION_TAG = 0x0112


def _orientation(segment: bytes) -> int | None:
    """The Orientation (2-8) of an EXIF APP1 payload; None when absent, 1 or unreadable."""
    if not segment.startswith(_EXIF):
        return None
    tiff = segment[len(_EXIF) :]
    order = {b"II": "<", b"MM": ">"}.get(tiff[:2])
    if order is None or len(tiff) < 8:
        return None
    (ifd,) = struct.unpack(order + "I", tiff[4:8])
    if ifd + 2 > len(tiff):
        return None
    (count,) = struct.unpack(order + "H", tiff[ifd : ifd + 2])
    for index in range(min(count, 256)):
        entry = tiff[ifd + 2 + 12 * index : ifd + 14 + 12 * index]
        if len(entry) < 12:
            return None
        tag, kind = struct.unpack(order + "HH", entry[:4])
        if tag == _ORIENTATION_TAG and kind == 3:  # SHORT
            (value,) = struct.unpack(order + "H", entry[8:10])
            return value if 2 <= value <= 8 else None
    return None


def _orientation_segment(value: int) -> bytes:
    """An APP1 segment whose EXIF holds the orientation and nothing else."""
    ifd = struct.pack(">HHHIHH", 1, _ORIENTATION_TAG, 3, 1, value, 0) + struct.pack(">I", 0)
    payload = _EXIF + b"MM\x00\x2a" + struct.pack(">I", 8) + ifd
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def _png(data: bytes) -> bytes:
    kept = [_PNG_SIGNATURE]
    position = len(_PNG_SIGNATURE)
    for _ in range(_MAX_STEPS):
        if position + 12 > len(data):
            break
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        end = position + 12 + length
        if end > len(data):
            return data
        if kind not in _PNG_DROPPED:
            kept.append(data[position:end])
        position = end
        if kind == b"IEND":
            return b"".join(kept)
    return data
