"""The public app's request body limit, larger for the two upload routes only: every other
route keeps its small limit (api/main.py), an upload gets the largest channel limit and the
route then holds it to its own channel's (api/routes/attachments.py)."""

from __future__ import annotations

import re

from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from api.attachments.limits import largest_upload

_UPLOAD_PATH = re.compile(
    r"^/(api/v1/conversations/[0-9a-fA-F-]{1,64}|console/api/handoffs/[0-9]{1,20})/attachments/?$"
)

_MARGIN = 1024 * 1024


class BodyLimits:
    def __init__(self, app: ASGIApp, default: int) -> None:
        self._default = RequestBodyLimitMiddleware(app, max_body_size=default)
        # A margin over the largest limit: the route refuses first, with its own message.
        self._uploads = RequestBodyLimitMiddleware(app, max_body_size=largest_upload() + _MARGIN)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        upload = scope["type"] == "http" and scope["method"] == "POST" and _UPLOAD_PATH.match(scope["path"])
        await (self._uploads if upload else self._default)(scope, receive, send)
