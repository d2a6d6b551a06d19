"""`python -m bench.fallback_sweep MODEL...` (Rasa runtime): FallbackClassifier thresholds on
the dev split of bench/nlu-dev-split (run it first), never on tests/nlu/.

`rasa test nlu` undoes fallback predictions, so its accuracy does not show what a threshold
costs. This parses every dev example with each model and, per threshold, counts what a citizen
gets: the right intent, a fallback (correct only for an out-of-scope message), or a wrong one;
and the in-scope false alarms (an in-scope message that gets the fallback or `out_of_scope`).
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from rasa.core.agent import Agent
from rasa.shared.nlu.training_data.loading import load_data

DEV_DATA = Path("var/bench/nlu-dev-split/split/test_data.yml")
THRESHOLDS = tuple((t / 100, 0.0) for t in (0, 30, 33, 35, 37, 39, 41, 43, 45, 50)) + ((0.5, 0.1),)
OUT_OF_SCOPE = "out_of_scope"


async def rankings(model: str) -> list[tuple[str, str, float, float]]:
    """(true intent, predicted intent, top confidence, second confidence) before any fallback."""
    agent = Agent.load(model)
    rows = []
    for example in load_data(str(DEV_DATA)).intent_examples:
        parsed = await agent.parse_message(example.get("text"))
        ranking = [r for r in parsed["intent_ranking"] if r["name"] != "nlu_fallback"] + [{"confidence": 0.0}]
        top, second = ranking[0], ranking[1]
        rows.append((example.get("intent"), top["name"], top["confidence"], second["confidence"]))
    return rows


def sweep(rows: list[tuple[str, str, float, float]]) -> list[str]:
    lines = []
    out_of_scope = sum(truth == OUT_OF_SCOPE for truth, *_ in rows)
    for threshold, ambiguity in THRESHOLDS:
        right = fallbacks = caught = alarms = 0
        for truth, predicted, top, second in rows:
            fallback = top < threshold or top - second < ambiguity
            fallbacks += fallback
            if truth == OUT_OF_SCOPE:
                handled = fallback or predicted == OUT_OF_SCOPE
                caught += handled
                right += handled
            else:
                right += not fallback and predicted == truth
                alarms += fallback or predicted == OUT_OF_SCOPE
        share = f"{right / len(rows):.3f}"
        in_scope = len(rows) - out_of_scope
        lines.append(
            f"| {threshold} | {ambiguity} | {share} | {fallbacks} | {caught} of {out_of_scope} "
            f"({caught / out_of_scope:.2f}) | {alarms / in_scope:.3f} |"
        )
    return lines


if __name__ == "__main__":
    for model in sys.argv[1:]:
        print(f"\n{model} ({DEV_DATA})\n")
        print("| threshold | ambiguity | right answers | fallbacks | out-of-scope caught | in-scope alarms |")
        print("|---|---|---|---|---|---|")
        print("\n".join(sweep(asyncio.run(rankings(model)))))
