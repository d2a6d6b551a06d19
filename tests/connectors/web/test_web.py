"""The web widget's files, the gateway's own chat page at `/`, and who may embed the widget."""

import re

import httpx
import pytest

from api.routes.web import STATIC_DIR
from tests.api.support import GatewayFactory

pytestmark = pytest.mark.asyncio

SITE = "https://kelurahan-contoh.go.id"


async def test_chat_page_embeds_the_widget(client: httpx.AsyncClient) -> None:
    response = await client.get("/")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    page = response.text
    assert '<html lang="id">' in page and "<title>Asisten Warga</title>" in page
    assert 'name="viewport"' in page
    # The same script tag any site uses, and the web app's service worker registration.
    assert re.findall(r"<script [^>]*>", page) == [
        '<script src="/widget.js" data-mode="inline" data-container="#asisten-warga" defer>',
        '<script src="/static/pwa.js" defer>',
    ]
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert '<link rel="icon" href="/favicon.svg" type="image/svg+xml">' in page


@pytest.mark.parametrize(("path", "kind"), [("/widget.js", "javascript"), ("/widget.css", "css")])
async def test_widget_files_can_be_loaded_by_other_sites(
    client: httpx.AsyncClient, path: str, kind: str
) -> None:
    response = await client.get(path, headers={"origin": SITE})

    assert response.status_code == 200
    assert kind in response.headers["content-type"]
    assert response.headers["cross-origin-resource-policy"] == "cross-origin"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_widget_text_is_indonesian_and_accessible(client: httpx.AsyncClient) -> None:
    script = (await client.get("/widget.js")).text

    for text in ["Ketik pesan Anda…", "Kirim", "Percakapan baru", "Asisten sedang mengetik…"]:
        assert text in script
    for attribute in ['"aria-live": "polite"', 'role: "log"', 'role: "status"', '"aria-expanded"']:
        assert attribute in script
    # Text from the bot is never parsed as HTML.
    assert not re.search(r"\.(inner|outer)HTML|insertAdjacentHTML|document\.write", script)


async def test_page_styles_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/static/page.css")
    assert response.status_code == 200 and "css" in response.headers["content-type"]


async def test_no_external_resources() -> None:
    for path in STATIC_DIR.iterdir():
        if path.suffix not in {".js", ".css", ".html", ".svg", ".webmanifest"}:
            continue  # icons/ (PNG)
        text = path.read_text()
        assert not re.search(r"(src|href)=\"(https?:)?//", text), path.name
        if path.suffix == ".css":
            assert "@import" not in text and "url(" not in text, path.name


async def test_cors_for_the_widget_routes_only(client: httpx.AsyncClient) -> None:
    preflight = await client.options(
        "/api/v1/conversations",
        headers={"origin": SITE, "access-control-request-method": "POST",
                 "access-control-request-headers": "content-type"},
    )  # fmt: skip
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"

    created = await client.post("/api/v1/conversations", json={}, headers={"origin": SITE})
    assert created.status_code == 201
    assert created.headers["access-control-allow-origin"] == "*"
    history = await client.get(
        f"/api/v1/conversations/{created.json()['id']}/messages",
        headers={"origin": SITE, "X-Session-Token": created.json()["session_token"]},
    )
    assert history.headers["access-control-allow-origin"] == "*"

    # The service API is not on the public port at all.
    service = await client.get("/api/v1/regions", headers={"origin": SITE})
    assert service.status_code == 404 and "access-control-allow-origin" not in service.headers
    health = await client.get("/health", headers={"origin": SITE})
    assert "access-control-allow-origin" not in health.headers


async def test_cors_limited_to_the_configured_sites(gateway: GatewayFactory) -> None:
    async with gateway(widget_origins=f"{SITE}, https://desa.id") as (_, client):
        allowed = await client.post("/api/v1/conversations", json={}, headers={"origin": SITE})
        other = await client.post(
            "/api/v1/conversations", json={}, headers={"origin": "https://evil.example"}
        )
        preflight = await client.options(
            "/api/v1/conversations",
            headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
        )

    assert allowed.headers["access-control-allow-origin"] == SITE
    assert "access-control-allow-origin" not in other.headers
    assert preflight.status_code == 400


async def test_no_cors_when_no_site_may_embed(gateway: GatewayFactory) -> None:
    async with gateway(widget_origins="") as (_, client):
        response = await client.post("/api/v1/conversations", json={}, headers={"origin": SITE})
    assert response.status_code == 201
    assert "access-control-allow-origin" not in response.headers
