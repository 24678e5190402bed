"""How the app serves the web build: pages, caching, the security headers on every response,
GraphiQL for browsers only, and a clear 503 when the web app has not been built."""

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from service.config import Settings
from tests.conftest import serve

if TYPE_CHECKING:
    from triage.engine import Triage


def _fake_build(root: Path) -> Path:
    (root / "assets").mkdir(parents=True)
    for name in ("index.html", "volunteer.html", "staff.html", "graphiql.html"):
        (root / name).write_text(f"<!doctype html><title>{name}</title>")
    (root / "assets" / "app-abc123.js").write_text("export {};")
    return root


@pytest.fixture
async def web_client(
    settings: Settings, triage_engine: "Triage", tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[httpx.AsyncClient]:
    built = getattr(request, "param", True)
    web_dir = _fake_build(tmp_path / "dist") if built else tmp_path / "missing"
    served = serve(replace(settings, web_dir=web_dir, graphiql=True), triage_engine, workers=False)
    async with served as url, httpx.AsyncClient(base_url=url) as client:
        yield client


async def test_pages_assets_and_headers(web_client: httpx.AsyncClient) -> None:
    for path, name in (("/", "index.html"), ("/volunteer", "volunteer.html"), ("/staff", "staff.html")):
        page = await web_client.get(path)
        assert page.status_code == 200 and name in page.text
        assert page.headers["cache-control"] == "no-cache"
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    asset = await web_client.get("/assets/app-abc123.js")
    assert asset.status_code == 200
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert (await web_client.get("/assets/nope.js")).status_code == 404


async def test_graphiql_only_for_browsers(web_client: httpx.AsyncClient) -> None:
    html = await web_client.get("/graphql", headers={"Accept": "text/html,application/xhtml+xml"})
    assert "graphiql.html" in html.text
    assert "font-src 'self' data:" in html.headers["content-security-policy"]
    api = await web_client.post("/graphql", json={"query": "{ __typename }"})
    assert api.json()["data"] == {"__typename": "Query"}
    assert "font-src 'self';" in api.headers["content-security-policy"]  # data: only for GraphiQL


@pytest.mark.parametrize("web_client", [False], indirect=True)
async def test_unbuilt_web_app_says_what_to_do(web_client: httpx.AsyncClient) -> None:
    page = await web_client.get("/staff")
    assert page.status_code == 503
    assert "make web" in page.text
    assert (await web_client.get("/assets/app.js")).status_code == 404
    api = await web_client.post("/graphql", json={"query": "{ __typename }"})
    assert api.status_code == 200  # the API does not need the web build
