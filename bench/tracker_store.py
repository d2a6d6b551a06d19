"""`python -m bench.tracker_store [--turns N] [--postgresql URL]` (Rasa runtime): Rasa's SQL
tracker store against ours (bot/tracker_store.py), turn for turn.

What the Rasa server does with its store on every message: retrieve the conversation, add the
turn's events (the citizen's message with its intent ranking, an action, a slot, the bot's
answer with buttons, action_listen), save it. Twenty conversations take N turns each; every
turn runs on both stores one after the other (the order swapped every turn), each on its own
SQLite file, or on one PostgreSQL database with `--postgresql`. Printed: the median time of a
retrieve-and-save cycle per store, and over the last five turns (conversations grow, and with
them the events each retrieve replays).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

from rasa.core import tracker_store as rasa_stores
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bench.common import ROOT, write_result
from bot import tracker_store as our_stores

STORES = {"rasa": rasa_stores.SQLTrackerStore, "ours": our_stores.SQLTrackerStore}
CONVERSATIONS = 20
RANKING = [{"name": f"intent_{n}", "confidence": round(0.9 / (n + 1), 3)} for n in range(10)]


def open_store(
    kind: type[rasa_stores.SQLTrackerStore], domain: Domain, folder: Path, postgresql: str | None
) -> rasa_stores.SQLTrackerStore:
    if postgresql is None:
        return kind(domain, dialect="sqlite", db=str(folder / f"{kind.__module__}.db"))
    url = urlparse(postgresql)
    return kind(
        domain, dialect="postgresql", host=url.hostname, port=url.port, db=url.path.lstrip("/"),
        username=url.username, password=url.password,
    )  # fmt: skip


def add_turn(tracker: DialogueStateTracker, number: int) -> None:
    parse = {"intent": RANKING[0], "intent_ranking": RANKING, "entities": [], "text": f"cek bansos {number}"}
    tracker.update(UserUttered(f"cek bansos {number}", RANKING[0], [], parse))
    tracker.update(ActionExecuted("action_social_assistance_status"))
    tracker.update(SlotSet("nik", "3201012345670001"))
    buttons = [{"title": "Ya", "payload": "/affirm"}]
    tracker.update(BotUttered("Status bantuan sosial Anda: aktif.", {"buttons": buttons}))
    tracker.update(ActionExecuted("action_listen"))


async def cycle(store: rasa_stores.SQLTrackerStore, sender: str, number: int, domain: Domain) -> float:
    started = time.perf_counter()
    tracker = await store.retrieve(sender) or DialogueStateTracker(sender, domain.slots)
    add_turn(tracker, number)
    await store.save(tracker)
    return (time.perf_counter() - started) * 1000


async def measure(turns: int, postgresql: str | None) -> dict[str, object]:
    domain = Domain.load(ROOT / "domain")
    with tempfile.TemporaryDirectory() as folder:
        stores = {name: open_store(kind, domain, Path(folder), postgresql) for name, kind in STORES.items()}
        senders = {name: [f"bench-{name}-{uuid.uuid4()}" for _ in range(CONVERSATIONS)] for name in stores}
        times: dict[str, list[list[float]]] = {name: [] for name in stores}
        for number in range(turns + 1):  # turn 0 warms up
            order = list(stores) if number % 2 else list(stores)[::-1]
            for name in order:
                laps = [await cycle(stores[name], sender, number, domain) for sender in senders[name]]
                if number:
                    times[name].append(laps)
        for name, store in stores.items():
            restored = await store.retrieve(senders[name][0])
            assert restored is not None and len(restored.events) == 5 * (turns + 1), "events lost"
            store.engine.dispose()
    return {
        "database": "postgresql" if postgresql else "sqlite",
        "conversations": CONVERSATIONS,
        "turns": turns,
        "median_ms": {name: round(statistics.median(sum(laps, [])), 2) for name, laps in times.items()},
        "median_ms_last_5_turns": {
            name: round(statistics.median(sum(laps[-5:], [])), 2) for name, laps in times.items()
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tracker_store", description=__doc__)
    parser.add_argument("--turns", type=int, default=15, help="turns per conversation")
    parser.add_argument("--postgresql", help="a PostgreSQL URL instead of SQLite files")
    args = parser.parse_args(argv)
    result = asyncio.run(measure(args.turns, args.postgresql))
    path = write_result(f"tracker_store-{result['database']}", result)
    rasa, ours = result["median_ms"]["rasa"], result["median_ms"]["ours"]  # type: ignore[index]
    print(f"{result['database']}: retrieve and save {ours} ms (ours) against {rasa} ms (Rasa's)")
    print(f"last five turns: {result['median_ms_last_5_turns']}; {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
