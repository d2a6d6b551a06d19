import pytest

from bot.text import WordNormalizer, collapse_elongation, expand_slang


@pytest.fixture(scope="module")
def words():
    return WordNormalizer()


@pytest.mark.parametrize(
    ("typed", "normal"),
    [("gmn", "bagaimana"), ("udh", "sudah"), ("gak", "tidak"), ("ngga", "tidak"), ("brp", "berapa"),
     ("sy", "saya"), ("kk", "kk"), ("smp", "smp"), ("piye", "bagaimana"), ("kumaha", "bagaimana"),
     ("makasih", "terima kasih")],
)
def test_slang_and_regional_words(typed, normal):
    assert expand_slang(typed) == normal


def test_elongation_keeps_real_double_letters():
    assert collapse_elongation("halooooo") == "halo"
    assert collapse_elongation("maaaaf") == "maaf"
    assert collapse_elongation("bpjs") == "bpjs"


@pytest.mark.parametrize(
    ("token", "lemma"),
    [("Pendaftaran", "daftar"), ("didaftarkan", "daftar"), ("BPJS-nya", "bpjs"), ("Gimanaaa", "bagaimana"),
     ("3171011708450001", "3171011708450001"), ("pajaknya", "pajak")],
)
def test_tokens_get_normalised_stemmed_lemmas(words, token, lemma):
    assert words.normalize(token) == lemma


def test_stemming_can_be_switched_off():
    assert WordNormalizer(stem=False).normalize("pendaftaran") == "pendaftaran"
