"""What every browser test needs: a Chromium launched the project's way, a page that records
console errors and every request it makes, an axe-core scan, and keyboard helpers.

`BrowserPage.check_clean()` runs after every test (see conftest): no JavaScript error or CSP
violation in the console, no uncaught exception, no request to another origin.
"""

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Browser, ConsoleMessage, Page, Playwright, Request
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

REPO = Path(__file__).resolve().parents[2]
WEB = REPO / "web"
WEB_DIST = WEB / "dist"
AXE = WEB / "node_modules" / "axe-core" / "axe.min.js"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 860}


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def web_sources() -> list[Path]:
    found = [p for d in ("src", "public") for p in (WEB / d).rglob("*") if p.is_file()]
    found += list(WEB.glob("*.html")) + [WEB / n for n in ("vite.config.ts", "package-lock.json")]
    return found


def ensure_web_build() -> None:
    """Build web/dist with `make web` when it is missing or older than a source file."""
    stamp = WEB_DIST / ".build-stamp"
    newest = max(p.stat().st_mtime for p in web_sources())
    if stamp.exists() and stamp.stat().st_mtime >= newest:
        return
    result = subprocess.run(["make", "-s", "web"], cwd=REPO, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"`make web` failed:\n{result.stdout}\n{result.stderr}")


async def launch(playwright: Playwright) -> Browser:
    executable = chromium_path()
    assert executable, "no chromium on PATH (apt-get install -y chromium)"
    return await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)


@dataclass
class BrowserPage:
    """A page plus what it did: console errors, page errors and the URL of every request."""

    page: Page
    base_url: str
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    # Messages a test expects (e.g. a refused sign-in answered 4xx): substrings to tolerate.
    allowed_errors: list[str] = field(default_factory=list)

    def attach(self) -> None:
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda exc: self.console_errors.append(f"pageerror: {exc}"))
        self.page.on("request", self._on_request)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "assert"):
            self.console_errors.append(f"console.{message.type}: {message.text}")

    def _on_request(self, request: Request) -> None:
        self.requests.append(request.url)

    def offsite_requests(self) -> list[str]:
        origin = urlsplit(self.base_url)
        allowed = {(origin.hostname, origin.port)}
        offsite = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in ("data", "blob", "about"):
                continue
            if (
                parts.scheme not in ("http", "https", "ws", "wss")
                or (parts.hostname, parts.port) not in allowed
            ):
                offsite.append(url)
        return offsite

    def check_clean(self) -> None:
        errors = [e for e in self.console_errors if not any(a in e for a in self.allowed_errors)]
        assert errors == [], "JavaScript errors in the console:\n" + "\n".join(errors)
        assert self.offsite_requests() == [], f"requests left the origin: {self.offsite_requests()}"

    async def goto(self, path: str) -> None:
        await self.page.goto(self.base_url + path, wait_until="load")

    async def axe(self, *, exclude: list[str] | None = None) -> list[dict[str, Any]]:
        """axe-core's serious and critical violations on the page as it is now (WCAG 2.x A/AA).

        Evaluated through the DevTools protocol, so the page's CSP (no inline script) stays on."""
        if not await self.page.evaluate("typeof window.axe !== 'undefined'"):
            await self.page.evaluate(AXE.read_text())
        options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
        context: Any = {"include": [["html"]], "exclude": [[s] for s in exclude]} if exclude else None
        result = await self.page.evaluate(
            "([context, options]) => axe.run(context ?? document, options)", [context, options]
        )
        return [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]][:5],
            }
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    async def assert_accessible(self, *, exclude: list[str] | None = None) -> None:
        violations = await self.axe(exclude=exclude)
        assert violations == [], json.dumps(violations, indent=1, ensure_ascii=False)

    async def assert_fits_width(self) -> None:
        """Nothing makes the page scroll sideways (the 360 px phone check)."""
        overflow = await self.page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"the page is {overflow}px wider than the viewport"

    async def press(self, *keys: str) -> None:
        for key in keys:
            await self.page.keyboard.press(key)

    async def tab_to(self, selector: str, max_tabs: int = 60) -> None:
        """Press Tab until the element matching `selector` has focus (keyboard-only use)."""
        for _ in range(max_tabs):
            if await self.page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
                return
            await self.page.keyboard.press("Tab")
        focused = await self.page.evaluate("document.activeElement?.outerHTML?.slice(0, 120)")
        raise AssertionError(f"{selector} not reached with Tab in {max_tabs} presses (focus on {focused})")

    async def wait_for_focus(self, selector: str, timeout_ms: float = 5000) -> None:
        """Wait until the element matching `selector` has focus: pages move focus in the next
        animation frame after a re-render (focusFirstInvalid), not at once."""
        try:
            await self.page.wait_for_function(
                "(s) => document.activeElement?.matches(s) ?? false", arg=selector, timeout=timeout_ms
            )
        except PlaywrightTimeoutError:
            raise AssertionError(f"{selector} never got focus (focus on {await self.focused()})") from None

    async def focused(self) -> str:
        value: str = await self.page.evaluate("document.activeElement?.outerHTML?.slice(0, 200) ?? ''")
        return value
