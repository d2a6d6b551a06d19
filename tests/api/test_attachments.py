"""api/attachments: kinds by content, sanitised names, the channels' limits, the storage."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from api.attachments import files, kinds, limits, names
from api.attachments.kinds import Kind
from api.attachments.sealed import SealedStorage
from api.attachments.storage import LocalStorage

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"\x00" * 64


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


# A whole 1×1 PNG (the metadata tests walk its chunks).
PNG_IMAGE = (
    b"\x89PNG\r\n\x1a\n"
    + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    + _png_chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
    + _png_chunk(b"IEND", b"")
)


@pytest.mark.parametrize(
    ("data", "kind"), [(JPEG, Kind.JPEG), (PNG, Kind.PNG), (WEBP, Kind.WEBP), (PDF, Kind.PDF)]
)
def test_the_kind_is_read_from_the_content(data: bytes, kind: Kind) -> None:
    assert kinds.sniff(data) is kind


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00" + b"\x00" * 64,  # a Windows executable
        b"<html><script>alert(1)</script>",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b"GIF89a" + b"\x00" * 16,
        b"RIFF\x24\x00\x00\x00WAVEfmt ",  # RIFF, but audio
        b"\xff\xd8",  # a JPEG cut short
        b"",
    ],
)
async def test_other_content_is_no_kind_whatever_its_name(data: bytes) -> None:
    assert kinds.sniff(data) is None
    with pytest.raises(files.Rejected) as refused:
        await files.check(data, "foto.jpg", "web")
    assert refused.value.reason in ("unsupported", "empty")


async def test_a_check_gives_the_kind_the_content_is_not_the_one_declared() -> None:
    checked = await files.check(PDF, "scan-ktp.jpg", "web")
    assert (checked.kind, checked.content_type, checked.filename) == (
        Kind.PDF,
        "application/pdf",
        "scan-ktp.pdf",
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd", "passwd.jpg"),
        ("C:\\Users\\budi\\Foto KTP.jpeg", "Foto KTP.jpg"),
        ('<img src=x onerror="alert(1)">.jpg', "img src_x onerror__alert(1).jpg"),
        ("laporan\u202egpj.exe", "laporangpj.jpg"),  # a right-to-left override
        ("   ", "berkas.jpg"),
        (None, "berkas.jpg"),
        (".htaccess", "berkas.jpg"),
        ("a" * 300 + ".png", "a" * names.MAX_STEM + ".jpg"),
        ("Surat keterangan 📄.pdf", "Surat keterangan.jpg"),
    ],
)
def test_file_names_are_sanitised(given: str | None, expected: str) -> None:
    assert names.sanitise(given, Kind.JPEG) == expected


async def test_each_channel_has_its_limit() -> None:
    assert limits.max_bytes("telegram") == 20 * limits.MIB
    assert limits.max_bytes("web") == 10 * limits.MIB
    assert limits.max_bytes("sms") == min(limits.MAX_BYTES.values())
    too_big = JPEG + b"\x00" * limits.max_bytes("web")
    with pytest.raises(files.Rejected) as refused:
        await files.check(too_big, "foto.jpg", "web")
    assert refused.value.reason == "too_large"
    assert "10 MB" in refused.value.text
    assert (await files.check(too_big, "foto.jpg", "telegram")).kind is Kind.JPEG


async def test_the_local_storage_keeps_owner_only_files(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "attachments")
    key = "0123456789abcdef0123456789abcdef"
    await storage.put(key, PNG)
    assert await storage.get(key) == PNG
    path = tmp_path / "attachments" / "01" / key
    assert path.stat().st_mode & 0o777 == 0o600
    assert await storage.keys() == [key]
    await storage.delete(key)
    await storage.delete(key)  # twice is fine
    assert await storage.get(key) is None
    assert await storage.keys() == []


@pytest.mark.parametrize("key", ["../../etc/passwd", "0123", "ZZ23456789abcdef0123456789abcdef", ""])
async def test_the_storage_takes_no_path_from_outside(tmp_path: Path, key: str) -> None:
    storage = LocalStorage(tmp_path)
    with pytest.raises(ValueError):
        await storage.get(key)


async def test_files_are_sealed_at_rest(tmp_path: Path) -> None:
    disk = LocalStorage(tmp_path)
    sealed = SealedStorage(disk)
    key, other = "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"
    await sealed.put(key, JPEG)
    at_rest = await disk.get(key)
    assert at_rest is not None and JPEG not in at_rest and not at_rest.startswith(JPEG[:3])
    assert await sealed.get(key) == JPEG
    await disk.put(other, at_rest)  # moved to another key: does not open
    assert await sealed.get(other) is None


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


async def test_a_photos_hidden_metadata_is_taken_out() -> None:
    app0 = _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    exif = _segment(0xE1, b"Exif\x00\x00GPSLatitude -6.2088 GPSLongitude 106.8456")
    iptc = _segment(0xED, b"Photoshop 3.0\x00 Budi Santoso")
    tables = _segment(0xDB, b"\x00" + bytes(range(64)))
    scan = b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00" + b"\x12\x34\xff\x00\x56" + b"\xff\xd9"
    photo = b"\xff\xd8" + app0 + exif + iptc + tables + scan
    checked = await files.check(photo, "rumah.jpg", "web")
    assert checked.data == b"\xff\xd8" + app0 + tables + scan
    assert b"GPS" not in checked.data and b"Budi" not in checked.data

    text = b"Comment\x00lokasi rumah Budi"
    png_text = struct.pack(">I", len(text)) + b"tEXt" + text + struct.pack(">I", zlib.crc32(b"tEXt" + text))
    end = PNG_IMAGE.rindex(b"\x00\x00\x00\x00IEND")
    with_text = PNG_IMAGE[:end] + png_text + PNG_IMAGE[end:]
    assert (await files.check(with_text, "a.png", "web")).data == PNG_IMAGE


async def test_what_follows_the_image_is_cut() -> None:
    """A phone's "motion photo" video, or a second image with its own EXIF, after the end of
    the first image's data is not kept."""
    app0 = _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    scan = b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00" + b"\x12\xff\x00\xff\xd3\x56" + b"\xff\xd9"
    second = b"\xff\xd8" + _segment(0xE1, b"Exif\x00\x00GPSLatitude -6.2088") + scan
    video = b"\x00\x00\x00\x18ftypmp42 rekaman rumah"
    photo = b"\xff\xd8" + app0 + scan
    assert (await files.check(photo + second + video, "foto.jpg", "web")).data == photo


