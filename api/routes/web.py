"""The web widget (connectors/web/static): the script any page embeds, its styles, the
gateway's own chat page at `/`, the widget's WebSocket (connectors/web/socket.py), and who
may embed it.

The widget on another site calls the conversation API and `GET /api/v1/widget` (its opening
topics, privacy note and limits) from that site's origin, so those routes (and only those)
answer CORS for the origins in `AW_WIDGET_ORIGINS`.

The gateway's own page is also a progressive web app: a manifest, icons and a service worker
(`/sw.js`, scope `/`) that keeps the page usable offline (docs/channels.md, "Offline").
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from api.core.config import Settings, SettingsDep
from connectors.web import session as widget_session
from connectors.web import socket
from connectors.web.socket import widget_origins
from connectors.web.widget_config import WidgetConfig, widget_config

STATIC_DIR = Path(__file__).resolve().parents[2] / "connectors" / "web" / "static"
# The widget's HTTP calls (conversations, messages, history; its opening config) live here.
WIDGET_API_PREFIXES = ("/api/v1/conversations", "/api/v1/widget")

router = APIRouter(include_in_schema=False)
router.include_router(socket.router)

# Everything is served by the gateway itself: no CDN, no inline script or style.
_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: blob: https:; object-src 'none'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
# The widget's own files are loaded by other sites' pages.
_WIDGET_HEADERS = {
    "Cache-Control": "public, max-age=300",
    "Cross-Origin-Resource-Policy": "cross-origin",
    "X-Content-Type-Options": "nosniff",
}


@router.get("/")
async def chat_page() -> FileResponse:
    """The gateway's own chat page: the widget, inline."""
    return FileResponse(STATIC_DIR / "index.html", headers=_PAGE_HEADERS)


@router.get("/privasi")
async def privacy_page(settings: SettingsDep) -> HTMLResponse:
    """The full privacy notice, in Indonesian (linked from the short notice at first contact),
    with the periods of this installation's settings, never periods written into the page."""
    return HTMLResponse(privacy_notice(settings), headers=_PAGE_HEADERS)


def privacy_notice(settings: Settings) -> str:
    page = (STATIC_DIR / "privacy.html").read_text(encoding="utf-8")
    for placeholder, value in (
        ("%RETENTION_DAYS%", settings.retention_days),
        ("%WIDGET_IDLE_MINUTES%", settings.widget_idle_minutes),
    ):
        page = page.replace(placeholder, str(value))
    return page


@router.get("/widget.js")
async def widget_script() -> FileResponse:
    """The one script a site embeds: `<script src="…/widget.js" defer></script>`."""
    return FileResponse(STATIC_DIR / "widget.js", media_type="text/javascript", headers=_WIDGET_HEADERS)


@router.get("/widget-attachments.js")
async def widget_attachments_script() -> FileResponse:
    """Files and photos in the widget, loaded by widget.js (docs/channels.md#files-and-photos)."""
    return FileResponse(
        STATIC_DIR / "widget-attachments.js", media_type="text/javascript", headers=_WIDGET_HEADERS
    )


@router.get("/widget.css")
async def widget_styles() -> FileResponse:
    """The widget's styles, loaded into its shadow root."""
    return FileResponse(STATIC_DIR / "widget.css", media_type="text/css", headers=_WIDGET_HEADERS)


@router.get("/api/v1/widget")
async def widget_opening(settings: SettingsDep) -> JSONResponse:
    """What the widget shows at open: topic buttons, the privacy note, the length limit."""
    config: WidgetConfig = widget_config(settings)
    return JSONResponse(config.model_dump(mode="json"), headers=_WIDGET_HEADERS)


# The progressive web app (the gateway's own page). The service worker is never cached by
# HTTP, so a new version reaches citizens on their next visit.
@router.get("/sw.js")
async def service_worker() -> FileResponse:
    return FileResponse(
        STATIC_DIR / "sw.js",
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/manifest.webmanifest")
async def web_app_manifest() -> FileResponse:
    return FileResponse(
        STATIC_DIR / "manifest.webmanifest", media_type="application/manifest+json", headers=_WIDGET_HEADERS
    )


@router.get("/favicon.svg")
async def favicon() -> FileResponse:
    return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml", headers=_WIDGET_HEADERS)


@router.get("/favicon.ico")
async def favicon_fallback() -> FileResponse:
    """Browsers ask for /favicon.ico on pages without an icon link (the JSON API's, /docs)."""
    icon = STATIC_DIR / "icons" / "icon-192.png"
    return FileResponse(icon, media_type="image/png", headers=_WIDGET_HEADERS)


class _WidgetCors:
    """CORS for the widget's routes only; every other route stays same-origin."""

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self._app = app
        self._cors = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_methods=["GET", "POST", "DELETE"],
            # X-File-Name, X-Caption: a file's upload (api/routes/attachments.py).
            allow_headers=["Content-Type", widget_session.HEADER, "X-File-Name", "X-Caption"],
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(WIDGET_API_PREFIXES):
            await self._cors(scope, receive, send)
        else:
            await self._app(scope, receive, send)


def allow_widget_origins(app: FastAPI, settings: Settings) -> None:
    """Let the pages in `AW_WIDGET_ORIGINS` call the conversation API (CORS)."""
    origins = widget_origins(settings)
    if origins:
        app.add_middleware(_WidgetCors, origins=origins)
