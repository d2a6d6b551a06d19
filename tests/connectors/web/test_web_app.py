"""The widget's opening config (`GET /api/v1/widget`) and the gateway's page as a progressive
web app: manifest, icons, favicon and service worker."""

import json

import httpx
import pytest

from api.routes.web import STATIC_DIR
from connectors.web.widget_config import topics
from tests.api.support import GatewayFactory

pytestmark = pytest.mark.asyncio

SITE = "https://kelurahan-contoh.go.id"


async def test_opening_config_from_settings_and_menu(gateway: GatewayFactory) -> None:
    async with gateway(max_message_chars=1500, retention_days=30, widget_idle_minutes=20) as (_, client):
        response = await client.get("/api/v1/widget", headers={"origin": SITE})

    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"  # any site embedding the widget
    config = response.json()
    assert config["max_message_chars"] == 1500 and config["idle_minutes"] == 20
    assert "30 hari" in config["privacy"]["text"]
    assert config["privacy"]["url"].endswith("/privasi")
    assert config["privacy"]["link_text"] == "Pemberitahuan privasi"
    # The nine services of the menu, sent as the menu's own buttons.
    assert len(config["topics"]) == 9
    assert config["topics"][-1] == {"title": "SIM & SKCK", "payload": '/ask_menu{"service":"police"}'}
    assert [topic["title"] for topic in config["topics"]] == [topic.title for topic in topics()]


async def test_manifest_lets_citizens_install_the_chat(client: httpx.AsyncClient) -> None:
    response = await client.get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["lang"] == "id" and manifest["start_url"] == "/" and manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:  # every icon is served
        served = await client.get(icon["src"])
        assert served.status_code == 200, icon["src"]
        assert served.headers["content-type"] == icon["type"]


async def test_service_worker_is_served_from_the_root_uncached(client: httpx.AsyncClient) -> None:
    response = await client.get("/sw.js")

    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]
    assert response.headers["cache-control"] == "no-cache"  # a new version reaches citizens at once
    # Everything it keeps for offline use is served.
    shell = json.loads(response.text.split("const SHELL = ", 1)[1].split(";", 1)[0].replace(",\n]", "\n]"))
    for path in shell:
        assert (await client.get(path)).status_code == 200, path


async def test_favicons(client: httpx.AsyncClient) -> None:
    svg = await client.get("/favicon.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    ico = await client.get("/favicon.ico")
    assert ico.status_code == 200 and ico.content.startswith(b"\x89PNG")
    assert (STATIC_DIR / "icons" / "icon-512.png").read_bytes().startswith(b"\x89PNG")
