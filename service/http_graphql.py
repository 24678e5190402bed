"""GraphQL over HTTP, as the GraphQL-over-HTTP specification says, in this one module.

- **Media types.** `Accept: application/graphql-response+json` gets that media type and its
  status codes: 200 when the operation ran (even with field errors), 400 for a request that is
  not well formed or a document that does not parse or validate (without a `data` entry), 401
  / 403 / 429 when the errors that kept the operation from running are `UNAUTHENTICATED` /
  `FORBIDDEN` / `RATE_LIMITED`. `application/json`, `*/*` and no Accept header get the legacy
  behaviour: 200 for every well-formed request, whatever its GraphQL errors. An Accept header
  naming neither is answered 406. In both, a request that failed as a whole because the
  database could not answer (`SERVICE_UNAVAILABLE`) is 503 with Retry-After.
- **Methods.** POST runs queries and mutations; GET runs queries only (a mutation is 405 with
  `Allow: POST`); anything else is 405 with `Allow: GET, POST`. POST bodies must be
  `application/json` (UTF-8): anything else, or no Content-Type, is 415.
- **Parameters.** `query` a string, `operationName` a string, `variables` and `extensions`
  objects (null = absent); anything else is 400. One operation per request: no batches.
- **Bodies over the limit** are 413, and a plain client (urllib, which sends its whole body
  before it reads anything) can read it: the body is read in chunks and, once over the limit,
  the rest is read and thrown away (up to MAX_DRAIN_BYTES) before the answer is sent. Closing
  with unread bytes makes the kernel reset the connection, and the client sees only the reset.
- **Persisted documents** (Apollo's APQ, trusted documents): service.persisted_documents.

Refusals before GraphQL runs have the GraphQL response shape with an `extensions.code`
(service.wire.RequestErrorCode).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from db.availability import RETRY_AFTER_SECONDS, database_unavailable
from service import wire
from service.errors import UNAVAILABLE_MESSAGE, ErrorCode
from service.persisted_documents import DocumentRefused, PersistedDocuments
from service.wire import RequestErrorCode

if TYPE_CHECKING:
    from starlette.types import Message, Receive, Scope, Send
    from strawberry.http import GraphQLHTTPResponse
    from strawberry.schema import BaseSchema
    from strawberry.types import ExecutionResult

log = logging.getLogger(__name__)

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
# A body over the limit is read to its end (and thrown away) up to this many bytes, so that the
# client can read the 413; a bigger one is answered at once and the connection closed.
MAX_DRAIN_BYTES = 32 * 1024 * 1024
ALLOW_ALL = "GET, POST"

# Status of a GraphQL response without data (graphql-response+json only), by extensions.code of
# its errors: authentication first, then permission, then rate limits; any other request error
# (parse, validation, variables, operation name, persisted document) is 400.
_STATUS_BY_CODE = (("UNAUTHENTICATED", 401), ("FORBIDDEN", 403), ("RATE_LIMITED", 429))
# The database could not answer: 503 with Retry-After whenever the whole request failed.
UNAVAILABLE = ErrorCode.SERVICE_UNAVAILABLE.value


class GraphQLView(Protocol):
    """What this module needs from the strawberry view (app.server.OtonariGraphQL)."""

    schema: BaseSchema

    async def get_context(self, request: Any, response: Any) -> Any: ...

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse: ...


class Refused(Exception):
    """Answer with this status and a GraphQL-shaped error, without running anything.

    `request_error`: the request was well formed and this is a GraphQL request error (such as
    an unknown persisted document): legacy application/json clients get it with a 200."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: Mapping[str, str] | None = None,
        request_error: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = str(code)
        self.message = message
        self.headers = dict(headers or {})
        self.request_error = request_error


class _ClientGone(Exception):
    """The client disconnected before its body arrived: nobody to answer."""


@dataclass(frozen=True)
class Params:
    """A GraphQL-over-HTTP request's parameters, checked."""

    query: str | None
    operation_name: str | None
    variables: dict[str, Any] | None
    extensions: dict[str, Any] | None


def negotiate(accept: str | None) -> str | None:
    """The media type to answer in: the client's highest-priority one that this server speaks
    (first listed wins a tie); application/json without an Accept header; None: 406."""
    if accept is None or not accept.strip():
        return JSON
    best: tuple[float, int, str] | None = None
    for index, item in enumerate(accept.split(",")):
        media, *parameters = (p.strip().lower() for p in item.split(";"))
        quality = 1.0
        charset_ok = True
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
            elif name.strip() == "charset":
                charset_ok = value.strip().strip('"') in {"utf-8", "utf8"}
        if quality <= 0 or not charset_ok:
            continue
        if media == GRAPHQL_RESPONSE:
            chosen = GRAPHQL_RESPONSE
        elif media in {JSON, "application/*", "*/*"}:
            chosen = JSON
        else:
            continue
        if best is None or (quality, -index) > (best[0], -best[1]):
            best = (quality, index, chosen)
    return best[2] if best else None


