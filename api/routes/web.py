"""The minimal web chat page (connectors/web/static)."""

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

STATIC_DIR = Path(__file__).resolve().parents[2] / "connectors" / "web" / "static"

router = APIRouter(include_in_schema=False)

# Everything is served by the gateway itself: no CDN, no inline script.
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@router.get("/")
async def chat_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html", headers=_HEADERS)
