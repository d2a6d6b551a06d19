"""What the widget shows before the citizen types anything, served as `GET /api/v1/widget`:
the nine services as topic buttons, the one-line privacy note, and the message length limit
(for the character counter). Values come from the settings and from `topics.json`, never from
the widget's own code.

`topics.json` is written from the service menu (actions/menu.py) by `scripts/widget-topics`;
tests/actions/test_widget_topics.py fails when it is stale. The gateway cannot import the menu
itself: actions run in the Rasa runtime.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from pydantic import BaseModel, TypeAdapter

from api.core.config import Settings

TOPICS_FILE = Path(__file__).with_name("topics.json")


class WidgetTopic(BaseModel):
    """A topic button: sent as a `button` event, as if the citizen picked it from the menu."""

    title: str
    payload: str


class PrivacyNote(BaseModel):
    text: str
    link_text: str
    url: str


class WidgetConfig(BaseModel):
    topics: list[WidgetTopic]
    privacy: PrivacyNote
    max_message_chars: int
    idle_minutes: int


@cache
def topics() -> tuple[WidgetTopic, ...]:
    raw = json.loads(TOPICS_FILE.read_text(encoding="utf-8"))
    return tuple(TypeAdapter(list[WidgetTopic]).validate_python(raw))


def privacy_note(settings: Settings) -> PrivacyNote:
    """One line under the topics; the full notice is a link away (the same page as the
    notice sent at first contact, api/privacy/notice.py)."""
    return PrivacyNote(
        text=f"Percakapan disimpan paling lama {settings.retention_days} hari; nomor identitas disamarkan.",
        link_text="Pemberitahuan privasi",
        # Without a public URL, relative: the widget resolves it against its gateway.
        url=settings.privacy_url() if settings.public_url else "/privasi",
    )


def widget_config(settings: Settings) -> WidgetConfig:
    return WidgetConfig(
        topics=list(topics()),
        privacy=privacy_note(settings),
        max_message_chars=settings.max_message_chars,
        idle_minutes=settings.widget_idle_minutes,
    )
