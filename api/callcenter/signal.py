"""The bot's hand-off signal: a custom reply `{"type": "handoff", "reason", "service"}` sent
by the actions (actions/handoff.py) through Rasa's REST channel. Pure: no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.callcenter.teams import team_of

HANDOFF = "handoff"


@dataclass(frozen=True)
class HandoffSignal:
    reason: str
    team: str


def is_signal(custom: Any) -> bool:
    return isinstance(custom, dict) and custom.get("type") == HANDOFF


def read_signal(custom: dict[str, Any]) -> HandoffSignal:
    reason = custom.get("reason")
    return HandoffSignal(
        reason if isinstance(reason, str) else "citizen_request", team_of(custom.get("service"))
    )
