"""The bot's hand-off signal: a custom reply `{"type": "handoff", "reason", "service"}` sent
by the actions (actions/handoff.py) through Rasa's REST channel, picked out of the bot's
replies by a turn (api/conversations/turn.py) and read here. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from api.callcenter.teams import team_of


@dataclass(frozen=True)
class HandoffSignal:
    reason: str
    team: str


def read_signal(custom: Mapping[str, Any]) -> HandoffSignal:
    reason = custom.get("reason")
    return HandoffSignal(
        reason if isinstance(reason, str) else "citizen_request", team_of(custom.get("service"))
    )
