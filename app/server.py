"""The Starlette application: one lifespan opens the process's state (service.state), loads the
model, starts workers; /graphql over HTTP and WebSocket, the web app, health checks."""

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from db.availability import RETRY_AFTER_SECONDS, database_unavailable
from schema import build_schema
from service import cors, graphql_fixes, http_graphql, ops, trusted_documents, web
from service.auth import bearer_token
from service.config import Settings
from service.context import AppState, Context
from service.loaders import Loaders
from service.observe import RequestObserver
from service.persisted_documents import PersistedDocuments
from service.state import open_state
from service.websocket import (
    GuardedTransportWSHandler,
    LimitedWebSocketAdapter,
    SocketRegistry,
    WebSocketLimits,
)
from service.worker import background_work
from triage.engine import Triage


class OtonariGraphQL(GraphQL[Context, None]):
    """Builds the typed per-request context; WebSocket clients authenticate in connection_init.

    This view serves the WebSocket side of /graphql (service.websocket's hardened handler, each
    message decoded by service.wire); the HTTP side is service.http_graphql, which uses this
    view's context and result processing.
    """

    def __init__(self, schema: strawberry.Schema, *, ws_limits: WebSocketLimits, **options: Any) -> None:
        super().__init__(
            schema,
            # The legacy graphql-ws protocol had auth-bypass advisories: only graphql-transport-ws.
            subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
            connection_init_wait_timeout=timedelta(seconds=10),
            max_subscriptions_per_connection=ws_limits.max_operations,
            **options,
        )
        self.ws_limits = ws_limits
        self.graphql_transport_ws_handler_class = GuardedTransportWSHandler.with_limits(ws_limits)
        self.websocket_adapter_class = LimitedWebSocketAdapter.with_limits(ws_limits)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        state: AppState = request.state.otonari
        viewer = None
        http = isinstance(request, Request)
        if http:
            token = bearer_token(request.headers.get("authorization"))
            viewer = await state.viewers.viewer(state.pool, token)
        loaders = Loaders(state.pool, cache=http)
        return Context(state=state, viewer=viewer, loaders=loaders, request=request, response=response)

    async def on_ws_connect(self, context: Context) -> Any:
        params = context.connection_params or {}
        raw = params.get("authorization") or params.get("Authorization")
        token = bearer_token(raw) if isinstance(raw, str) else None
        viewer = await context.state.viewers.viewer(context.state.pool, token)
        if viewer is None:
            raise ConnectionRejectionError(
                {"reason": "send {authorization: 'Bearer <token>'} in connection_init"}
            )
        self.ws_limits.sockets.acquire(viewer.account_id)  # SocketRefused beyond the cap
        context.socket_account_id = viewer.account_id
        context.viewer = viewer
        return await super().on_ws_connect(context)


@strawberry.type
class _BenchHelloQuery:
    @strawberry.field
    def hello(self) -> str:
        return "world"


def _bench_hello_app() -> GraphQL[None, None]:
    """A bare strawberry schema in this process: the baseline bench/api.py compares /graphql against."""
    return GraphQL(strawberry.Schema(query=_BenchHelloQuery), graphql_ide=None, allow_queries_via_get=False)


def create_app(
    settings: Settings | None = None,
    *,
    engine: Triage | None = None,
    run_workers_inside: bool | None = None,
) -> Starlette:
    settings = settings or Settings.from_env()
    graphql_fixes.apply()  # subscriptions leak memory in graphql-core 3.3 without it
    schema = build_schema(
        max_depth=settings.max_query_depth,
        max_aliases=settings.max_aliases,
        max_tokens=settings.max_query_tokens,
        max_cost=settings.max_query_cost,
        count_statements=settings.count_statements,
    )
    trusted = trusted_documents.load(settings.trusted_documents) if settings.trusted_documents else None
    documents = PersistedDocuments(trusted)
    ws_limits = WebSocketLimits(
        max_message_bytes=settings.max_body_bytes,
        max_operations=settings.max_operations_per_socket,
        sockets=SocketRegistry(settings.max_sockets_per_account),
        ping_seconds=settings.ws_ping_seconds,
        documents=documents,
    )
    graphql_app = OtonariGraphQL(
        schema,
        ws_limits=ws_limits,
        # GraphiQL is served from the web build (service.web), not strawberry's CDN page.
        graphql_ide=None,
        allow_queries_via_get=False,  # HTTP is service.http_graphql's (which serves GET queries)
        # Pages on these origins may open the WebSocket (same-origin pages always may).
        allowed_origins=sorted(settings.cors_origins),
    )
    with_workers = settings.workers > 0 if run_workers_inside is None else run_workers_inside

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, AppState]]:
        async with open_state(settings, engine) as state, contextlib.AsyncExitStack() as workers:
            if with_workers:
                await workers.enter_async_context(background_work(state, max(1, settings.workers)))
            yield {"otonari": state}

    async def healthz(request: Request) -> Response:  # kept for existing checks; see /livez, /readyz
        state: AppState = request.state.otonari
        try:
            await state.pool.fetchval("SELECT 1")
        except Exception as error:
            if not database_unavailable(error):
                raise
            headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
            return JSONResponse({"status": "database unavailable"}, status_code=503, headers=headers)
        return JSONResponse({"status": "ok"})

    body_limit = settings.max_body_bytes
    http_app = http_graphql.GraphQLOverHTTP(graphql_app, max_body_bytes=body_limit, documents=documents)
    routes = [
        # Every method reaches the GraphQL app, which answers the ones it does not serve with 405.
        Route("/graphql", cors.Cors(web.WithGraphiQL(http_app, settings), settings.cors_origins)),
        WebSocketRoute("/graphql", graphql_app),
        Route("/healthz", healthz),
        *ops.routes(),
        *web.routes(settings.web_dir),
    ]
    if settings.bench_hello:
        routes.append(Route("/_bench/hello", _bench_hello_app(), methods=["POST"]))
    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(web.SecurityHeaders)
    app.add_middleware(RequestObserver)  # outermost: every response gets its id and its log line
    return app
