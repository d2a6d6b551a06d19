"""The service API's side of the vault: the action server sends tokens and gets tokens.

`resolve_tokens` (a dependency of every service-API route, before the route runs) replaces
the tokens in the request's JSON body and query by their originals, for the conversation
named in `X-Conversation-ID` only: a token of another conversation stays a token, which no
ministry knows. `TokenizingRoute` does the reverse for the answer: the identifiers a ministry
returns (a card number, a family member's NIK) go back to the action server as tokens of the
same conversation, so they reach Rasa's tracker only as tokens; the gateway shows them to the
citizen masked (api/conversations/turn.py `reveal_replies`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Header, Request
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.datastructures import QueryParams
from starlette.responses import JSONResponse, Response

from api.models import Conversation
from api.privacy import vault as privacy
from api.privacy.shapes import digits

CONVERSATION_HEADER = "x-conversation-id"
# The fields of a service-API answer that hold a citizen's identifier, and their kind.
RESPONSE_FIELDS = {
    "nik": "nik",
    "kk_number": "nik",
    "card_number": "bpjs",
    "nisn": "nisn",
    "participant_number": "casn",
}


def conversation_of(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


async def resolve_tokens(request: Request, x_conversation_id: Annotated[str | None, Header()] = None) -> None:
    """Service-API dependency: the conversation's tokens in the body and query, resolved."""
    conversation_id = conversation_of(x_conversation_id)
    if conversation_id is None:
        return
    body: Any = None
    if await request.body():
        try:
            # The very object FastAPI validates the body from (Starlette caches it): changed in place.
            body = await request.json()
        except ValueError:
            body = None
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    vault = privacy.current()
    async with sessionmaker() as session:
        if isinstance(body, dict | list):
            await vault.resolve_json(session, conversation_id, body)
        if request.query_params:
            query = [[key, value] for key, value in request.query_params.multi_items()]
            await vault.resolve_json(session, conversation_id, query)
            request._query_params = QueryParams([(key, value) for key, value in query])  # noqa: SLF001


class TokenizingRoute(APIRoute):
    """A service-API route whose JSON answer to the action server (a request naming its
    conversation) carries tokens instead of the identifiers in `RESPONSE_FIELDS`."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def tokenizing(request: Request) -> Response:
            response = await handler(request)
            conversation_id = conversation_of(request.headers.get(CONVERSATION_HEADER))
            if conversation_id is None or response.media_type != "application/json" or not response.body:
                return response
            body = json.loads(bytes(response.body))
            if not _has_fields(body):
                return response  # nothing to tokenize: no database round trip
            sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
            async with sessionmaker() as session:
                if await session.get(Conversation, conversation_id) is None:
                    return response  # no conversation of ours: as a call that names none
                changed = await _tokenize_fields(session, conversation_id, body)
                if not changed:
                    return response
                await session.commit()
            headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
            return JSONResponse(body, status_code=response.status_code, headers=headers)

        return tokenizing


def _has_fields(value: Any) -> bool:
    """Whether `value` holds an identifier `_tokenize_fields` would replace."""
    if isinstance(value, dict):
        return any(
            (RESPONSE_FIELDS.get(key) is not None and isinstance(item, str) and item and digits(item) == item)
            or _has_fields(item)
            for key, item in value.items()
        )
    if isinstance(value, list):
        return any(_has_fields(item) for item in value)
    return False


async def _tokenize_fields(session: AsyncSession, conversation_id: uuid.UUID, value: Any) -> bool:
    vault = privacy.current()
    changed = False
    if isinstance(value, dict):
        for key, item in value.items():
            kind = RESPONSE_FIELDS.get(key)
            if kind is not None and isinstance(item, str) and digits(item) == item and item:
                value[key] = await vault.pseudonym(session, conversation_id, kind, item)
                changed = True
            else:
                changed = await _tokenize_fields(session, conversation_id, item) or changed
    elif isinstance(value, list):
        for item in value:
            changed = await _tokenize_fields(session, conversation_id, item) or changed
    return changed


def tokenizing(router_routes: list[Any]) -> None:
    """Make the routes of an area's router `TokenizingRoute`s (before it is included: the
    including router copies each route with its class)."""
    for route in router_routes:
        if type(route) is APIRoute:
            route.__class__ = TokenizingRoute
