"""Request ids, one structured log line per HTTP request and per WebSocket operation, and the
GraphQL operation timings (service.metrics).

A line says who (the role, never the token), what (the operation's name and type), how long and
how it ended (an HTTP status, `ok` or the first error's code); never the request's text, its
variables, a query string or anyone's contact. The request id is the client's `X-Request-Id`
when it looks like one, else a new one; it is echoed in the response (and in the WebSocket
handshake's), and every log line written while the request runs carries it.
"""

import logging
import re
import time
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.extensions import SchemaExtension

from service import metrics
from service.context import Context

access_log = logging.getLogger("otonari.access")

REQUEST_ID_HEADER = b"x-request-id"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


@dataclass
class RequestLog:
    """What one HTTP request's line says beyond the request itself; the GraphQL extension fills it."""

    request_id: str
    fields: dict[str, Any] = field(default_factory=dict)


current_request: ContextVar[RequestLog | None] = ContextVar("otonari_request", default=None)


def request_id_of(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER:
            text = str(value.decode("latin-1"))
            if _REQUEST_ID.match(text):
                return text
            break
    return uuid.uuid4().hex


class RequestObserver:
    """ASGI middleware: the request id, and the HTTP request's log line when it ends."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        entry = RequestLog(request_id_of(scope))
        echoed = (REQUEST_ID_HEADER, entry.request_id.encode())
        reset = current_request.set(entry)
        if scope["type"] == "websocket":

            async def send_ws(message: Message) -> None:
                if message["type"] == "websocket.accept":
                    message = {**message, "headers": [*message.get("headers", ()), echoed]}
                await send(message)

            try:
                await self.app(scope, receive, send_ws)
            finally:
                current_request.reset(reset)
            return

        status = 500
        started = time.perf_counter()

        async def send_http(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), echoed]}
            await send(message)

        try:
            await self.app(scope, receive, send_http)
        finally:
            current_request.reset(reset)
            seconds = time.perf_counter() - started
            metrics.HTTP_RESPONSES.labels(f"{min(status // 100, 5)}xx").inc()
            access_log.info(
                "%s %s %d %s",
                scope["method"],
                scope["path"],  # never the query string: a GET query carries the request's text
                status,
                entry.fields.get("outcome", ""),
                extra={
                    "fields": {
                        "request_id": entry.request_id,
                        "kind": "http",
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": round(seconds * 1000, 2),
                        **entry.fields,
                    }
                },
            )


_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


def _outcome(errors: list[GraphQLError] | None) -> str:
    if not errors:
        return "ok"
    code = (errors[0].extensions or {}).get("code")
    return str(code) if isinstance(code, str) and _NAME.match(code) else "ERROR"


def _is_bug(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


class OperationObserver(SchemaExtension):
    """Times each GraphQL operation (queries and mutations: a subscription's life is not a
    latency), counts the errors that are bugs, and describes the operation for the log: into the
    HTTP request's line, or a line of its own on a WebSocket. List it after MaskErrors, so that it
    sees bugs before they are masked."""

    def __init__(self) -> None:
        super().__init__()
        self.stream_errors: list[GraphQLError] = []

    def on_stream_result(self, result: Any) -> None:  # type: ignore[override]
        """A WebSocket operation's results (a subscription's events): keep the first errors."""
        if not self.stream_errors and getattr(result, "errors", None):
            self.stream_errors = list(result.errors)

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:  # a subscription's stream is closed from outside: its end is this hook's too
            self._observe(time.perf_counter() - started)

    def _observe(self, seconds: float) -> None:
        ec = self.execution_context
        try:
            operation_type = ec.operation_type.value
        except (RuntimeError, GraphQLError):  # no document, or no such operation in it
            operation_type = "unknown"
        errors = list(ec.result.errors or ()) if ec.result else list(ec.pre_execution_errors or ())
        errors = errors or self.stream_errors
        if operation_type in ("query", "mutation"):
            metrics.observe_operation(operation_type, ec.operation_name, seconds)
        bugs = sum(1 for e in errors if _is_bug(e))
        if bugs:
            metrics.GRAPHQL_ERRORS.labels(operation_type).inc(bugs)
        context = ec.context
        viewer = context.viewer if isinstance(context, Context) else None
        name = ec.operation_name
        fields = {
            "operation": name if name and _NAME.match(name) else None,
            "operation_type": operation_type,
            "role": viewer.role.value if viewer is not None else "anonymous",
            "outcome": _outcome(errors),
        }
        entry = current_request.get()
        on_socket = isinstance(context, Context) and isinstance(context.request, WebSocket)
        if entry is not None and not on_socket:
            entry.fields.update(fields)
            return
        access_log.info(
            "ws %s %s %s",
            fields["operation_type"],
            fields["operation"] or "-",
            fields["outcome"],
            extra={
                "fields": {
                    "request_id": entry.request_id if entry else None,
                    "kind": "ws",
                    "duration_ms": round(seconds * 1000, 2),
                    **fields,
                }
            },
        )
