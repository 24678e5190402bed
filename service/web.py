"""The web app's files (built by `make web` into web/dist) and the headers every response carries.

Pages: the resident page at `/`, the volunteer page at `/volunteer`, the staff console at `/staff`
and GraphiQL at `GET /graphql` for browsers (built from the `graphiql` npm package: no CDN, so it
works offline). Hashed assets under `/assets/` never change and are cached for a year; the HTML
pages are revalidated on every load so a new build is picked up at once.

Every response carries a Content-Security-Policy that allows nothing from another origin and no
inline script or style: the pages only load their own files and talk to `/graphql`.
"""

import logging
import os
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.config import Settings

log = logging.getLogger(__name__)

# One policy for everything the server sends. 'self' in connect-src covers ws:// and wss:// to
# this host too. GraphiQL's stylesheet embeds its fonts and icons as data: URLs (no network),
# so its page alone may use them.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
GRAPHIQL_CSP = CSP.replace("img-src 'self'", "img-src 'self' data:").replace(
    "font-src 'self'", "font-src 'self' data:"
)

SECURITY_HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"no-referrer",
    b"x-frame-options": b"DENY",
    b"cross-origin-opener-policy": b"same-origin",
    b"permissions-policy": b"camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"  # may be stored, but asked again (ETag) before each use
# /volunteer/answer is the one-click answer page of offer emails: the volunteer page's own code.
PAGES = {
    "/": "index.html",
    "/volunteer": "volunteer.html",
    "/volunteer/answer": "volunteer.html",
    "/staff": "staff.html",
}


class SecurityHeaders:
    """Adds the CSP and the other security headers to every HTTP response (API included),
    unless the response set its own (GraphiQL's page sets GRAPHIQL_CSP)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = CSP.encode()

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", policy))
                headers.extend((k, v) for k, v in SECURITY_HEADERS.items() if k not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


class _Assets(StaticFiles):
    """Vite's hashed files: a name changes whenever its content does, so they never expire."""

    async def check_config(self) -> None:
        """A missing build is a 404 per file (the pages say what to do), not a server error."""

    def file_response(
        self,
        full_path: "str | os.PathLike[str]",
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = IMMUTABLE
        return response


def _not_built(web_dir: Path) -> Response:
    return PlainTextResponse(
        f"The web app is not built (no {web_dir / 'index.html'}). Run `make web` "
        "(npm ci, then npm run build in web/); `make run` does it for you.",
        status_code=503,
        headers={"Cache-Control": "no-store", "Retry-After": "30"},
    )


def page_response(web_dir: Path, name: str, csp: str = CSP) -> Response:
    path = web_dir / name
    if not path.is_file():
        return _not_built(web_dir)
    headers = {"Cache-Control": REVALIDATE, "Content-Security-Policy": csp}
    return FileResponse(path, media_type="text/html; charset=utf-8", headers=headers)


def wants_html(request: Request) -> bool:
    """A browser navigating to /graphql (GraphiQL), as opposed to a GraphQL client."""
    accept = request.headers.get("accept", "")
    return request.method == "GET" and "text/html" in accept


class WithGraphiQL:
    """`/graphql`: GraphiQL for a browser's GET (when enabled), the GraphQL app for the rest."""

    def __init__(self, graphql_app: ASGIApp, settings: Settings) -> None:
        self.graphql_app = graphql_app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.settings.graphiql and scope["type"] == "http" and wants_html(Request(scope)):
            response = page_response(self.settings.web_dir, "graphiql.html", GRAPHIQL_CSP)
            await response(scope, receive, send)
        else:
            await self.graphql_app(scope, receive, send)


def routes(web_dir: Path) -> list[Route | Mount]:
    if not (web_dir / "index.html").is_file():
        log.warning("web app not built: %s is missing (run `make web`)", web_dir / "index.html")

    def page(path: str, name: str) -> Route:
        async def endpoint(request: Request) -> Response:
            return page_response(web_dir, name)

        return Route(path, endpoint, methods=["GET", "HEAD"])

    found: list[Route | Mount] = [page(path, name) for path, name in PAGES.items()]

    async def favicon(request: Request) -> Response:
        path = web_dir / "favicon.svg"
        if not path.is_file():
            raise HTTPException(404)
        cache = {"Cache-Control": "public, max-age=86400"}
        return FileResponse(path, media_type="image/svg+xml", headers=cache)

    found.append(Route("/favicon.svg", favicon, methods=["GET", "HEAD"]))
    found.append(Mount("/assets", app=_Assets(directory=web_dir / "assets", check_dir=False), name="assets"))
    return found
