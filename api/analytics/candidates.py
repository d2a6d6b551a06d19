"""Unanswered questions an operator marked "add to training data": candidates for the next
round of NLU data, never training or test data by themselves (docs/nlu-data.md).

The console marks a group of the dashboard with an intent (`mark`); `make nlu-candidates`
(`python -m api.analytics.candidates`) writes the candidates not yet exported to
var/nlu-candidates/candidates-<time>.yml, in Rasa's NLU format for the reviewer to read. The
file is outside data/ (which `rasa train` reads whole) and outside tests/: a person rewrites
each kept example into its topic file under data/nlu/, with realistic values in place of the
masks ("#", "[nama]", "[kontak]"), following the split rules.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from api.analytics.events import DOMAIN_DIR
from api.models import TrainingCandidate, UnansweredQuestion, utcnow

OUT_DIR = Path("var/nlu-candidates")
MAX_TEXTS = 100
HEADER = """\
# CANDIDATES for the next round of NLU data, exported {at} by `make nlu-candidates`.
# Unanswered questions an operator marked with an intent in the console's dashboard, masked:
# "#" stands for digits, "[nama]" for a name, "[kontak]" for an e-mail, link or handle.
# NOT training data: review each one, rewrite it with realistic values into its topic file
# under data/nlu/ (docs/nlu-data.md), and never copy one into tests/.
"""


class UnknownIntent(ValueError):
    pass


class UnknownQuestion(ValueError):
    pass


@cache
def domain_intents(folder: Path = DOMAIN_DIR) -> frozenset[str]:
    """The intents the domain declares: the only ones a candidate may name."""
    intents: set[str] = set()
    for path in sorted(folder.rglob("*.yml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in part.get("intents") or ():
            if isinstance(item, str):
                intents.add(item)
            elif isinstance(item, dict):
                intents.update(key for key in item if isinstance(key, str))
    return frozenset(intents)


async def mark(session: AsyncSession, intent: str, texts: Sequence[str], agent_id: int | None) -> int:
    """Keep `texts` (stored unanswered questions, already masked) as candidates of `intent`;
    the number newly added. Raises UnknownIntent or UnknownQuestion (nothing is added)."""
    if intent not in domain_intents():
        raise UnknownIntent(intent)
    wanted = sorted(set(texts))
    stored = set(
        await session.scalars(
            sa.select(UnansweredQuestion.text).where(UnansweredQuestion.text.in_(wanted)).distinct()
        )
    )
    if not wanted or stored != set(wanted):
        raise UnknownQuestion(next(iter(set(wanted) - stored), ""))
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table: Any = TrainingCandidate.__table__
    statement = (
        dialect.insert(table).on_conflict_do_nothing(index_elements=["intent", "text"]).returning(table.c.id)
    )
    now = utcnow()
    added = await session.scalars(
        statement,
        [{"intent": intent, "text": text, "agent_id": agent_id, "created_at": now} for text in wanted],
    )
    count = len(list(added))
    await session.commit()
    return count


def render(candidates: Sequence[tuple[str, str]], at: datetime) -> str:
    """(intent, text) pairs as a Rasa NLU file, intents and texts sorted, with the header."""
    by_intent: dict[str, list[str]] = defaultdict(list)
    for intent, text in candidates:
        by_intent[intent].append(text)
    blocks = [
        {"intent": intent, "examples": "".join(f"- {text}\n" for text in sorted(texts))}
        for intent, texts in sorted(by_intent.items())
    ]
    body = yaml.dump(
        {"version": "3.1", "nlu": blocks}, Dumper=_LiteralDumper, allow_unicode=True, sort_keys=False
    )
    return HEADER.format(at=at.strftime("%Y-%m-%d %H:%M UTC")) + body


class _LiteralDumper(yaml.SafeDumper):
    pass


def _literal(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LiteralDumper.add_representer(str, _literal)


async def export(session: AsyncSession, folder: Path = OUT_DIR, *, everything: bool = False) -> Path | None:
    """Write the candidates not yet exported (all with `everything`) to a new file in
    `folder` and mark them exported; the file, or None when there was nothing to write."""
    query = sa.select(TrainingCandidate).order_by(TrainingCandidate.intent, TrainingCandidate.text)
    if not everything:
        query = query.where(TrainingCandidate.exported_at.is_(None))
    candidates = list(await session.scalars(query))
    if not candidates:
        return None
    now = utcnow()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"candidates-{now:%Y%m%d-%H%M%S}.yml"
    path.write_text(render([(c.intent, c.text) for c in candidates], now), encoding="utf-8")
    for candidate in candidates:
        candidate.exported_at = now
    await session.commit()
    return path


async def _main_async(folder: Path, everything: bool) -> int:
    from api.core.config import Settings
    from api.db import create_engine, create_sessionmaker

    settings = Settings()
    database = settings.sqlite_path()
    if database is not None and not database.exists():
        print(f"No gateway database at {database}: start the gateway (make run) first.", file=sys.stderr)
        return 1
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session:
            path = await export(session, folder, everything=everything)
    except sa.exc.DBAPIError as error:  # no such table: a gateway not yet migrated to 0023
        print(f"Cannot read the candidates ({type(error.orig).__name__}): start the gateway once "
              "to migrate its database.", file=sys.stderr)  # fmt: skip
        return 1
    finally:
        await engine.dispose()
    print(f"Candidates written to {path} for review." if path else "No new candidates.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m api.analytics.candidates",
        description="Export the unanswered questions marked in the console as NLU candidates for review.",
    )
    parser.add_argument("--out", type=Path, default=OUT_DIR, help=f"folder (default {OUT_DIR})")
    parser.add_argument("--all", action="store_true", help="export every candidate again, not only new ones")
    args = parser.parse_args(argv)
    return asyncio.run(_main_async(args.out, args.all))


if __name__ == "__main__":
    raise SystemExit(main())
