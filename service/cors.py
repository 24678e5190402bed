"""CORS for /graphql: pages on the origins of OTONARI_CORS_ORIGINS may call the API from a browser.

An allowed origin's preflight (OPTIONS with Access-Control-Request-Method) is answered 204 with
the methods and headers a GraphQL client sends; its requests get Access-Control-Allow-Origin
and may read Retry-After. Any other origin gets no CORS header at all, so the browser keeps the
answer from the page (its preflight reaches the GraphQL app, which answers OPTIONS without them).
No credentials: the API authenticates with the Authorization header, never cookies.

The same list lets pages on those origins open the WebSocket (strawberry's origin check, given
the list in app.server); same-origin pages and clients that send no Origin are always allowed.
"""

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALLOW_METHODS = "GET, POST"
# What a GraphQL client sends beyond the CORS-safelisted headers.
ALLOW_HEADERS = frozenset({"authorization", "content-type", "accept", "accept-language"})
EXPOSE_HEADERS = "Retry-After"
MAX_AGE_SECONDS = 600


class Cors:
    def __init__(self, app: ASGIApp, origins: frozenset[str]) -> None:
        self.app = app
        self.origins = origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.origins:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin not in self.origins:
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self.preflight(origin, headers)(scope, receive, send)
            return

        async def with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", []),
                    (b"access-control-allow-origin", origin.encode()),
                    (b"access-control-expose-headers", EXPOSE_HEADERS.encode()),
                    (b"vary", b"Origin"),
                ]
            await send(message)

        await self.app(scope, receive, with_cors)

    @staticmethod
    def preflight(origin: str, headers: Headers) -> Response:
        requested = {
            name.strip().lower()
            for name in headers.get("access-control-request-headers", "").split(",")
            if name.strip()
        }
        allowed = ", ".join(sorted(requested & ALLOW_HEADERS)) or "content-type"
        return Response(
            status_code=204,
            headers={
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Allow-Methods": ALLOW_METHODS,
                "Access-Control-Allow-Headers": allowed,
                "Access-Control-Max-Age": str(MAX_AGE_SECONDS),
                "Vary": "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
            },
        )