def graphql_body(code: str, message: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


def json_response(
    body: object, status: int, media_type: str = JSON, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(),
        status_code=status,
        media_type=f"{media_type}; charset=utf-8",
        headers=dict(headers or {}),
    )


def refusal(status: int, code: str, message: str, media_type: str = JSON) -> Response:
    """A request refused before GraphQL ran: the GraphQL response shape, with a code."""
    return json_response(graphql_body(code, message), status, media_type)


def _request_error(result: ExecutionResult) -> bool:
    """No data, and no error from a field: the operation did not run (parse, validation,
    variables, operation name), or was refused as a whole."""
    return result.data is None and all(not error.path for error in result.errors or ())


def _codes(errors: Iterable[GraphQLError]) -> set[str]:
    return {str((error.extensions or {}).get("code")) for error in errors}


def status_for(result: ExecutionResult, media_type: str) -> int:
    """The HTTP status of a GraphQL response, by media type (see the module doc)."""
    codes = _codes(result.errors or ())
    if result.data is None and UNAVAILABLE in codes:
        return 503  # nothing could be answered: in either media type, so that clients retry
    if media_type != GRAPHQL_RESPONSE or result.data is not None:
        return 200
    for code, status in _STATUS_BY_CODE:
        if code in codes:
            return status
    return 400 if _request_error(result) else 200


class GraphQLOverHTTP:
    """The HTTP side of /graphql (the WebSocket side is the strawberry view itself)."""

    def __init__(self, view: GraphQLView, *, max_body_bytes: int, documents: PersistedDocuments) -> None:
        self.view = view
        self.max_body_bytes = max_body_bytes
        self.documents = documents

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        media_type = negotiate(request.headers.get("accept"))
        try:
            if media_type is None:
                raise Refused(
                    406,
                    RequestErrorCode.NOT_ACCEPTABLE,
                    f"this endpoint answers in {GRAPHQL_RESPONSE} or {JSON}: accept one of them",
                )
            response = await self.answer(request, media_type)
        except Refused as refused:
            response = self.refused(refused, media_type or JSON)
        except wire.RequestRefused as refused:
            response = refusal(refused.status, refused.code.value, refused.message, media_type or JSON)
        except _ClientGone:
            return
        await response(scope, receive, send)

    @staticmethod
    def refused(refused: Refused, media_type: str) -> Response:
        status = 200 if refused.request_error and media_type == JSON else refused.status
        headers = {"WWW-Authenticate": "Bearer", **refused.headers} if status == 401 else refused.headers
        return json_response(graphql_body(refused.code, refused.message), status, media_type, headers)

    async def answer(self, request: Request, media_type: str) -> Response:
        method = request.method
        if method == "OPTIONS":
            return Response(status_code=204, headers={"Allow": ALLOW_ALL})
        if method not in {"GET", "POST"}:
            raise Refused(
                405,
                RequestErrorCode.METHOD_NOT_ALLOWED,
                f"{method} is not supported here: send queries by GET or POST, mutations by POST",
                headers={"Allow": ALLOW_ALL},
            )
        params = _query_params(request) if method == "GET" else await self._body_params(request)
        try:
            resolved = self.documents.resolve(params.query, params.extensions)
        except DocumentRefused as refused:
            # never cached (a CDN keeping "PersistedQueryNotFound" for a GET would break APQ)
            headers = {"Cache-Control": "no-store"}
            raise Refused(
                refused.status,
                refused.code,
                refused.message,
                headers=headers,
                request_error=refused.request_error,
            ) from None
        sub_response = Response()
        del sub_response.headers["content-length"]
        try:
            context = await self.view.get_context(request, sub_response)
        except GraphQLError as refused:  # a context that refuses the request as a whole
            code = str((refused.extensions or {}).get("code") or RequestErrorCode.BAD_REQUEST)
            status = dict(_STATUS_BY_CODE).get(code, 400)
            raise Refused(status, code, refused.message, request_error=True) from None
        except Exception as error:  # the viewer could not be looked up
            if not database_unavailable(error):
                raise
            log.warning("database unavailable: %r", str(error)[:200])
            raise Refused(
                503, UNAVAILABLE, UNAVAILABLE_MESSAGE, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
            ) from None
        allowed = {OperationType.QUERY} if method == "GET" else {OperationType.QUERY, OperationType.MUTATION}
        try:
            result = await self.view.schema.execute(
                resolved.query,
                variable_values=params.variables,
                context_value=context,
                operation_name=params.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=params.extensions,
            )
        except InvalidOperationTypeError as exc:
            raise _wrong_operation_type(exc.operation_type, method) from None
        except CannotGetOperationTypeError as exc:
            raise Refused(
                400, RequestErrorCode.UNKNOWN_OPERATION, exc.as_http_error_reason(), request_error=True
            ) from None
        except MissingQueryError:
            raise Refused(400, RequestErrorCode.BAD_REQUEST, "send the GraphQL document as `query`") from None
        if not _request_error(result):
            self.documents.remember(resolved)
        return await self._response(request, result, media_type, sub_response)

    async def _response(
        self, request: Request, result: ExecutionResult, media_type: str, sub_response: Response
    ) -> Response:
        body = await self.view.process_result(request, result)
        if media_type == GRAPHQL_RESPONSE and _request_error(result):
            # The operation did not run: no data entry at all (not even null).
            body = {key: value for key, value in body.items() if key != "data"}  # type: ignore[assignment]
        status = status_for(result, media_type)
        headers = {k: v for k, v in sub_response.headers.items() if k.lower() != "content-type"}
        if status == 401:
            headers.setdefault("WWW-Authenticate", "Bearer")
        if UNAVAILABLE in _codes(result.errors or ()):
            headers.setdefault("Retry-After", str(RETRY_AFTER_SECONDS))
        return json_response(body, status, media_type, headers)

    async def _body_params(self, request: Request) -> Params:
        content_type = request.headers.get("content-type")
        if not _is_json(content_type):
            raise Refused(
                415,
                RequestErrorCode.UNSUPPORTED_MEDIA_TYPE,
                f"send the request as Content-Type: {JSON} (UTF-8), not {content_type or 'no content type'}",
                headers={"Accept-Post": JSON},
            )
        body = await read_body(request, self.max_body_bytes)
        return _checked(wire.decode_json(body))


def _wrong_operation_type(operation_type: OperationType, method: str) -> Refused:
    if operation_type is OperationType.MUTATION and method == "GET":
        return Refused(
            405,
            RequestErrorCode.METHOD_NOT_ALLOWED,
            "mutations are not allowed over GET: send them by POST",
            headers={"Allow": "POST"},
        )
    return Refused(
        400,
        RequestErrorCode.OPERATION_NOT_SUPPORTED,
        f"{operation_type.value} operations are not served over HTTP: use graphql-transport-ws on this URL",
    )


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    media, *parameters = (p.strip().lower() for p in content_type.split(";"))
    if media != JSON:
        return False
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip() == "charset" and value.strip().strip('"') not in {"utf-8", "utf8"}:
            return False
    return True


def _query_params(request: Request) -> Params:
    query = request.query_params
    raw: dict[str, Any] = {"query": query.get("query"), "operationName": query.get("operationName")}
    for name in ("variables", "extensions"):
        text = query.get(name)
        if text:
            try:
                raw[name] = wire.decode_json(text)
            except wire.RequestRefused as refused:
                raise Refused(
                    400, refused.code, f"`{name}` must be a JSON object: {refused.message}"
                ) from None
    return _checked(raw)


def _checked(data: dict[str, Any]) -> Params:
    """The four parameters, of the types the specification gives them (null = absent)."""
    query = data.get("query")
    operation_name = data.get("operationName")
    variables = data.get("variables")
    extensions = data.get("extensions")
    for name, value, kind, label in (
        ("query", query, str, "a string"),
        ("operationName", operation_name, str, "a string"),
        ("variables", variables, dict, "an object"),
        ("extensions", extensions, dict, "an object"),
    ):
        if value is not None and not isinstance(value, kind):
            raise Refused(400, RequestErrorCode.BAD_REQUEST, f"`{name}` must be {label} or null")
    if query is None and not (extensions and "persistedQuery" in extensions):
        raise Refused(400, RequestErrorCode.BAD_REQUEST, "send the GraphQL document as `query`")
    return Params(query, operation_name or None, variables, extensions)


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, read in chunks as they arrive; over `limit` a 413 (see the module doc)."""
    declared = request.headers.get("content-length", "")
    announced = int(declared) if declared.isdigit() else 0
    waiting = request.headers.get("expect", "").lower() == "100-continue"
    if announced > limit and (waiting or announced > MAX_DRAIN_BYTES):
        # A client waiting for "100 Continue" has not sent the body: answer now. So is one
        # announcing more than we are willing to read through.
        raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    receive = request.receive
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _ClientGone
        chunk: bytes = message.get("body", b"")
        more = bool(message.get("more_body", False))
        size += len(chunk)
        if size > limit:
            await _drain(receive, more, size)
            raise _too_large(limit)
        chunks.append(chunk)
        if not more:
            return b"".join(chunks)


async def _drain(receive: Receive, more: bool, size: int) -> None:
    """Read and drop the rest of the body, up to MAX_DRAIN_BYTES in all."""
    while more and size <= MAX_DRAIN_BYTES:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            raise _ClientGone
        size += len(message.get("body", b""))
        more = bool(message.get("more_body", False))


def _too_large(limit: int) -> Refused:
    # The connection is not reused: past MAX_DRAIN_BYTES the client may still be sending.
    message = f"request body over {limit} bytes"
    return Refused(413, RequestErrorCode.PAYLOAD_TOO_LARGE, message, headers={"Connection": "close"})
