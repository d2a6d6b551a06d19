"""The assistant on whole conversations (issue 18), through all three processes: the success
rate over the corpus (the dev set until the corpus exists) must not fall below FLOOR.

FLOOR is the first full measurement minus a small margin (docs/conversations.md has the
measurement, `make eval-conversations` repeats it); raise it when the assistant improves.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.conversations.harness import MODEL, ROOT, Endpoints, load_checked, play_all, stack
from tests.conversations.model import CORPUS_DIR, DEV_DIR, files
from tests.conversations.report import summary, write

# This run's per-class and per-service report, in the format of docs/conversations.md.
REPORT = ROOT / "var" / "reports" / "conversations-test"

# Percent of conversations that must succeed: the held-out corpus's latest full measurement
# (213/388 = 54.9% in CI's run of 2026-12-08 after the convdev round; 204/388 = 52.6% before it;
# the first was 125/388 = 32.2%; docs/conversations.md) minus 2 points. Raise it as the
# assistant improves.
FLOOR = 52.9


@pytest.fixture(scope="module")
def endpoints() -> Iterator[Endpoints]:
    if not MODEL.exists():
        if os.getenv("CI") == "true":
            pytest.fail(f"no trained model at {MODEL}: `make test` trains it first")
        pytest.skip(f"no trained model at {MODEL}: run `make train` first")
    with stack(MODEL) as started:
        yield started


def test_the_success_rate_holds(endpoints: Endpoints) -> None:
    held_out = files(CORPUS_DIR)
    paths = held_out or files(DEV_DIR)
    conversations = load_checked(paths)
    results = play_all(conversations, endpoints)
    sources = sorted({str(path.parent.relative_to(ROOT)) for path in paths})
    report = summary(results, sources, held_out=bool(held_out))
    write(report, REPORT.with_suffix(".md"), REPORT.with_suffix(".json"))
    rate = report["overall"]["rate"]
    # The rate only, per class in the report: the held-out failures are never printed.
    assert rate >= FLOOR, f"{rate:.1f}% of {len(results)} conversations succeed, below {FLOOR}%"
