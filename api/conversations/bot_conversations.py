"""Conversations known to be with the bot: the read a citizen's turn can skip.

Each message must know whether the bot or a person has its conversation: `store.conversation_state`
reads the conversation with its open hand-off. A conversation leaves the bot only when a hand-off
starts (the call center's `on_signal`), so each gateway process remembers the conversations it read with
the bot and no open hand-off, and forgets one as soon as any replica starts a hand-off of it (the
`HANDOFF_STARTED` event). It never answers from a stale entry, because:
- a read that began before a hand-off was forgotten is not remembered (`_forgotten` counts them);
- while the broadcaster does not hear the other replicas (Redis down) it neither remembers nor
  answers, and it forgets everything once the broadcaster hears again, since events may have
  been missed in between;
- an entry lives at most `TTL_SECONDS`, in case an event was lost in publishing.
A hit attaches a copy of the conversation to the caller's session without a query. A column a
turn sets once (the privacy notice's time) is written to the entry too (`noted`), or every later
turn would see it unset and repeat its UPDATE. Conversations
are never deleted; if they ever are, the deletion must call `forget` too.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from cachetools import TTLCache
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from api.conversations.store import ConversationState, conversation_state
from api.core.background import BackgroundTask
from api.models import Conversation, HandledBy
from api.pubsub import Broadcaster

logger = logging.getLogger(__name__)

HANDOFF_STARTED = "handoff-started"
TTL_SECONDS = 30.0
MAX_ENTRIES = 50_000  # under 1 KB each: six columns
_COLUMNS = [attribute.key for attribute in inspect(Conversation).column_attrs]
# The remembered columns a conversation object was loaded with or copied from (not mapped).
_ENTRY = "_bot_conversations_entry"


class BotConversations:
    def __init__(
        self,
        broadcaster: Broadcaster,
        *,
        ttl_seconds: float = TTL_SECONDS,
        max_entries: int = MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._broadcaster = broadcaster
        self._entries: TTLCache[uuid.UUID, dict[str, Any]] = TTLCache(max_entries, ttl_seconds, timer=clock)
        self._forgotten = 0
        self._hearing: int | None = None  # the broadcaster's subscription the entries were made under
        self._follower = BackgroundTask("bot-conversations", self._follow)
        self._following = False

    def start(self) -> None:
        """Follow the hand-offs started by every replica (this one's too)."""
        self._follower.start()

    async def aclose(self) -> None:
        await self._follower.aclose()
        self._entries.clear()

    def __contains__(self, conversation_id: object) -> bool:
        """Whether `conversation_id` is remembered as the bot's now."""
        return conversation_id in self._entries

    async def state(self, session: AsyncSession, conversation_id: uuid.UUID) -> ConversationState | None:
        """`store.conversation_state`, without the query for a conversation known to be with the bot.
        `session` must not hold the conversation already (a turn's own session does not)."""
        hearing = self._hearing_now()
        if hearing is not None and (columns := self._entries.get(conversation_id)) is not None:
            conversation = _attach(session, columns)
            setattr(conversation, _ENTRY, columns)
            return ConversationState(conversation, None)
        forgotten = self._forgotten
        state = await conversation_state(session, conversation_id)
        if (
            state is not None
            and state.handoff is None
            and state.conversation.handled_by is HandledBy.BOT
            and hearing is not None
            and self._hearing_now() == hearing
            and self._forgotten == forgotten
        ):
            entry = {key: getattr(state.conversation, key) for key in _COLUMNS}
            self._entries[conversation_id] = entry
            setattr(state.conversation, _ENTRY, entry)
        return state

    async def handoff_started(self, conversation_id: uuid.UUID) -> None:
        """Forget `conversation_id` here and tell the other replicas (after the commit)."""
        self.forget(conversation_id)
        await self._broadcaster.publish(HANDOFF_STARTED, {"conversation": str(conversation_id)})

    def forget(self, conversation_id: uuid.UUID) -> None:
        self._forgotten += 1
        self._entries.pop(conversation_id, None)

    def _hearing_now(self) -> int | None:
        """The broadcaster's live subscription if we follow it; None: do not trust the entries."""
        hearing = self._broadcaster.listening if self._following else None
        if hearing != self._hearing:
            self._entries.clear()
            self._hearing = hearing
        return hearing

    async def _follow(self) -> None:
        async with self._broadcaster.subscribe(HANDOFF_STARTED) as events:
            self._following = True
            try:
                while True:
                    event = await events.get()
                    try:
                        self.forget(uuid.UUID(event["conversation"]))
                    except (KeyError, TypeError, ValueError):
                        logger.warning("malformed handoff event, every conversation forgotten")
                        self._forgotten += 1
                        self._entries.clear()
            finally:
                self._following = False


def noted(conversation: Conversation, **columns: Any) -> None:
    """`columns` were just committed for `conversation`: its remembered entry, if it came from
    one, says so too (only the columns a turn sets once; a hand-off still forgets the entry)."""
    entry: dict[str, Any] | None = getattr(conversation, _ENTRY, None)
    if entry is not None:
        entry.update(columns)


def _attach(session: AsyncSession, columns: dict[str, Any]) -> Conversation:
    """A copy of a stored conversation, in `session` as if just loaded."""
    conversation = Conversation(**columns)
    make_transient_to_detached(conversation)
    session.add(conversation)
    return conversation
