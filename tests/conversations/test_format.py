"""The conversation files (issue 18) load and are valid, and the harness's own pieces (format
checks, placeholders, turn checks) do what the files rely on. No assistant is started here."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulators.seed import sample
from tests.conversations import placeholders
from tests.conversations.checks import choices, failures, fallback_markers, reply_text
from tests.conversations.harness import load_checked
from tests.conversations.model import CLASSES, CORPUS_DIR, DEV_DIR, SERVICES, Expect, FormatError, files, load

ALL_FILES = files(CORPUS_DIR) + files(DEV_DIR)


def test_every_corpus_and_dev_file_loads_with_resolvable_placeholders() -> None:
    conversations = load_checked(ALL_FILES)  # raises FormatError listing every problem
    assert files(DEV_DIR), "the dev set is missing"
    assert len({c.id for c in conversations}) == len(conversations)


def test_the_dev_set_covers_every_service_and_class() -> None:
    conversations = load(files(DEV_DIR))
    assert {path.stem for path in files(DEV_DIR)} >= {c.service for c in conversations}
    assert {c.service for c in conversations} == set(SERVICES)  # the nine, journeys and general
    assert {name for c in conversations for name in c.classes} == CLASSES


GOOD = """
service: health
conversations:
  - id: health-one
    classes: [happy_path]
    persona: bpjs_active
    turns:
      - user: "cek bpjs, nik {persona.nik}"
      - user: "{otp}"
        expect:
          contains_all: ["{persona.card_number:masked}"]
"""


def write(tmp_path: Path, text: str, name: str = "health.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_file_loads(tmp_path: Path) -> None:
    [conversation] = load_checked([write(tmp_path, GOOD)])
    assert (conversation.id, conversation.persona, len(conversation.turns)) == (
        "health-one",
        "bpjs_active",
        2,
    )


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("service: health", "service: dentist"), "service"),
        (("id: health-one", "id: Health_One"), "kebab-case"),
        (("id: health-one", "id: police-one"), "start with `health-`"),
        (("[happy_path]", "[happy]"), "unknown classes"),
        (("[happy_path]", "[]"), "non-empty list"),
        (("persona: bpjs_active", "persona: nobody"), "unknown persona"),
        (("contains_all", "contains_some"), "unknown checks"),
        (("contains_all", "not_contains"), "no turn checks content"),
        (('      - user: "{otp}"', '      - user: "{otp}"\n        click: x'), "exactly one of"),
    ],
)
def test_a_broken_file_is_refused(tmp_path: Path, change: tuple[str, str], problem: str) -> None:
    with pytest.raises(FormatError, match=problem.replace("[", r"\[")):
        load_checked([write(tmp_path, GOOD.replace(*change))])


def test_ids_are_unique_across_files(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with pytest.raises(FormatError, match="also in"):
        load([write(tmp_path / "a", GOOD), write(tmp_path / "b", GOOD)])


@pytest.mark.parametrize(
    "template",
    [
        "{persona.nisn}",
        "{persona.birth_date:%Q-%d}x{nothing}",
        "{fact.no.such.fact}",
        "{persona.nik:shout}",
        "{ x",
    ],
)
def test_unresolvable_placeholders_are_refused(tmp_path: Path, template: str) -> None:
    with pytest.raises(FormatError):
        load_checked([write(tmp_path, GOOD.replace("cek bpjs, nik {persona.nik}", template))])


def test_otp_needs_a_persona(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="otp"):
        load_checked([write(tmp_path, GOOD.replace("    persona: bpjs_active\n", ""))])


def test_placeholders_resolve_as_the_replies_write() -> None:
    member = sample("bpjs_active")  # nik 1709107108840021, card 0004861326592, born 1984-08-31
    assert (
        placeholders.resolve("{persona.nik:masked}", member)
        == f"{member['nik'][:4]}********{member['nik'][-4:]}"
    )
    assert (
        placeholders.resolve("{persona.card_number:masked}", member)
        == "*********" + member["card_number"][-4:]
    )
    assert placeholders.resolve("{persona.phone:masked}", member) == "*" * 8 + member["phone"][-4:]
    assert placeholders.resolve("{persona.birth_date:%d %B %Y}", member) == "31 Agustus 1984"
    assert (
        placeholders.resolve("{persona.birth_date:id-long}", {"birth_date": "1977-02-07"})
        == "7 Februari 1977"
    )
    assert placeholders.resolve("{persona.birth_date:%d-%m-%Y}", member) == "31-08-1984"
    assert placeholders.resolve("{persona.nik:spaced}", member) == "1709 1071 0884 0021"
    assert placeholders.resolve("{persona.plate:lower:compact}", {"plate": "BA 9263 RRV"}) == "ba9263rrv"
    assert placeholders.resolve("{persona.name:masked}", {"name": "Budi Santoso"}) == "BUDI S******"
    assert placeholders.resolve("{{a}} {fact.bpjs.contribution.class2}", None) == "{a} Rp100.000"
    assert placeholders.resolve("{fact.passport.fee.electronic_5y}", None) == "Rp650.000"
    assert placeholders.resolve("{basis.bpjs.contribution.class2}", None) == "Perpres 64/2020 Pasal 34"
    assert placeholders.resolve("kode {otp}", member, lambda: "123456") == "kode 123456"


def test_masking_matches_the_gateway() -> None:
    """The gateway's own reveal of a token (api/privacy/vault.py) masks with shapes.mask."""
    from api.privacy.shapes import masked_text

    member = sample("bpjs_active")
    shown = masked_text(f"NIK {member['nik']}, kartu {member['card_number']}")
    assert placeholders.masked(member["nik"]) in shown
    assert placeholders.masked(member["card_number"]) in shown


