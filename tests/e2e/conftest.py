"""The whole assistant running as in production: action server, Rasa server and gateway,
started by `scripts/run` on free ports with their own databases and logs in a temp dir.

The tests talk to the gateway only, as a channel does. Starting takes about half a minute (Rasa
loads its model), so the stack is shared by the whole session. `bench.load.stack.running`
starts it, as it does for the benchmarks.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from bench.common import ROOT
from bench.load.stack import Stack, running

MODEL = ROOT / "models" / "asisten-warga.tar.gz"
PRIVACY_NOTICE = "Privasi Anda:"

__all__ = ["ROOT", "Conversation", "Stack"]


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not MODEL.exists():
        if os.getenv("CI") == "true":
            pytest.fail(f"no trained model at {MODEL}: `make test` trains it first")
        pytest.skip(f"no trained model at {MODEL}: run `make train` first")
    settings = {
        # Longer than the longest action chain (api/core/config.py), on a loaded 2-core machine too.
        "AW_RASA_TIMEOUT_SECONDS": "20",
        # The call center is open, so a hand-off queues when an agent is online.
        "AW_CALL_CENTER_HOURS": "mon-sun 00:00-24:00",
        "AW_CALL_CENTER_CLOSED_ON_HOLIDAYS": "false",
    }
    with running(MODEL, tmp_path_factory.mktemp("stack"), env=settings) as started:
        yield started


@dataclass
class Conversation:
    """One citizen chatting through the gateway, as the web widget does."""

    client: httpx.Client
    id: str
    replies: list[dict[str, Any]] = field(default_factory=list)
    token: str | None = None  # the widget's session token (connectors/web/session.py)
    # The privacy notice of the first contact (api/privacy/notice.py), kept apart from the
    # replies so that each test reads the bot's own answers.
    notices: list[str] = field(default_factory=list)

    def say(self, text: str, title: str | None = None) -> str:
        """Send a message (or a button payload with its title); returns the replies' text."""
        body: dict[str, Any] = {"text": text}
        if title:
            body["metadata"] = {"button_title": title}
        response = self.client.post(
            f"/api/v1/conversations/{self.id}/messages",
            json=body,
            headers={"X-Session-Token": self.token or ""},
        )
        response.raise_for_status()
        self.token = response.json()["session_token"]  # renewed by each message, as in the widget
        self.replies = response.json()["replies"]
        if (
            self.replies
            and self.replies[0]["author"] == "system"
            and self.replies[0]["text"].startswith(PRIVACY_NOTICE)
        ):
            self.notices.append(self.replies.pop(0)["text"])
        return "\n".join(reply.get("text") or "" for reply in self.replies)

    def buttons(self) -> dict[str, str]:
        """The last replies' buttons, title → payload."""
        return {
            button["title"]: button["payload"]
            for reply in self.replies
            for button in reply.get("buttons") or []
        }

    def click(self, title: str) -> str:
        buttons = self.buttons()
        assert title in buttons, f"no button {title!r} in {sorted(buttons)}"
        return self.say(buttons[title], title=title)


@pytest.fixture
def citizen(stack: Stack) -> Iterator[Conversation]:
    with httpx.Client(base_url=stack.gateway_url, timeout=30) as client:
        response = client.post("/api/v1/conversations", json={"channel": "web"})
        response.raise_for_status()
        yield Conversation(client, response.json()["id"], token=response.json().get("session_token"))
