"""Login with INApas from the web widget (api/identity/inapas.py, docs/security.md).

- `GET /auth/inapas/start?conversation=<id>`: a web conversation only; sets the browser's
  login cookie and redirects to the provider.
- `GET /auth/inapas/callback?code&state`: binds the conversation that started the login to
  the citizen's NIK, then shows a short page whose script (static/inapas-callback.js) tells
  the widget that opened it (`postMessage`, status only) and closes the window.
- `/simulasi/inapas/...`: the simulated provider's pages, when it is the provider.
"""

from __future__ import annotations

import html
import logging
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import Receive, Scope, Send

from api.deps import SessionDep
from api.identity.inapas import COOKIE, LOGIN_SECONDS, Inapas, LoginRefused

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/auth/inapas", include_in_schema=False)

COOKIE_PATH = "/auth/inapas"
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
_TEXTS = {
    "ok": ("Berhasil masuk", "Anda berhasil masuk dengan INApas. Silakan kembali ke percakapan; "
           "jendela ini dapat ditutup."),
    "cancelled": ("Masuk dibatalkan", "Anda membatalkan masuk dengan INApas. Silakan tutup jendela ini "
                  "dan kembali ke percakapan."),
    "failed": ("Gagal masuk", "Mohon maaf, proses masuk dengan INApas tidak berhasil. Silakan tutup "
               "jendela ini lalu coba lagi dari percakapan."),
}  # fmt: skip


def _page(status: str, code: int = 200) -> HTMLResponse:
    title, text = _TEXTS[status]
    body = f"""<!doctype html>
<html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} — Asisten Warga</title>
<link rel="stylesheet" href="/static/inapas.css">
<script src="/static/inapas-callback.js" defer></script></head>
<body><main id="inapas-result" data-status="{status}">
<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></main></body></html>"""
    return HTMLResponse(body, status_code=code, headers=_HEADERS)


def _inapas(request: Request) -> Inapas:
    inapas: Inapas = request.app.state.inapas
    return inapas


@router.get("/start", response_model=None)
async def start(
    request: Request, session: SessionDep, conversation: Annotated[str, Query(max_length=64)] = ""
) -> Response:
    """Send the browser to INApas for the web conversation `conversation`."""
    try:
        conversation_id = uuid.UUID(conversation)
        url, browser = await _inapas(request).start(session, conversation_id, str(request.base_url))
    except (ValueError, LoginRefused):
        return _page("failed", 404)
    response = RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})
    response.set_cookie(
        COOKIE,
        browser,
        max_age=LOGIN_SECONDS,
        path=COOKIE_PATH,
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="lax",
    )
    return response


@router.get("/callback", response_model=None)
async def callback(
    request: Request,
    session: SessionDep,
    state: Annotated[str, Query(max_length=256)] = "",
    code: Annotated[str, Query(max_length=2048)] = "",
    error: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    """Where INApas sends the browser back: bind the conversation, or say it failed."""
    inapas = _inapas(request)
    browser = request.cookies.get(COOKIE)
    if error:
        await inapas.cancel(session, state)
        response = _page("cancelled" if error == "access_denied" else "failed")
    else:
        try:
            conversation_id = await inapas.finish(session, state, code, browser)
        except LoginRefused as refused:
            logger.info("inapas login refused reason=%s", refused.reason)
            response = _page("failed", 400)
        else:
            logger.info("inapas login conversation=%s", conversation_id)
            response = _page("ok")
    response.delete_cookie(COOKIE, path=COOKIE_PATH)
    return response


class SimulatedProvider:
    """The simulated provider's browser pages at SIMULATED_PATH (404 when INApas is real)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        inapas: Inapas | None = getattr(scope["app"].state, "inapas", None)
        if inapas is None or inapas.provider_app is None:
            response = HTMLResponse("Alamat tidak ditemukan.", status_code=404)
            await response(scope, receive, send)
            return
        await inapas.provider_app(scope, receive, send)
