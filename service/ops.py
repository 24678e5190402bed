"""What operators and their tools call: /metrics (Prometheus), /livez and /readyz.

/metrics answers a client on this machine (loopback) without a token; anyone else needs
`Authorization: Bearer $OTONARI_METRICS_TOKEN` (without that setting: only loopback). A request
that came through the trusted reverse proxy (its header is present) is never loopback, whatever
the socket's peer. /livez: the process answers. /readyz: PostgreSQL answers, every migration of
this release is applied and the model is loaded; 503 with the reasons otherwise.
"""

import asyncio
import hmac
import ipaddress
import logging

import asyncpg
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from db.errors import OtonariError
from db.migrate import load_migrations
from db.queries import q
from service import metrics
from service.auth import bearer_token
from service.context import AppState

log = logging.getLogger(__name__)

READY_TIMEOUT_SECONDS = 2.0


def _from_loopback(request: Request, proxy_header: str | None) -> bool:
    if proxy_header and proxy_header in request.headers:
        return False
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _allowed(request: Request, state: AppState) -> bool:
    if _from_loopback(request, state.settings.trusted_proxy_header):
        return True
    expected = state.settings.metrics_token
    given = bearer_token(request.headers.get("authorization"))
    return bool(expected and given and hmac.compare_digest(given.encode(), expected.encode()))


async def metrics_endpoint(request: Request) -> Response:
    state: AppState = request.state.otonari
    if not _allowed(request, state):
        return PlainTextResponse(
            "metrics: send Authorization: Bearer <OTONARI_METRICS_TOKEN>",
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            await metrics.refresh_queues(state.pool)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
        # The process's own figures still help when the database does not answer.
        log.warning("metrics: the queue figures could not be read from PostgreSQL")
    # The classic text format: every Prometheus version reads it.
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_PLAIN_0_0_4)


async def livez(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def _not_ready(state: AppState) -> list[str]:
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            applied = await state.pool.fetch(q("applied_migrations"))
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError, OtonariError) as exc:
        return [f"database: {type(exc).__name__}"]
    missing = sorted({m.name for m in load_migrations()} - {r["name"] for r in applied})
    reasons = [f"migrations not applied: {', '.join(missing)}"] if missing else []
    if state.engine is None:
        reasons.append("model: not loaded")
    return reasons


async def readyz(request: Request) -> Response:
    reasons = await _not_ready(request.state.otonari)
    if reasons:
        return JSONResponse({"status": "unavailable", "reasons": reasons}, status_code=503)
    return JSONResponse({"status": "ok"})


def routes() -> list[Route]:
    return [
        Route("/metrics", metrics_endpoint, methods=["GET"]),
        Route("/livez", livez, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
    ]
