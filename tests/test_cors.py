"""Browsers (issue 9, point 10): CORS for the origins of OTONARI_CORS_ORIGINS, and the same
list for the WebSocket's Origin check; real httpx and websockets clients against the real
server (the headers a browser sends, set by hand)."""

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import TYPE_CHECKING

import httpx
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from service.config import Settings
from tests.conftest import serve
from tests.support import Api

if TYPE_CHECKING:
    from triage.engine import Triage

ALLOWED = "https://app.example.org"
FOREIGN = "https://evil.example.com"


@pytest.fixture
async def cors_api(settings: Settings, triage_engine: "Triage") -> AsyncIterator[Api]:
    configured = replace(
        settings, cors_origins=Settings.from_env({"OTONARI_CORS_ORIGINS": ALLOWED}).cors_origins
    )
    async with serve(configured, triage_engine, workers=False) as base_url:
        client = Api(base_url)
        try:
            yield client
        finally:
            await client.close()


def cors_headers(response: httpx.Response) -> dict[str, str]:
    return {k.lower(): v for k, v in response.headers.items() if k.lower().startswith("access-control-")}


async def preflight(api: Api, origin: str) -> httpx.Response:
    return await api.client.options(
        "/graphql",
        headers={
            "origin": origin,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type, authorization",
        },
    )


async def test_preflight_and_requests_from_an_allowed_origin(cors_api: Api) -> None:
    answer = await preflight(cors_api, ALLOWED)
    assert answer.status_code == 204
    headers = cors_headers(answer)
    assert headers["access-control-allow-origin"] == ALLOWED
    assert "POST" in headers["access-control-allow-methods"]
    assert set(headers["access-control-allow-headers"].split(", ")) == {"authorization", "content-type"}
    assert int(headers["access-control-max-age"]) > 0
    assert "access-control-allow-credentials" not in headers  # tokens are headers, never cookies
    response = await cors_api.client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"origin": ALLOWED}
    )
    assert response.status_code == 200 and response.json()["data"] == {"__typename": "Query"}
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "Retry-After" in response.headers["access-control-expose-headers"]
    assert "Origin" in response.headers["vary"]


async def test_other_origins_get_no_cors_headers(cors_api: Api) -> None:
    for origin in (FOREIGN, "https://app.example.org.evil.com", "http://app.example.org", "null"):
        answer = await preflight(cors_api, origin)
        assert cors_headers(answer) == {}, origin
        response = await cors_api.client.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"origin": origin}
        )
        assert cors_headers(response) == {}, origin


async def test_without_the_setting_no_origin_is_allowed(api: Api) -> None:
    answer = await preflight(api, ALLOWED)
    assert cors_headers(answer) == {}
    assert answer.status_code == 204 and answer.headers["allow"] == "GET, POST"


async def _handshake(base_url: str, origin: str | None) -> str:
    """connection_ack, or the refusal's HTTP status."""
    url = base_url.replace("http", "ws", 1) + "/graphql"
    try:
        async with websockets.connect(url, subprotocols=["graphql-transport-ws"], origin=origin) as ws:  # type: ignore[arg-type]
            await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
            reply = json.loads(await asyncio.wait_for(ws.recv(), 10))
            return str(reply["type"])
    except InvalidStatus as refused:
        return f"HTTP {refused.response.status_code}"
    except websockets.ConnectionClosed as closed:
        # Signed in as nobody: the handshake passed the Origin check; the protocol then refuses.
        return f"closed {closed.rcvd.code if closed.rcvd else None}"


async def test_websocket_origin_uses_the_same_list(cors_api: Api) -> None:
    same_origin = cors_api.base_url
    passed = {"connection_ack", "closed 4403"}
    assert await _handshake(cors_api.base_url, ALLOWED) in passed
    assert await _handshake(cors_api.base_url, same_origin) in passed
    assert await _handshake(cors_api.base_url, None) in passed  # not a browser
    assert await _handshake(cors_api.base_url, FOREIGN) == "HTTP 403"


def test_origins_setting_is_validated() -> None:
    parsed = Settings.from_env(
        {"OTONARI_CORS_ORIGINS": " https://App.Example.org:443 ,http://localhost:5173"}
    )
    assert parsed.cors_origins == frozenset({"https://app.example.org", "http://localhost:5173"})
    for bad in ("*", "https://app.example.org/path", "app.example.org", "ftp://x.org", "null"):
        with pytest.raises(ValueError, match="OTONARI_CORS_ORIGINS"):
            Settings.from_env({"OTONARI_CORS_ORIGINS": bad})
