import httpx
import pytest

pytestmark = pytest.mark.asyncio


async def test_openapi_describes_the_api(client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"].startswith("Asisten Warga")
    assert schema["info"]["version"]
    assert {
        "/api/v1/conversations",
        "/api/v1/conversations/{conversation_id}/messages",
        "/health",
    } <= set(schema["paths"])
    assert "/" not in schema["paths"]


async def test_docs_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