async def test_a_file_of_endless_tiny_parts_is_kept_as_it_came() -> None:
    """Built to make the walk long (fill bytes, empty segments, empty chunks): it stops after a
    bounded number of steps and keeps the file unchanged, as it does any file it cannot read."""
    fill = b"\xff\xd8" + b"\xff" * 100_000 + b"\xda\x00\x02\xff\xd9"
    assert (await files.check(fill, "a.jpg", "web")).data == fill
    segments = b"\xff\xd8" + b"\xff\xe0\x00\x02" * 100_000 + b"\xff\xda\x00\x02\xff\xd9"
    assert (await files.check(segments, "a.jpg", "web")).data == segments
    empty = struct.pack(">I", 0) + b"tEXt" + struct.pack(">I", zlib.crc32(b"tEXt"))
    chunks = PNG_IMAGE[:8] + empty * 100_000 + PNG_IMAGE[8:]
    assert (await files.check(chunks, "a.png", "web")).data == chunks


async def test_a_photo_that_does_not_parse_is_kept_as_it_came() -> None:
    cut = b"\xff\xd8" + _segment(0xE1, b"Exif\x00\x00" + b"x" * 40)[:20]  # a segment cut short
    assert (await files.check(cut, "a.jpg", "web")).data == cut
    assert (await files.check(JPEG, "a.jpg", "web")).data == JPEG


@pytest.mark.parametrize("order", ["<", ">"])
async def test_a_photos_orientation_is_kept_without_the_rest(order: str) -> None:
    marker = b"II" if order == "<" else b"MM"
    entries = [
        struct.pack(order + "HHII", 0x010F, 2, 6, 0),  # Make (a pointer we never follow)
        struct.pack(order + "HHIHH", 0x0112, 3, 1, 6, 0),  # Orientation: rotate 90°
        struct.pack(order + "HHII", 0x8825, 4, 1, 0),  # the GPS IFD pointer
    ]
    ifd = struct.pack(order + "H", len(entries)) + b"".join(entries) + struct.pack(order + "I", 0)
    tiff = marker + struct.pack(order + "HI", 42, 8) + ifd + b"GPS -6.2088 106.8456"
    photo = b"\xff\xd8" + _segment(0xE1, b"Exif\x00\x00" + tiff) + b"\xff\xda\x00\x02" + b"\x01\x02\xff\xd9"
    kept = (await files.check(photo, "ktp.jpg", "web")).data
    assert b"GPS" not in kept
    minimal = b"MM\x00\x2a" + struct.pack(">IHHHIHHI", 8, 1, 0x0112, 3, 1, 6, 0, 0)
    assert (
        kept == b"\xff\xd8" + _segment(0xE1, b"Exif\x00\x00" + minimal) + b"\xff\xda\x00\x02\x01\x02\xff\xd9"
    )
