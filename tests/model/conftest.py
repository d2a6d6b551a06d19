"""The trained model under test: `make test` trains it (Rasa skips training when nothing changed)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
MODEL = ROOT / "models" / "asisten-warga.tar.gz"
RASA = str(Path(sys.executable).parent / "rasa")


def rasa(*args: str) -> subprocess.CompletedProcess:
    """Runs the rasa CLI of this runtime from the repository root."""
    return subprocess.run([RASA, *args], cwd=ROOT, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="session")
def model() -> Path:
    if not MODEL.exists():
        pytest.fail(f"{MODEL.relative_to(ROOT)} is missing: train it with `make train`")
    return MODEL


# Sent by the channels (api/conversations/model.py) or the gateway (the hand-back after a hand-off) as
# payloads only; the NLU never predicts them.
PAYLOAD_ONLY_INTENTS = frozenset({"share_contact", "share_location", "handoff_returned", "identity_verified"})


def domain_intents() -> list[str]:
    """The intents citizens type, as declared across the domain files in domain/."""
    import yaml

    return [
        intent
        for path in sorted((ROOT / "domain").glob("*.yml"))
        for intent in (yaml.safe_load(path.read_text()) or {}).get("intents", [])
        if intent not in PAYLOAD_ONLY_INTENTS
    ]
