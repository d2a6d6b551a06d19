"""The widget's client message id in headless Chromium: a message whose WebSocket died before
its answer came (its gateway killed mid-turn, the balancer closing the connection) is sent
again, with the same id, on a new socket; the gateway answers it once (api/conversations/resend.py)."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from playwright.sync_api import Page, WebSocketRoute, expect

from tests.api.fake_rasa import FakeRasa
from tests.browser.dialogue import GREETING_TEXT
from tests.browser.test_widget import greet, messages_in, sent_to_rasa


def test_a_message_whose_socket_died_unanswered_is_sent_again_and_answered_once(
    page: Page, gateway_url: str, fake_rasa: FakeRasa
) -> None:
    sent: list[dict[str, Any]] = []  # the message frames as the gateway got them
    opened = 0

    def route(socket: WebSocketRoute) -> None:
        nonlocal opened
        opened += 1
        dies = opened == 1  # the first socket dies right after the gateway got the message
        server = socket.connect_to_server()

        def from_page(frame: str | bytes) -> None:
            body = json.loads(frame) if isinstance(frame, str) else {}
            server.send(frame)
            if "client_message_id" in body:
                sent.append(body)
                if dies:
                    socket.close(code=3000, reason="gateway killed")

        socket.on_message(from_page)

    page.route_web_socket(re.compile(r"/ws$"), route)
    page.goto(f"{gateway_url}/")

    greet(page)

    assert sent_to_rasa(fake_rasa) == ["halo"]  # one turn, though the gateway got it twice
    assert [frame["text"] for frame in sent] == ["halo", "halo"]
    first, again = (frame["client_message_id"] for frame in sent)
    assert first == again and uuid.UUID(first).version == 4
    expect(messages_in(page)).to_have_count(2)  # the citizen's message and the answer, once each
    expect(messages_in(page).last).to_have_text(re.compile(re.escape(GREETING_TEXT)))
