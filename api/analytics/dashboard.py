"""The supervisor's dashboard: a date range's figures, from the analytics tables and the
gateway's own (docs/analytics.md).

- Conversations per day, by channel and by service: the gateway's conversations with at least
  one citizen message (agent-assist sessions excluded); a conversation's service is the first
  service its intents name (`analytics_events`, joined by the salted hash of its id), else
  "general".
- Containment: the share of those conversations that never had a hand-off.
- Fallback rate: the citizen messages Rasa read as `nlu_fallback` or `out_of_scope`, over all
  of them (`analytics_events`).
- Hand-offs by reason; wait (queued → claimed) and handling (claimed → closed) time, average
  and p90, in seconds (`handoffs`, filtered by its team for a service).
- Satisfaction by team: the answered surveys at close (`handoff_surveys`, api/callcenter/survey.py),
  by the day the citizen rated.
- The top unanswered questions, grouped by similarity (api/analytics/grouping.py).

Days are the call center's local days (Asia/Jakarta by default). Rows are read once per call,
in the range only, and counted here: the same code on SQLite and PostgreSQL.
"""

from __future__ import annotations

import math
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from api.analytics.events import conversation_hash
from api.analytics.grouping import group_questions
from api.analytics.questions import MISS_INTENTS
from api.analytics.services import GENERAL, service_of
from api.models import (
    AnalyticsEvent,
    Conversation,
    Direction,
    Handoff,
    HandoffSurvey,
    Message,
    UnansweredQuestion,
)

MAX_DAYS = 366
ASSIST_CHANNEL = "assist"
@dataclass(frozen=True)
class Filters:
    start: date  # first local day
    end: date  # last local day, included
    zone: ZoneInfo
    channel: str | None = None
    service: str | None = None

    @property
    def since(self) -> datetime:
        return datetime.combine(self.start, time(), self.zone).astimezone(UTC)

    @property
    def until(self) -> datetime:
        return datetime.combine(self.end + timedelta(days=1), time(), self.zone).astimezone(UTC)

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


class Durations(BaseModel):
    count: int
    average_seconds: float | None
    p90_seconds: float | None


class Totals(BaseModel):
    conversations: int
    contained: int
    containment: float | None  # 0..1; None without conversations
    user_messages: int
    misses: int
    fallback_rate: float | None  # 0..1; None without messages
    handoffs: int


class TeamSatisfaction(BaseModel):
    team: str
    responses: int
    average: float


class UnansweredGroup(BaseModel):
    key: str
    label: str
    count: int
    examples: list[str]
    texts: list[str]
    out_of_scope: int  # of `count`, read as out of scope (the rest: not understood)


class Dashboard(BaseModel):
    start: date
    end: date
    days: list[date]
    totals: Totals
    conversations_by_channel: dict[str, list[int]]
    conversations_by_service: dict[str, list[int]]
    handoffs_by_reason: dict[str, int]
    wait: Durations
    handling: Durations
    satisfaction: list[TeamSatisfaction]
    unanswered: list[UnansweredGroup]


def durations(seconds: Sequence[float]) -> Durations:
    """Count, mean and p90 (nearest rank) of `seconds`."""
    if not seconds:
        return Durations(count=0, average_seconds=None, p90_seconds=None)
    ordered = sorted(seconds)
    rank = max(1, math.ceil(0.9 * len(ordered)))
    return Durations(
        count=len(ordered),
        average_seconds=round(sum(ordered) / len(ordered), 1),
        p90_seconds=round(ordered[rank - 1], 1),
    )


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


async def _services(
    session: AsyncSession, filters: Filters
) -> tuple[dict[str, str], list[tuple[str, str | None, str | None]]]:
    """Each conversation hash's service (its first service intent, read up to a day before the
    range: a conversation begun the evening before), and the range's user events as
    (hash, intent, channel)."""
    query = (
        sa.select(
            AnalyticsEvent.conversation_hash, AnalyticsEvent.name, AnalyticsEvent.channel, AnalyticsEvent.at
        )
        .where(
            AnalyticsEvent.event_type == "user",
            AnalyticsEvent.at >= filters.since - timedelta(days=1),
            AnalyticsEvent.at < filters.until,
        )
        .order_by(AnalyticsEvent.at, AnalyticsEvent.id)
    )
    services: dict[str, str] = {}
    in_range: list[tuple[str, str | None, str | None]] = []
    for hashed, intent, channel, at in await session.execute(query):
        service = service_of(intent)
        if service is not None:
            services.setdefault(hashed, service)
        if at >= filters.since:
            in_range.append((hashed, intent, channel))
    return services, in_range


