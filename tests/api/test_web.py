"""The minimal web chat page served at `/`."""

import re

import httpx
import pytest

from api.routes.web import STATIC_DIR

pytestmark = pytest.mark.asyncio


async def test_chat_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    page = response.text
    assert '<html lang="id">' in page
    assert "Asisten Warga" in page and "Ketik pesan Anda…" in page and "Kirim" in page
    assert 'aria-live="polite"' in page
    assert 'name="viewport"' in page


@pytest.mark.parametrize(("name", "kind"), [("chat.js", "javascript"), ("chat.css", "css")])
async def test_static_files(client: httpx.AsyncClient, name: str, kind: str) -> None:
    response = await client.get(f"/static/{name}")
    assert response.status_code == 200
    assert kind in response.headers["content-type"]


async def test_no_external_resources() -> None:
    for path in STATIC_DIR.iterdir():
        assert not re.search(r"(src|href)=\"(https?:)?//", path.read_text()), path.name
        assert "@import url(" not in path.read_text(), path.name
