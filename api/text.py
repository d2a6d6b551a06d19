"""Cleaning of text received from citizens."""

import unicodedata

_KEEP = {"\n", "\t"}


def clean_text(value: str) -> str:
    """Drop control characters (except newline and tab) and lone surrogates; trim.

    Format characters such as the zero-width joiner stay: emoji sequences need them.
    """
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    kept = (
        char for char in value if char in _KEEP or unicodedata.category(char) not in ("Cc", "Cs")
    )
    return "".join(kept).strip()
