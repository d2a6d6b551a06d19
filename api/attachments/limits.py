"""How large a file each channel may bring in (bytes).

- web (the widget) and console (an agent's document): 10 MiB, enough for a phone photo or a
  scanned requirements sheet, small enough for a slow connection to finish.
- telegram: 20 MiB, the most the Bot API's getFile lets a bot download.
- whatsapp: 16 MiB; Meta caps images at 5 MB and documents at 100 MB, and a document larger
  than this is rarely a citizen's paper.

Outward, an agent's file keeps within each channel's sending limits (connectors/*/media.py).
"""

from __future__ import annotations

MIB = 1024 * 1024

MAX_BYTES: dict[str, int] = {
    "web": 10 * MIB,
    "console": 10 * MIB,
    "telegram": 20 * MIB,
    "whatsapp": 16 * MIB,
}


def max_bytes(channel: str) -> int:
    """The limit of `channel` (the smallest for one not listed)."""
    return MAX_BYTES.get(channel, min(MAX_BYTES.values()))


def largest_upload() -> int:
    """The largest body an upload route takes (the HTTP body limit for those routes)."""
    return max(MAX_BYTES["web"], MAX_BYTES["console"])
