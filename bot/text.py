"""Word normalisation for Indonesian chat text: slang, elongation, regional words, stems.

The slang lexicon is indoNLP's (about 4,300 entries); `_OVERRIDES` corrects it for public
services ("kk" is a family card here, not "kakak"; "smp"/"sma" are school levels) and adds
the Javanese and Sundanese words citizens mix in. Stems come from PySastrawi.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib import resources

from indoNLP.preprocessing import SLANG_DATA
from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

_OVERRIDES: dict[str, str] = {
    # Service vocabulary the general slang lexicon gets wrong.
    "kk": "kk", "smp": "smp", "sma": "sma", "no": "nomor", "nomer": "nomor", "nmr": "nomor",
    "dah": "sudah", "lom": "belum", "tq": "terima kasih", "thx": "terima kasih",
    "thanks": "terima kasih", "makasi": "terima kasih",
    # One word for "not", whatever the register.
    "enggak": "tidak", "engga": "tidak", "nggak": "tidak", "ngga": "tidak", "gak": "tidak",
    "ga": "tidak", "gk": "tidak", "g": "tidak", "kagak": "tidak", "tak": "tidak",
    # Javanese and Sundanese words common in chats.
    "piye": "bagaimana", "pripun": "bagaimana", "kumaha": "bagaimana", "opo": "apa",
    "ora": "tidak", "mboten": "tidak", "teu": "tidak", "nggih": "ya", "enggih": "ya",
    "abdi": "saya", "kulo": "saya", "aku": "saya", "gue": "saya", "gw": "saya",
    "karo": "dengan", "sampeyan": "anda", "panjenengan": "anda",
    "nuwun": "terima kasih", "nuhun": "terima kasih",
}
_ELONGATED = re.compile(r"([a-z])\1{2,}")
_HAS_DIGIT = re.compile(r"\d")
_JOINERS = re.compile(r"[-_/]+")
_CLITICS = frozenset({"nya", "ku", "mu", "lah", "kah", "pun"})


@cache
def _root_words() -> frozenset[str]:
    text = resources.files("Sastrawi.Stemmer").joinpath("data/kata-dasar.txt").read_text()
    return frozenset(text.split())


def is_known_word(word: str) -> bool:
    """True for an Indonesian root word or a form the slang lexicons know."""
    return word in _OVERRIDES or word in SLANG_DATA or word in _root_words()


def collapse_elongation(word: str) -> str:
    """"halooo" → "halo", "maaaaf" → "maaf": runs of 3+ letters to two if that is a word, else one."""
    if not _ELONGATED.search(word):
        return word
    two = _ELONGATED.sub(r"\1\1", word)
    return two if is_known_word(two) else _ELONGATED.sub(r"\1", word)


def expand_slang(word: str) -> str:
    """"gmn" → "bagaimana", "gak" → "tidak"; unknown words unchanged."""
    for _ in range(2):  # the lexicon sometimes maps to another slang form ("klo" → "kalo")
        word = _OVERRIDES.get(word) or SLANG_DATA.get(word) or word
    return word


class WordNormalizer:
    """Maps a token to the form the featurizers see; built once per NLU component."""

    def __init__(self, stem: bool = True) -> None:
        self._stemmer = StemmerFactory().create_stemmer() if stem else None

    # One normalizer lives as long as the process, so caching on the method keeps nothing alive longer.
    @lru_cache(maxsize=50_000)  # noqa: B019
    def normalize(self, token: str) -> str:
        word = token.lower()
        if _HAS_DIGIT.search(word):
            return word
        parts = [p for p in _JOINERS.split(word) if p and p not in _CLITICS] or [word]
        words = " ".join(expand_slang(collapse_elongation(p)) for p in parts).split()
        if self._stemmer:
            words = [self._stemmer.stem(w) or w for w in words]
        return " ".join(words)
