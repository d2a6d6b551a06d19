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
