"""What arrives on the wire, before GraphQL sees it: JSON bodies and WebSocket messages.

Python's json module accepts things that are not text (a lone UTF-16 surrogate such as
`"\\ud800"`, UTF-8-encoded surrogates in bytes) and fails in ways the HTTP view does not expect
(RecursionError on deeply nested arrays, UnicodeDecodeError on invalid UTF-8). Each becomes a
`RequestRefused` with a code here, so no such input reaches a resolver, the database or a log.
"""

import json
import re
from enum import StrEnum
from typing import Any

# A \uD800-\uDFFF escape: the only way a surrogate can get into strictly decoded text.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class RequestErrorCode(StrEnum):
    """`extensions.code` of a request refused before GraphQL runs (HTTP 4xx, WebSocket close)."""

    BAD_REQUEST = "BAD_REQUEST"  # not JSON, nested too deeply, not an object, bad message shape
    INVALID_UNICODE = "INVALID_UNICODE"  # not UTF-8, or a lone surrogate in a string
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"  # body or WebSocket message over the size limit
    # GraphQL over HTTP (service.http_graphql):
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"  # not GET or POST, or a mutation by GET (405)
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"  # a POST body that is not application/json (415)
    NOT_ACCEPTABLE = "NOT_ACCEPTABLE"  # Accept names no media type the server answers in (406)
    UNKNOWN_OPERATION = "UNKNOWN_OPERATION"  # operationName names no operation of the document
    OPERATION_NAME_REQUIRED = "OPERATION_NAME_REQUIRED"  # several operations, no operationName
    OPERATION_NOT_SUPPORTED = "OPERATION_NOT_SUPPORTED"  # a subscription over HTTP
    # Persisted documents (service.persisted_documents):
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"  # APQ: unknown hash, send the query too
    PERSISTED_QUERY_HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"  # the hash is not the query's
    DOCUMENT_NOT_TRUSTED = "DOCUMENT_NOT_TRUSTED"  # trusted-documents mode: not in the manifest


class RequestRefused(Exception):
    def __init__(self, code: RequestErrorCode, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    def as_graphql_errors(self) -> dict[str, Any]:
        """The body of the HTTP answer: the GraphQL response shape, so clients read it as usual."""
        return {"errors": [{"message": self.message, "extensions": {"code": self.code.value}}]}


def decode_json(data: str | bytes, *, check_text: bool = True) -> dict[str, Any]:
    """A JSON object, strictly: UTF-8 only, nesting the parser can handle, and (unless the caller
    checks it itself, with lone_surrogate_path) no lone surrogate in any string."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")  # strict: also refuses UTF-8-encoded surrogates
        except UnicodeDecodeError as exc:
            raise RequestRefused(
                RequestErrorCode.INVALID_UNICODE, f"the body is not valid UTF-8 (byte {exc.start})"
            ) from None
    else:
        text = data
    try:
        value = json.loads(text)
    except RecursionError:
        raise RequestRefused(RequestErrorCode.BAD_REQUEST, "JSON nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise RequestRefused(
            RequestErrorCode.BAD_REQUEST, f"not valid JSON: {exc.msg} at character {exc.pos}"
        ) from None
    if not isinstance(value, dict):
        raise RequestRefused(RequestErrorCode.BAD_REQUEST, f"expected a JSON object, got {_kind(value)}")
    if check_text and may_hold_surrogates(text):
        where = lone_surrogate_path(value)
        if where is not None:
            raise lone_surrogate(where)
    return value


def may_hold_surrogates(text: str) -> bool:
    """Cheap pre-check (C speed): only a \\uD8xx-\\uDFxx escape can put a surrogate into the value."""
    return _SURROGATE_ESCAPE.search(text) is not None


def lone_surrogate(where: str) -> RequestRefused:
    return RequestRefused(
        RequestErrorCode.INVALID_UNICODE,
        f"a string holds a lone UTF-16 surrogate, which is not text, at {where[:200] or 'the top level'}",
    )


def _kind(value: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )


def lone_surrogate_path(value: Any) -> str | None:
    """The dotted path of the first string (or object key) holding a lone surrogate, else None.

    Well-formed pairs (emoji written as `\\ud83d\\ude00`) are decoded by json into one character,
    so any surrogate left in a decoded string is unpaired. Iterative: no recursion on deep input.
    """
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            if _has_surrogate(item):
                return path
        elif isinstance(item, dict):
            for key, child in item.items():
                child_path = f"{path}.{key}" if path else str(key)
                if _has_surrogate(key):
                    return path or "an object key"
                stack.append((child_path, child))
        elif isinstance(item, list):
            stack.extend((f"{path}[{i}]", child) for i, child in enumerate(item))
    return None


def _has_surrogate(text: str) -> bool:
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
