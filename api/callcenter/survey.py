"""The satisfaction survey at an agent's close: the citizen rates the conversation 1-5 with
the buttons of `texts.survey_question` (web buttons, Telegram inline buttons, a WhatsApp list)
and may add a comment. Each survey is kept with the agent and team of its hand-off; the
supervisor's view reads the averages (`summaries`).

The rating buttons' payloads are the gateway's own: a turn hands them to the call center
(`api/callcenter/service.py`), never to the bot. After a rating the conversation's
`survey_comment_until` opens a short window in which the citizen's next typed message is the
comment; "Lewati" or any button closes it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.callcenter.teams import TEAMS
from api.models import Agent, Conversation, Handoff, HandoffSurvey, utcnow
from api.privacy.masking import mask_text

SCORES = range(1, 6)
RATING_PREFIX = "/handoff_rating_"
RATING_PAYLOADS = frozenset(f"{RATING_PREFIX}{score}" for score in SCORES)
SKIP_COMMENT = "/handoff_survey_skip"
SURVEY_PAYLOADS = RATING_PAYLOADS | {SKIP_COMMENT}
# How long after the close a rating is taken, and after the rating a comment.
RATING_WINDOW = timedelta(days=1)
COMMENT_WINDOW = timedelta(minutes=10)
MAX_COMMENT = 1000
# Dispositions after which the citizen is not asked (an abusive caller; a citizen who left).
NOT_ASKED = frozenset({"abusive", "abandoned"})


def score_of(payload: str) -> int | None:
    """The score a rating button carries; None for any other payload."""
    return int(payload.removeprefix(RATING_PREFIX)) if payload in RATING_PAYLOADS else None


def awaits_comment(conversation: Conversation, now: datetime | None = None) -> bool:
    until = conversation.survey_comment_until
    return until is not None and (now or utcnow()) < until


async def ask(session: AsyncSession, handoff: Handoff, channel: str) -> HandoffSurvey:
    """The survey of a hand-off being closed; added to the caller's transaction."""
    survey = HandoffSurvey(
        handoff_id=handoff.id,
        conversation_id=handoff.conversation_id,
        agent_id=handoff.agent_id,
        team=handoff.team,
        channel=channel,
        asked_at=utcnow(),
    )
    session.add(survey)
    return survey


async def latest_open(session: AsyncSession, conversation_id: uuid.UUID) -> HandoffSurvey | None:
    """The conversation's latest survey still open to a rating."""
    return await session.scalar(
        select(HandoffSurvey)
        .where(
            HandoffSurvey.conversation_id == conversation_id,
            HandoffSurvey.asked_at >= utcnow() - RATING_WINDOW,
        )
        .order_by(HandoffSurvey.id.desc())
        .limit(1)
    )


async def rate(session: AsyncSession, conversation: Conversation, score: int) -> HandoffSurvey | None:
    """Record `score` on the conversation's open survey (a second click changes it) and open
    the comment window. None when no survey is open. Does not commit."""
    survey = await latest_open(session, conversation.id)
    if survey is None:
        return None
    now = utcnow()
    survey.score, survey.rated_at = score, now
    conversation.survey_comment_until = now + COMMENT_WINDOW
    return survey


async def comment(session: AsyncSession, conversation: Conversation, text: str) -> bool:
    """Keep `text` (masked, cut) as the comment of the survey rated last; closes the window.
    Does not commit."""
    conversation.survey_comment_until = None
    survey = await latest_open(session, conversation.id)
    if survey is None or survey.score is None:
        return False
    survey.comment = mask_text(text.strip(), dates=True)[:MAX_COMMENT]
    return True


def skip_comment(conversation: Conversation) -> None:
    conversation.survey_comment_until = None


# --- What the supervisor reads ---------------------------------------------------------------


class SurveyScore(BaseModel):
    """The surveys of one agent or team: how many were asked and answered, and the mean."""

    key: str
    name: str
    asked: int
    answered: int
    average: float | None


class SurveyComment(BaseModel):
    at: datetime
    score: int
    agent: str | None
    team: str
    team_name: str
    comment: str


class SurveySummary(BaseModel):
    asked: int
    answered: int
    average: float | None
    by_agent: list[SurveyScore]
    by_team: list[SurveyScore]
    comments: list[SurveyComment]


@dataclass(frozen=True)
class _Row:
    key: str
    asked: int
    answered: int
    total: int


def _average(answered: int, total: int) -> float | None:
    return round(total / answered, 2) if answered else None


def _scores(rows: Sequence[_Row], names: dict[str, str]) -> list[SurveyScore]:
    return sorted(
        (
            SurveyScore(
                key=row.key,
                name=names.get(row.key, row.key),
                asked=row.asked,
                answered=row.answered,
                average=_average(row.answered, row.total),
            )  # fmt: skip
            for row in rows
        ),
        key=lambda score: score.name,
    )


async def summaries(session: AsyncSession, since: datetime, comments: int = 20) -> SurveySummary:
    """The surveys asked since `since`: per agent, per team, and the latest comments."""
    answered = func.count(HandoffSurvey.score)
    total = func.coalesce(func.sum(HandoffSurvey.score), 0)
    recent = HandoffSurvey.asked_at >= since
    by_agent = (
        await session.execute(
            select(HandoffSurvey.agent_id, func.count(), answered, total)
            .where(recent, HandoffSurvey.agent_id.is_not(None))
            .group_by(HandoffSurvey.agent_id)
        )
    ).all()
    by_team = (
        await session.execute(
            select(HandoffSurvey.team, func.count(), answered, total)
            .where(recent)
            .group_by(HandoffSurvey.team)
        )
    ).all()
    agent_names = dict((await session.execute(select(Agent.id, Agent.display_name))).tuples().all())
    latest = await session.execute(
        select(HandoffSurvey, Agent.display_name)
        .outerjoin(Agent, Agent.id == HandoffSurvey.agent_id)
        .where(recent, HandoffSurvey.comment.is_not(None), HandoffSurvey.score.is_not(None))
        .order_by(HandoffSurvey.id.desc())
        .limit(comments)
    )
    teams = [_Row(str(team), asked, count, int(sum_ or 0)) for team, asked, count, sum_ in by_team]
    asked_all = sum(row.asked for row in teams)
    answered_all = sum(row.answered for row in teams)
    return SurveySummary(
        asked=asked_all,
        answered=answered_all,
        average=_average(answered_all, sum(row.total for row in teams)),
        by_agent=_scores(
            [_Row(str(agent_id), asked, count, int(sum_ or 0)) for agent_id, asked, count, sum_ in by_agent],
            {str(key): name for key, name in agent_names.items()},
        ),
        by_team=_scores(teams, TEAMS),
        comments=[
            SurveyComment(
                at=survey.rated_at or survey.asked_at,
                score=survey.score or 0,
                agent=name,
                team=survey.team,
                team_name=TEAMS.get(survey.team, survey.team),
                comment=survey.comment or "",
            )  # fmt: skip
            for survey, name in latest
        ],
    )
