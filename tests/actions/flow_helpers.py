"""Helpers for testing guided flows: a fake gateway at the HTTP transport, and trackers shaped
like the ones Rasa sends to a form's validation action."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

import httpx
from rasa_sdk import Tracker

from actions.gateway import Gateway
from tests.actions.builders import ROOT, Event, action, slot, tracker_from_events, user

Reply = Callable[[httpx.Request], httpx.Response]


class FakeGateway:
    """The gateway's service API as docs/service-api.md shapes it: set what it answers with
    `answer()`, `error()` or `down()`; `requests` records what the actions asked."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self._reply: Reply = lambda request: httpx.Response(500, json={"code": "error", "detail": "?"})
        self.client = Gateway(base_url="http://gateway.test", transport=httpx.MockTransport(self._handle))

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self._reply(request)

    def answer(self, body: dict[str, Any], status: int = 200) -> None:
        self._reply = lambda request: httpx.Response(status, json=body)

    def route(self, replies: dict[str, dict[str, Any]]) -> None:
        """Answer by path (under /api/v1), e.g. {"/regions": {...}, "/regions/search": {...}}."""

        def reply(request: httpx.Request) -> httpx.Response:
            path = request.url.path.removeprefix("/api/v1")
            return httpx.Response(200, json=replies[path])

        self._reply = reply

    def error(self, status: int, code: str, detail: str = "Permintaan tidak dapat diproses.") -> None:
        self._reply = lambda request: httpx.Response(status, json={"code": code, "detail": detail})

    def down(self, exception: type[httpx.TransportError] = httpx.ConnectError) -> None:
        def reply(request: httpx.Request) -> httpx.Response:
            raise exception("simulated", request=request)

        self._reply = reply

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def last_json(self) -> dict[str, Any]:
        return json.loads(self.last.content)


# The failures after which a flow must apologise and offer an alternative.
UNAVAILABLE: list[Callable[[FakeGateway], None]] = [
    lambda fake: fake.error(504, "ministry_timeout", "Layanan tidak menjawab tepat waktu."),
    lambda fake: fake.error(503, "ministry_unavailable", "Layanan sedang gangguan."),
    lambda fake: fake.down(httpx.ConnectError),
    lambda fake: fake.down(httpx.ReadTimeout),
]


def form_tracker(
    form: str,
    requested: str | None,
    message: Event,
    *,
    extracted: dict[str, Any] | None = None,
    candidates: dict[str, Any] | None = None,
    slots: dict[str, Any] | None = None,
    activating: bool = False,
    before_form: Iterable[Event] = (),
    sender_id: str = "test",
) -> Tracker:
    """The tracker a form's validation action receives for the user `message`.

    `extracted`: slots the global mappings set right after the message; `candidates`: the
    slot events the form appends for validation; `before_form`: events between the message
    and the form (e.g. an aside answered first); `activating`: the form starts with this message;
    `sender_id`: the conversation.
    """
    events: list[Event] = [action("action_listen"), message]
    events += [slot(name, value) for name, value in (extracted or {}).items()]
    if activating:
        events.append({"event": "active_loop", "name": form})
    events += list(before_form)
    events += [slot("requested_slot", requested), action(form)]
    events += [slot(name, value) for name, value in (candidates or {}).items()]
    return tracker_from_events(events, slots, sender_id=sender_id)


def submit_tracker(slots: dict[str, Any], message: Event | None = None, sender_id: str = "test") -> Tracker:
    """The tracker a submit action receives: the form just ended with these slot values."""
    return tracker_from_events(
        [action("action_listen"), message or user("inform", "ok")], slots, sender_id=sender_id
    )


# Keys of a dispatched message that are not values for its response's {placeholders}.
MESSAGE_KEYS = frozenset(
    {"text", "buttons", "elements", "custom", "template", "response", "image", "attachment"}
)


@cache
def _responses() -> dict[str, Any]:
    from rasa.shared.core.domain import Domain

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Slot auto-fill", category=UserWarning)
        return Domain.load(str(ROOT / "domain")).responses


def wording(response: str, **values: Any) -> str:
    """The text of the domain's `response` with `values` and the facts filled in, as bot/nlg.py words it."""
    from rasa.core.nlg.interpolator import interpolate_text

    from knowledge import facts

    text = _responses()[response][0]["text"]
    return interpolate_text(text, {**values, **facts.template_values()})


def said(message: dict[str, Any]) -> str:
    """The text of one dispatched message: its text, or its response's text filled in."""
    if message.get("response"):
        values = {key: value for key, value in message.items() if key not in MESSAGE_KEYS}
        return wording(message["response"], **values)
    return message.get("text") or ""


def texts(dispatcher: Any) -> str:
    """Everything the action said, in one string (responses worded as Rasa words them)."""
    return "\n".join(said(message) for message in dispatcher.messages)


def payloads(dispatcher: Any) -> list[str]:
    return [button["payload"] for message in dispatcher.messages for button in message.get("buttons") or []]
