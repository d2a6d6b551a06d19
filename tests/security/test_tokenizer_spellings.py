"""Identifiers reach Rasa as tokens however the citizen spells them (api/privacy/shapes.py,
api/privacy/vault.py): glued to a word, an international number with spaces, an operator
prefix in parentheses, full-width digits; and one phone number written three ways is one
token in a conversation. What is stored is masked the same way."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI

from api.privacy.shapes import token_kind
from api.privacy.vault import Vault
from tests.api.identity_support import new_conversation

pytestmark = pytest.mark.asyncio

NIK = "3273014508950001"
PHONE = "81234567890"  # the subscriber part every spelling below shares

SPELLINGS = {
    "NIK3273014508950001": ("nik", NIK),
    "nik saya NIK3273014508950001.": ("nik", NIK),
    "+62 812 3456 7890": ("phone", PHONE),
    "(0812) 3456-7890": ("phone", PHONE),
    "hp saya +62-812-3456-7890 ya": ("phone", PHONE),
    "".join(chr(ord(digit) + 0xFF10 - ord("0")) for digit in NIK): ("nik", NIK),  # full-width
}


def tokens_in(text: str) -> list[str]:
    return [run for run in re.findall(r"\d+", text) if token_kind(run) is not None]


@pytest.mark.parametrize("typed", list(SPELLINGS))
async def test_every_spelling_reaches_rasa_as_a_token(app: FastAPI, typed: str) -> None:
    kind, digits = SPELLINGS[typed]
    vault = Vault("a key of sixteen characters or more")
    conversation = await new_conversation(app)
    async with app.state.sessionmaker() as session:
        for_rasa, stored = await vault.tokenize(session, conversation, typed)
        originals = await vault.originals(session, conversation, tokens_in(for_rasa))
    assert digits not in re.sub(r"\D", "", for_rasa), for_rasa
    assert [k for k, _ in originals.values()] == [kind], for_rasa
    assert digits not in re.sub(r"\D", "", stored), stored
    assert stored.endswith(("0001", "0001.", "7890", "7890 ya")), stored


async def test_one_phone_number_written_three_ways_is_one_token(app: FastAPI) -> None:
    vault = Vault("a key of sixteen characters or more")
    conversation = await new_conversation(app)
    async with app.state.sessionmaker() as session:
        for_rasa = [
            (await vault.tokenize(session, conversation, typed)).text
            for typed in ("081234567890", "+6281234567890", "hp 62 812 3456 7890")
        ]
        await session.commit()
    tokens = {token for text in for_rasa for token in tokens_in(text)}
    assert len(tokens) == 1, for_rasa


@pytest.mark.parametrize("typed", ["bil 2026 000888 lunas?", "status ADM 2026 000945", "SKCK/2026/000931"])
def test_case_numbers_typed_with_spaces_or_slashes_are_no_identifiers(typed: str) -> None:
    """A case number's digits ("2026 000888": a NISN's ten) stay as typed, for Rasa to read."""
    from api.privacy.shapes import find_identifiers, normalized

    assert find_identifiers(normalized(typed)) == []
