"""Issue 16, part 3, through the whole stack: after the e2e suite (this module runs last, by
its name), neither Rasa's tracker database nor any log of the three services holds a NIK, KK
number, BPJS card number, NISN, CASN number or phone number of the citizens the tests typed;
and every database and log the stack created is readable by its owner alone.

It first has a conversation of its own, so that it also means something when run alone.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path

import httpx
from lokal import parse_nik

from simulators.seed import citizen_by_nik, sample
from tests.e2e.conftest import Conversation, Stack

# The personas the e2e tests chat as (tests/e2e/test_services.py, test_call_center.py).
PERSONAS = ("bpjs_active", "pip_recipient", "adult", "casn_passed", "sim_renewable", "bansos_pkh")
FIELDS = ("nik", "kk_number", "card_number", "nisn", "participant_number")
PHONE = "081234567890"
SIXTEEN_DIGITS = re.compile(rb"(?<!\d)\d{16}(?!\d)")
# Not inside a hexadecimal run (the conversation ids in every log line).
MOBILE = re.compile(rb"(?<![0-9a-fA-F+])(?:\+?62|0)8\d{8,11}(?![0-9a-fA-F])")


def _written(stack: Stack) -> dict[Path, bytes]:
    """Rasa's tracker database (with its journal) and every log of the run."""
    workdir = stack.log_dir.parent
    files = [*workdir.glob("tracker.db*"), *stack.log_dir.glob("*.log"), workdir / "run.log"]
    return {path: path.read_bytes() for path in files if path.is_file()}


def _sms_code(stack: Stack, phone: str) -> str:
    """The latest code the simulated SMS provider "sent" to `phone`."""
    response = httpx.get(
        f"{stack.service_url}/api/v1/identity/simulated-sms",
        params={"to": phone},
        headers=stack.service_headers,
        timeout=30,
    )
    response.raise_for_status()
    code = re.search(r"\b(\d{6})\b", response.json()["messages"][-1]["text"])
    assert code, "no code in the SMS"
    return code[1]


def test_no_identifier_in_the_tracker_or_the_logs(stack: Stack, citizen: Conversation) -> None:
    member = sample("bpjs_active")
    assert "NIK" in citizen.say("Kartu BPJS Kesehatan saya masih aktif atau tidak ya?")
    assert "tanggal lahir" in citizen.say(f"NIK saya {member['nik']}")
    year, month, day = member["birth_date"].split("-")
    # The birth date alone opens nothing: the citizen types the code sent by SMS to the number
    # registered with Dukcapil (identity verification), read here from the simulated outbox
    # on the gateway's internal listener, with the run's service token.
    assert "kode 6 digit" in citizen.say(f"{day}-{month}-{year}")
    reply = citizen.say(_sms_code(stack, member["otp_phone"]))
    citizen.say(f"kalau perlu hubungi saya di {PHONE}")

    identifiers = {
        sample(persona)[field] for persona in PERSONAS for field in FIELDS if sample(persona).get(field)
    } | {PHONE}
    written = _written(stack)
    assert any(path.name == "tracker.db" for path in written), sorted(written)
    leaks = {
        f"{path.name}: {value[:4]}…"
        for path, content in written.items()
        for value in identifiers
        if value.encode() in content
    }
    # Any seeded citizen's NIK or KK number, not only those typed here; any mobile number.
    for path, content in written.items():
        for run in SIXTEEN_DIGITS.findall(content):
            number = run.decode()
            if parse_nik(number).valid and citizen_by_nik(number) is not None:
                leaks.add(f"{path.name}: NIK {number[:4]}…")
        leaks.update(f"{path.name}: phone {m[:4].decode()}…" for m in MOBILE.findall(content))
    assert not leaks, sorted(leaks)
    # The card number the ministry returned reached the citizen, masked by the gateway.
    assert f"*********{member['card_number'][-4:]}" in reply and member["card_number"] not in reply


def test_databases_and_logs_are_their_owners_alone(stack: Stack) -> None:
    workdir = stack.log_dir.parent
    created = [*workdir.glob("*.db"), *stack.log_dir.glob("*.log")]
    assert {path.name for path in created} >= {"tracker.db", "gateway.db", "simulators.db", "rasa.log"}
    open_to_others = {
        path.name: oct(stat.S_IMODE(path.stat().st_mode))
        for path in created
        if stat.S_IMODE(path.stat().st_mode) & 0o077
    }
    assert not open_to_others
