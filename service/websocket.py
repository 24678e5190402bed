"""graphql-transport-ws, hardened: strawberry's handler with the limits a public endpoint needs.

- each message is held to the HTTP body limit, before it is parsed (close 1009);
- a message that is not JSON, not an object, or not shaped as the protocol says closes the
  connection with 4400 (the protocol's "bad request"), never an abnormal drop;
- a lone surrogate in a `subscribe` payload is that operation's `error` (code INVALID_UNICODE);
- a syntax error is the operation's `error` message, as validation errors are (strawberry
  closes the socket instead, and ParserCache-style extensions turned it into a bare `complete`);
- connections per account (per process) and operations per connection are capped, with codes;
- the server sends a protocol `ping` every `ping_seconds` once a connection is acknowledged, so
  proxies and load balancers do not close an idle subscription (strawberry sends none on this
  protocol); a client answers with `pong`, as graphql-ws clients do by themselves;
- the connection closes (4401) when the token it signed in with is revoked (in any process) or
  expires.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from graphql import GraphQLError, GraphQLSyntaxError
from starlette.websockets import WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import NonTextMessageReceived, WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    Message,
    SubscribeMessage,
)

from db.availability import database_unavailable
from service import wire
from service.context import Context
from service.persisted_documents import DocumentRefused, PersistedDocuments

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator

log = logging.getLogger(__name__)

CLOSE_BAD_REQUEST = 4400  # graphql-transport-ws: invalid message
CLOSE_UNAUTHORIZED = 4401  # graphql-transport-ws: the credentials no longer hold
CLOSE_TOO_MANY_CONNECTIONS = 4429
CLOSE_MESSAGE_TOO_BIG = 1009  # RFC 6455
CLOSE_TRY_AGAIN_LATER = 1013  # RFC 6455: the server cannot serve now (its database is down)
MAX_OPERATION_ID = 128
_MAX_REASON_BYTES = 123  # RFC 6455: a close reason fits in a control frame


class SocketRefused(Exception):
    """Close the connection with this code and reason (raised during connection_init)."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass
class SocketRegistry:
    """Open, acknowledged connections per account in this process."""

    per_account: int
    _open: Counter[int] = field(default_factory=Counter)

    def acquire(self, account_id: int) -> None:
        if self._open[account_id] >= self.per_account:
            raise SocketRefused(
                CLOSE_TOO_MANY_CONNECTIONS,
                f"too many connections for this account (at most {self.per_account})",
            )
        self._open[account_id] += 1

    def release(self, account_id: int) -> None:
        self._open[account_id] -= 1
        if self._open[account_id] <= 0:
            del self._open[account_id]

    def count(self, account_id: int) -> int:
        return self._open[account_id]


@dataclass(frozen=True)
class WebSocketLimits:
    max_message_bytes: int
    max_operations: int
    sockets: SocketRegistry
    # Seconds between the server's pings on an acknowledged connection.
    ping_seconds: float = 20.0
    # Trusted-documents mode applies to subscribe messages too (APQ registration is HTTP's).
    documents: PersistedDocuments = field(default_factory=PersistedDocuments)


class LimitedWebSocketAdapter(ASGIWebSocketAdapter):
    """Reads each message as text within the size limit, then decodes it strictly."""

    limits: ClassVar[WebSocketLimits]

    @classmethod
    def with_limits(cls, limits: WebSocketLimits) -> type[LimitedWebSocketAdapter]:
        return type("LimitedWebSocketAdapter", (cls,), {"limits": limits})

    async def iter_json(self, *, ignore_parsing_errors: bool = False) -> AsyncGenerator[object, None]:
        try:
            while self.ws.application_state != WebSocketState.DISCONNECTED:
                text = await self.ws.receive_text()
                limit = self.limits.max_message_bytes
                # len() counts characters; a character is 1 to 4 UTF-8 bytes.
                if len(text) > limit or (len(text) * 4 > limit and len(text.encode()) > limit):
                    raise wire.RequestRefused(
                        wire.RequestErrorCode.PAYLOAD_TOO_LARGE,
                        f"message over {limit} bytes",
                        status=CLOSE_MESSAGE_TOO_BIG,
                    )
                yield wire.decode_json(text, check_text=False)
        except KeyError as exc:  # a binary frame
            raise NonTextMessageReceived from exc
        except WebSocketDisconnect:
            pass


class GuardedTransportWSHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """strawberry builds one handler per socket from the view's class: limits live on the class."""

    limits: ClassVar[WebSocketLimits]

    @classmethod
    def with_limits(cls, limits: WebSocketLimits) -> type[GuardedTransportWSHandler]:
        return type("GuardedTransportWSHandler", (cls,), {"limits": limits})

    _pinger: asyncio.Task[None] | None = None
    _token_watch: contextlib.ExitStack | None = None
    _expiry: asyncio.TimerHandle | None = None
    _closing: asyncio.Task[None] | None = None

    async def handle(self) -> None:
        try:
            await super().handle()
        except wire.RequestRefused as refused:
            code = refused.status if refused.status >= 1000 else CLOSE_BAD_REQUEST
            await self._close(code, refused.message)
        finally:
            if self._pinger is not None:
                self._pinger.cancel()
            if self._expiry is not None:
                self._expiry.cancel()
            if self._token_watch is not None:
                self._token_watch.close()
            self._release_socket()

    def _watch_token(self) -> None:
        """Close when the viewer's token is revoked (any process) or expires."""
        viewer = self.context.viewer
        if viewer is None or not viewer.token_hash:
            return
        self._token_watch = contextlib.ExitStack()
        self._token_watch.enter_context(
            self.context.state.viewers.watch(viewer.token_hash, lambda _: self._token_ended("revoked"))
        )
        if viewer.token_expires_at is not None:
            left = (viewer.token_expires_at - datetime.now(UTC)).total_seconds()
            self._expiry = asyncio.get_running_loop().call_later(max(0.0, left), self._token_ended, "expired")

    def _token_ended(self, why: str) -> None:
        if self._closing is None:
            reason = f"token {why}: sign in again"
            self._closing = asyncio.create_task(self._close(CLOSE_UNAUTHORIZED, reason))

    async def _ping_forever(self) -> None:
        # Ends quietly however the socket goes away: handle() cancels it when the connection ends.
        with contextlib.suppress(Exception):
            while True:
                await asyncio.sleep(self.limits.ping_seconds)
                await self.send_message({"type": "ping"})

    async def handle_message(self, message: Message) -> None:
        problem = _shape_problem(message)
        if problem is not None:
            await self._close(CLOSE_BAD_REQUEST, problem)
            return
        if message["type"] == "subscribe":
            payload = message["payload"]
            if wire.lone_surrogate_path(payload) is not None:
                refused = wire.lone_surrogate(wire.lone_surrogate_path(payload) or "")
                await self._send_error(message["id"], refused.message, refused.code.value)
                return
            try:
                self.limits.documents.resolve(payload["query"], payload.get("extensions"))
            except DocumentRefused as untrusted:
                await self._send_error(message["id"], untrusted.message, untrusted.code)
                return
        await super().handle_message(message)

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        try:
            await super().handle_connection_init(message)
        except SocketRefused as refused:
            await self._close(refused.code, refused.reason)
        except Exception as error:  # the viewer could not be looked up
            if not database_unavailable(error):
                raise
            await self._close(CLOSE_TRY_AGAIN_LATER, "service unavailable: retry shortly")
        if self.connection_acknowledged and self._pinger is None:
            self._pinger = asyncio.create_task(self._ping_forever(), name="ws-ping")
            self._watch_token()

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if (
            self.connection_acknowledged
            and message["id"] not in self.operations
            and len(self.operations) >= self.limits.max_operations
        ):
            await self._send_error(
                message["id"],
                f"at most {self.limits.max_operations} operations at a time on one connection",
                "TOO_MANY_OPERATIONS",
            )
            return
        await super().handle_subscribe(message)

    @staticmethod
    def _get_pre_execution_close_reason(error: GraphQLError) -> str | None:
        # A syntax error is the operation's error, like a validation error; only a document
        # that cannot name its operation closes the socket (strawberry's behaviour).
        if isinstance(error, GraphQLSyntaxError):
            return None
        return BaseGraphQLTransportWSHandler._get_pre_execution_close_reason(error)

    async def _send_error(self, operation_id: str, message: str, code: str) -> None:
        error = GraphQLError(message, extensions={"code": code})
        await self.send_message({"id": operation_id, "type": "error", "payload": [error.formatted]})

    async def _close(self, code: int, reason: str) -> None:
        encoded = reason.encode()[:_MAX_REASON_BYTES].decode(errors="ignore")
        with contextlib.suppress(RuntimeError, WebSocketDisconnected):  # already closed
            await self.websocket.close(code=code, reason=encoded)

    def _release_socket(self) -> None:
        account_id = self.context.socket_account_id
        if account_id is not None:
            self.limits.sockets.release(account_id)
            self.context.socket_account_id = None


def _shape_problem(message: Any) -> str | None:
    """What is wrong with a message's shape (the protocol's required fields), else None."""
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        return "invalid message: expected an object with a string `type`"
    kind = message["type"]
    if kind in ("subscribe", "complete"):
        op_id = message.get("id")
        if not isinstance(op_id, str) or not 0 < len(op_id) <= MAX_OPERATION_ID:
            return f"invalid {kind} message: `id` must be a string of 1 to {MAX_OPERATION_ID} characters"
        if wire.lone_surrogate_path(op_id) is not None:
            return f"invalid {kind} message: `id` is not text"
    if kind == "subscribe":
        payload = message.get("payload")
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            return "invalid subscribe message: `payload.query` must be a string"
        for name, kinds in (("variables", dict), ("operationName", str), ("extensions", dict)):
            value = payload.get(name)
            if value is not None and not isinstance(value, kinds):
                return f"invalid subscribe message: `payload.{name}` has the wrong type"
    return None
