"""The conversation an action runs for, known to everything the run calls.

The gateway wants every call from the actions to name the conversation (`X-Conversation-ID`:
it records the verified identity per conversation and audits agent-assisted ones), yet the
`Gateway` client is shared and called deep inside the flows. rasa-sdk runs each action request
in its own asyncio task, so a `ContextVar` set for the duration of a run is seen by that run only.

Every action here derives from the `Action` or `ValidationAction` of this module, or from
`FormValidationAction` (actions/form_validation.py, itself an `Action` of this module), instead of
rasa-sdk's (tests/actions/test_registry.py checks it): each `run` defined on
them or on a subclass is wrapped by `in_conversation()`, which sets `CONVERSATION_ID` to the
tracker's `sender_id` while it runs, after asking the hooks of `INSTEAD` whether another
answer comes first (actions/followups.py: an elliptical follow-up the NLU read as a question).
"""

from __future__ import annotations

import abc
import functools
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

import rasa_sdk
import rasa_sdk.forms
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

Run = Callable[[Any, CollectingDispatcher, Tracker, DomainDict], Awaitable[list[dict[str, Any]]]]

# The sender_id of the conversation whose action is running; None outside an action run.
CONVERSATION_ID: ContextVar[str | None] = ContextVar("conversation_id", default=None)
# The id of the turn: the gateway's (`turn_id` in the latest user message's metadata, the same
# when the gateway plays a message again after a failure, api/conversations/retry.py), else
# Rasa's message id. With the conversation, the idempotency key of the turn's POSTs
# (actions/gateway.py).
TURN_ID: ContextVar[str | None] = ContextVar("turn_id", default=None)
WRAPPED = "runs_in_conversation"  # the attribute that marks a wrapped run


def in_conversation(run: Run) -> Run:
    """`run`, with `CONVERSATION_ID` set to the tracker's sender_id until it returns."""
    if getattr(run, WRAPPED, False):
        return run

    @functools.wraps(run)
    async def wrapper(
        self: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        token = CONVERSATION_ID.set(tracker.sender_id)
        turn = TURN_ID.set(turn_id(tracker.latest_message or {}))
        try:
            if not IN_HOOK.get():
                instead = await _instead(self.name(), dispatcher, tracker, domain)
                if instead is not None:
                    return instead
            return await run(self, dispatcher, tracker, domain)
        finally:
            TURN_ID.reset(turn)
            CONVERSATION_ID.reset(token)

    setattr(wrapper, WRAPPED, True)
    return wrapper


def turn_id(latest_message: dict[str, Any]) -> str | None:
    """The turn's id: the gateway's, which a replayed message keeps, else Rasa's message id."""
    metadata = latest_message.get("metadata")
    gateway_turn = metadata.get("turn_id") if isinstance(metadata, dict) else None
    if isinstance(gateway_turn, str) and gateway_turn:
        return f"gw-{gateway_turn}"
    message_id = latest_message.get("message_id")
    return str(message_id) if message_id else None


# Hooks asked before an action answers a message (actions/followups.py registers the elliptical
# follow-up, whatever the NLU read it as): the first that returns events answers instead.
Hook = Callable[[str, CollectingDispatcher, Tracker, DomainDict], Awaitable[list[dict[str, Any]] | None]]
INSTEAD: list[Hook] = []
IN_HOOK: ContextVar[bool] = ContextVar("in_hook", default=False)  # no hook inside a hook's own runs


async def _instead(
    name: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
) -> list[dict[str, Any]] | None:
    token = IN_HOOK.set(True)
    try:
        for hook in INSTEAD:
            events = await hook(name, dispatcher, tracker, domain)
            if events is not None:
                return events
        return None
    finally:
        IN_HOOK.reset(token)


class Action(rasa_sdk.Action, abc.ABC):
    """rasa-sdk's Action whose `run` (and every subclass's own `run`) is `in_conversation()`."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        run = cls.__dict__.get("run")
        if run is not None:
            cls.run = in_conversation(run)  # type: ignore[method-assign]

    @abc.abstractmethod
    def name(self) -> str:  # pragma: no cover - subclasses name themselves
        """Abstract, so that rasa-sdk's register_package skips the bases of this module."""


class ValidationAction(Action, rasa_sdk.forms.ValidationAction):
    """rasa-sdk's ValidationAction (global slot validation), run in its conversation. Its
    subclass names itself: `action_validate_slot_mappings`."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        return await super().run(dispatcher, tracker, domain)
