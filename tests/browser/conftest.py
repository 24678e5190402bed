"""Fixtures of the browser tests: one Chromium per session, a served app per test (the real
app, real PostgreSQL from the template database, the real model), pages that check themselves.

Without a chromium on PATH the tests are skipped with a loud reason (and `make test` says so);
under CI (CI=true) a missing chromium is a failure, as .ci/run installs it."""

import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pytest

from service.config import Settings
from tests.browser.harness import DESKTOP, WEB_DIST, BrowserPage, chromium_path, ensure_web_build, launch
from tests.conftest import serve
from tests.support import Api

if TYPE_CHECKING:
    from playwright.async_api import Browser

    from triage.engine import Triage

NO_CHROMIUM = (
    "BROWSER TESTS NOT RUN: no chromium on PATH. Install it with `apt-get install -y chromium`, "
    "then run `make test-browser` (or `.venv/bin/python -m pytest tests/browser`)."
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def web_build() -> None:
    if chromium_path() is None:
        if os.environ.get("CI"):
            pytest.fail(NO_CHROMIUM)
        pytest.skip(NO_CHROMIUM)
    ensure_web_build()


@pytest.fixture(scope="session")
async def browser(web_build: None) -> AsyncIterator["Browser"]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await launch(playwright)
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
def web_settings(settings: Settings) -> Settings:
    return replace(settings, graphiql=True, web_dir=WEB_DIST)


@pytest.fixture
async def web_url(web_settings: Settings, triage_engine: "Triage", web_build: None) -> AsyncIterator[str]:
    """The real app serving the built web app, on a free port."""
    async with serve(web_settings, triage_engine) as base_url:
        yield base_url


OpenPage = Callable[..., Awaitable[BrowserPage]]


@pytest.fixture
async def open_page(browser: "Browser", web_url: str) -> AsyncIterator[OpenPage]:
    """open_page(path, viewport=DESKTOP): a fresh browser context (its own sessionStorage) on
    `path`; every page opened is checked after the test for console errors and off-origin requests."""
    opened: list[tuple[Any, BrowserPage]] = []

    async def open_(
        path: str, viewport: dict[str, int] = DESKTOP, locale: str = "en-US", ui_language: str | None = "en"
    ) -> BrowserPage:
        context = await browser.new_context(viewport=viewport, locale=locale)
        # Generous: CPU on a shared CI machine can be scarce; a real hang still fails.
        context.set_default_timeout(45_000)
        if ui_language:  # as if chosen in the language menu earlier (the pages remember it)
            await context.add_init_script(
                "for (const p of ['staff', 'volunteer', 'resident']) "
                f"localStorage.setItem('otonari.locale.' + p, {ui_language!r})"
            )
        page = BrowserPage(await context.new_page(), web_url)
        page.attach()
        opened.append((context, page))
        await page.goto(path)
        return page

    yield open_
    try:
        for _, page in opened:
            page.check_clean()
    finally:
        for context, _ in opened:
            await context.close()


@pytest.fixture
async def api(web_url: str) -> AsyncIterator[Api]:
    """The API client on the same server the browser uses (replaces the suite's own `api`)."""
    client = Api(web_url)
    try:
        yield client
    finally:
        await client.close()
