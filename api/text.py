"""Text of the gateway runtime: cleaning what citizens and agents send, and fitting what
the channels send into their limits. (The Rasa runtime has its own: bot/text.py.)"""

from __future__ import annotations

import unicodedata

_KEEP = {"\n", "\t"}


def clean_text(value: str) -> str:
    """Drop control characters (except newline and tab) and lone surrogates; trim.

    Format characters such as the zero-width joiner stay: emoji sequences need them.
    """
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    kept = (char for char in value if char in _KEEP or unicodedata.category(char) not in ("Cc", "Cs"))
    return "".join(kept).strip()


# Break long text preferably between paragraphs, then lines, sentences, words.
_BREAKS = ("\n\n", "\n", ". ", " ")


def utf16_length(text: str) -> int:
    """Length as Telegram and WhatsApp count it (UTF-16 code units: an emoji counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def _fitting_prefix(text: str, limit: int) -> int:
    """How many characters of `text` fit in `limit` UTF-16 units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def split_text(text: str, limit: int) -> list[str]:
    """Split `text` into parts of at most `limit` UTF-16 units, at the most natural break
    in the second half of each part (a hard cut only for a part without any)."""
    if limit < 2:
        raise ValueError("limit too small")
    parts: list[str] = []
    rest = text.strip()
    while utf16_length(rest) > limit:
        cut = _fitting_prefix(rest, limit)
        window = rest[:cut]
        at = cut
        for separator in _BREAKS:
            found = window.rfind(separator)
            if found >= cut // 2:
                at = found + len(separator.rstrip(" ")) if separator == ". " else found
                break
        part, rest = rest[:at].rstrip(), rest[at:].lstrip()
        if part:
            parts.append(part)
    if rest:
        parts.append(rest)
    return parts


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
