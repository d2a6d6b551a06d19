"""`python -m bench.nlu_speed MODEL...` (Rasa runtime): the NLU's time per message.

Parses the dev split's messages (bench/nlu-dev-split) one at a time through a trained model's
whole NLU pipeline (tokenizer, normaliser, classifier, entities, fallback), as the Rasa server
does for each turn, and prints the median and 95th percentile in milliseconds. Run it on a quiet
machine: other work on the two cores shows up directly in these numbers.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time

from rasa.core.agent import Agent
from rasa.shared.nlu.training_data.loading import load_data

from bench.fallback_sweep import DEV_DATA

WARM_UP = 20


async def timings(model: str) -> list[float]:
    agent = Agent.load(model)
    texts = [m.get("text") for m in load_data(str(DEV_DATA)).intent_examples]
    for text in texts[:WARM_UP]:
        await agent.parse_message(text)
    out = []
    for text in texts:
        start = time.perf_counter()
        await agent.parse_message(text)
        out.append((time.perf_counter() - start) * 1000)
    return out


if __name__ == "__main__":
    for model in sys.argv[1:]:
        ms = sorted(asyncio.run(timings(model)))
        p95 = ms[int(len(ms) * 0.95)]
        print(f"{model}: {len(ms)} messages, median {statistics.median(ms):.2f} ms, p95 {p95:.2f} ms")