REPLIES = [
    {
        "author": "bot",
        "text": "Status: Aktif\nNomor  kartu: *********6592",
        "buttons": [{"title": "Menu utama", "payload": "/m"}],
    },
    {
        "author": "bot",
        "type": "list",
        "text": "Pilih:",
        "sections": [{"rows": [{"title": "Kelas II", "payload": "/k"}]}],
    },
]


def test_checks_over_the_replies() -> None:
    text, offered = reply_text(REPLIES), choices(REPLIES)
    assert set(offered) == {"Menu utama", "Kelas II"}

    def broken(**checks: object) -> list[str]:
        return [f.check for f in failures(Expect(**checks), text, offered, lambda t: t)]  # type: ignore[arg-type]

    assert broken(contains_any=("nomor kartu: ***", "nope"), contains_all=("STATUS: aktif", "kelas ii")) == []
    assert broken(contains_any=("nope",)) == ["contains_any"]
    assert broken(contains_all=("aktif", "nope")) == ["contains_all"]
    assert broken(not_contains=("6592",)) == ["not_contains"]
    assert broken(buttons_include=("menu utama",)) == []
    assert broken(buttons_include=("Bayar",)) == ["buttons_include"]
    assert broken(no_fallback=True) == []


@pytest.mark.parametrize(
    "raw", ["Biaya {fact.skck.fee}", "Data SIM atas nama {name}:", "Status: None", "{'a': 1}"]
)
def test_raw_text_fails_every_turn(raw: str) -> None:
    [failure] = failures(Expect(), raw, {}, lambda t: t)
    assert failure.check == "raw_text"


def test_the_fallback_texts_come_from_the_domain() -> None:
    markers = fallback_markers()
    assert "maaf, saya belum memahami pesan anda." in markers
    assert any("untuk layanan apa" in marker for marker in markers)
    assert not any(marker.startswith("kode billing") for marker in markers)  # a real question, no fallback
    said = reply_text([{"text": "Maaf, saya belum memahami pesan Anda. Saya dapat membantu ..."}])
    assert [f.check for f in failures(Expect(no_fallback=True), said, {}, lambda t: t)] == ["no_fallback"]
