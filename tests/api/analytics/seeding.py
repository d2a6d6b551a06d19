"""Conversations for the analytics tests: the gateway's rows (conversations, citizen messages,
hand-offs) and Rasa's tracker-store events for the same conversations, full of identifiers,
as the embedded default stores them (the dashboard imports them: api/analytics/tracker_source.py).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.models import Author, Conversation, Direction, Handoff, HandoffState, Message

NIK, PHONE, NAME, EMAIL = "3273014508950001", "081234567890", "Siti Rahmawati", "siti.rahma@contoh.id"
PASPOR = f"cara bikin paspor gimana ya, nama saya {NAME} nik {NIK}"
# Rasa's SQL tracker store table, as rasa.core.tracker_store.SQLTrackerStore creates it.
EVENTS_TABLE = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT
)"""


@dataclass
class Turn:
    """A citizen message and what Rasa understood."""

    text: str
    intent: str


@dataclass
class Seeded:
    channel: str
    at: datetime
    service: str | None  # the first service intent's, or None
    turns: list[Turn]
    handoff: tuple[str, float | None, float | None] | None = None  # reason, wait s, handling s
    id: uuid.UUID = field(default_factory=uuid.uuid4)


def tracker_events(seeded: Seeded) -> list[dict[str, Any]]:
    """The conversation's events as Rasa stores them, identifiers in its texts and slots."""
    start = seeded.at.timestamp()
    events: list[dict[str, Any]] = [
        {"event": "action", "timestamp": start, "name": "action_session_start"},
        {"event": "session_started", "timestamp": start},
    ]
    for n, turn in enumerate(seeded.turns):
        at = start + 10 * (n + 1)
        events += [
            {
                "event": "user", "timestamp": at, "text": turn.text, "input_channel": seeded.channel,
                "parse_data": {"intent": {"name": turn.intent, "confidence": 0.4}, "text": turn.text,
                               "entities": [{"entity": "nik", "value": NIK}]},
                "metadata": {"phone": PHONE, "name": NAME},
            },
            {"event": "slot", "timestamp": at, "name": "nik", "value": NIK},
            {"event": "action", "timestamp": at + 1, "name": "action_handle_miss"},
            {"event": "bot", "timestamp": at + 2, "text": f"Baik, {NAME}.", "data": {}},
        ]  # fmt: skip
    return events


def write_tracker(path: Path, conversations: list[Seeded]) -> None:
    with sqlite3.connect(path) as db:
        db.execute(EVENTS_TABLE)
        for seeded in conversations:
            for event in tracker_events(seeded):
                parse = event.get("parse_data") or {}
                db.execute(
                    "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        str(seeded.id), event["event"], event["timestamp"],
                        (parse.get("intent") or {}).get("name"), event.get("name"), json.dumps(event),
                    ),
                )  # fmt: skip


async def seed_gateway(sessionmaker: async_sessionmaker[AsyncSession], conversations: list[Seeded]) -> None:
    """The gateway's own rows for `conversations`: the conversation, its citizen messages and
    its hand-off with the given wait and handling time."""
    async with sessionmaker() as session:
        for seeded in conversations:
            session.add(Conversation(id=seeded.id, channel=seeded.channel, created_at=seeded.at))
            await session.flush()
            for n, turn in enumerate(seeded.turns):
                session.add(
                    Message(
                        conversation_id=seeded.id, direction=Direction.IN, author=Author.CITIZEN,
                        text=turn.text, created_at=seeded.at + timedelta(seconds=10 * (n + 1)),
                    )
                )  # fmt: skip
            if seeded.handoff is not None:
                reason, wait, handling = seeded.handoff
                queued = seeded.at + timedelta(minutes=1)
                claimed = queued + timedelta(seconds=wait) if wait is not None else None
                closed = claimed + timedelta(seconds=handling) if claimed and handling is not None else None
                # Never left open: other tests' queues stay as they were.
                state = HandoffState.CLOSED if closed else HandoffState.RETURNED
                session.add(
                    Handoff(
                        conversation_id=seeded.id, state=state, reason=reason,
                        team=seeded.service or "general", requested_at=queued, queued_at=queued,
                        claimed_at=claimed, closed_at=closed,
                    )
                )  # fmt: skip
        await session.commit()


def recent_day() -> datetime:
    """Noon in Jakarta two days ago: it and the next day are in the dashboard's default range
    (the last 30 days) whatever the hour."""
    return (datetime.now(UTC) - timedelta(days=2)).replace(hour=5, minute=0, second=0, microsecond=0)


def conversations(channel: str, day: datetime) -> list[Seeded]:
    """Five conversations on two days: two about health, one about vehicle tax handed off,
    one not understood twice (identifiers in it) handed off, one out of scope."""
    return [
        Seeded(channel, day, "health", [Turn("cek bpjs saya", "health_bpjs_status")]),
        Seeded(
            channel,
            day,
            "health",
            [Turn("iuran bpjs berapa", "health_bpjs_contribution"), Turn("ok makasih", "thanks")],
        ),
        Seeded(
            channel,
            day + timedelta(days=1),
            "payments",
            [Turn("pajak motor", "pay_vehicle_tax")],
            handoff=("citizen_request", 60.0, 600.0),
        ),
        Seeded(
            channel,
            day + timedelta(days=1),
            None,
            [
                Turn(PASPOR, "nlu_fallback"),
                Turn(f"cara bikin paspor gmn?? hp {PHONE} {EMAIL}", "nlu_fallback"),
            ],
            handoff=("repeated_miss", 180.0, None),
        ),
        Seeded(channel, day + timedelta(days=1), None, [Turn("jadwal konser coldplay", "out_of_scope")]),
    ]