async def _conversations(
    session: AsyncSession, filters: Filters
) -> list[tuple[uuid.UUID, str, datetime, bool]]:
    """The range's conversations with a citizen message: (id, channel, created, handed off)."""
    has_message = sa.exists().where(
        Message.conversation_id == Conversation.id, Message.direction == Direction.IN
    )
    handed_off = sa.exists().where(Handoff.conversation_id == Conversation.id)
    query = sa.select(Conversation.id, Conversation.channel, Conversation.created_at, handed_off).where(
        Conversation.created_at >= filters.since,
        Conversation.created_at < filters.until,
        Conversation.channel != ASSIST_CHANNEL,
        has_message,
    )
    if filters.channel:
        query = query.where(Conversation.channel == filters.channel)
    return [(row[0], row[1], row[2], bool(row[3])) for row in await session.execute(query)]


async def _satisfaction(session: AsyncSession, filters: Filters) -> list[TeamSatisfaction]:
    query = (
        sa.select(HandoffSurvey.team, sa.func.count(), sa.func.avg(HandoffSurvey.score))
        .where(
            HandoffSurvey.score.is_not(None),
            HandoffSurvey.rated_at >= filters.since,
            HandoffSurvey.rated_at < filters.until,
        )
        .group_by(HandoffSurvey.team)
        .order_by(HandoffSurvey.team)
    )
    if filters.service:
        query = query.where(HandoffSurvey.team == filters.service)
    if filters.channel:
        query = query.where(HandoffSurvey.channel == filters.channel)
    return [
        TeamSatisfaction(team=team or GENERAL, responses=count, average=round(float(average), 2))
        for team, count, average in await session.execute(query)
    ]


async def build(
    session: AsyncSession, filters: Filters, salt: bytes, unanswered_limit: int = 20
) -> Dashboard:
    days = filters.days()
    index = {day: n for n, day in enumerate(days)}
    services, events = await _services(session, filters)

    def wanted(service: str) -> bool:
        return filters.service is None or filters.service == service

    by_channel: dict[str, list[int]] = defaultdict(lambda: [0] * len(days))
    by_service: dict[str, list[int]] = defaultdict(lambda: [0] * len(days))
    conversations = contained = 0
    for conversation_id, channel, created, handed_off in await _conversations(session, filters):
        service = services.get(conversation_hash(salt, str(conversation_id)), GENERAL)
        if not wanted(service):
            continue
        day = index.get(created.astimezone(filters.zone).date())
        if day is None:
            continue
        by_channel[channel][day] += 1
        by_service[service][day] += 1
        conversations += 1
        contained += not handed_off

    user_messages = misses = 0
    for hashed, intent, event_channel in events:
        if filters.channel and event_channel != filters.channel:
            continue
        if not wanted(services.get(hashed, GENERAL)):
            continue
        user_messages += 1
        misses += intent in MISS_INTENTS

    handoff_query = (
        sa.select(Handoff.reason, Handoff.queued_at, Handoff.claimed_at, Handoff.closed_at)
        .join(Conversation, Conversation.id == Handoff.conversation_id)
        .where(Handoff.requested_at >= filters.since, Handoff.requested_at < filters.until)
    )
    if filters.channel:
        handoff_query = handoff_query.where(Conversation.channel == filters.channel)
    if filters.service:
        handoff_query = handoff_query.where(Handoff.team == filters.service)
    reasons: Counter[str] = Counter()
    waits: list[float] = []
    handling: list[float] = []
    for reason, queued, claimed, closed in await session.execute(handoff_query):
        reasons[reason] += 1
        if claimed is not None:
            waits.append(max(0.0, (claimed - queued).total_seconds()))
            if closed is not None:
                handling.append(max(0.0, (closed - claimed).total_seconds()))

    question_query = sa.select(
        UnansweredQuestion.text, UnansweredQuestion.intent, UnansweredQuestion.conversation_hash
    ).where(UnansweredQuestion.at >= filters.since, UnansweredQuestion.at < filters.until)
    if filters.channel:
        question_query = question_query.where(UnansweredQuestion.channel == filters.channel)
    questions = [
        (text, intent)
        for text, intent, hashed in await session.execute(question_query)
        if wanted(services.get(hashed, GENERAL))
    ]
    groups = group_questions(questions, limit=unanswered_limit)

    return Dashboard(
        start=filters.start,
        end=filters.end,
        days=days,
        totals=Totals(
            conversations=conversations,
            contained=contained,
            containment=_ratio(contained, conversations),
            user_messages=user_messages,
            misses=misses,
            fallback_rate=_ratio(misses, user_messages),
            handoffs=sum(reasons.values()),
        ),  # fmt: skip
        conversations_by_channel=dict(sorted(by_channel.items())),
        conversations_by_service=dict(sorted(by_service.items())),
        handoffs_by_reason=dict(reasons.most_common()),
        wait=durations(waits),
        handling=durations(handling),
        satisfaction=await _satisfaction(session, filters),
        unanswered=[
            UnansweredGroup(
                key=group.key,
                label=group.label,
                count=group.count,
                examples=group.examples,
                texts=group.texts,
                out_of_scope=group.intents["out_of_scope"],
            )  # fmt: skip
            for group in groups
        ],
    )
