"""What every resolver needs: the signed-in viewer, permission errors, cursors and pages."""

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from graphql import GraphQLError

from service.auth import Viewer
from service.context import Context
from service.errors import ErrorCode
from service.validation import MAX_PAGE

T = TypeVar("T")


def denied(message: str, code: str = ErrorCode.FORBIDDEN.value) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


def require_viewer(ctx: Context) -> Viewer:
    if ctx.viewer is None:
        raise denied("sign in: send Authorization: Bearer <token>", "UNAUTHENTICATED")
    return ctx.viewer


def require_staff(ctx: Context) -> Viewer:
    viewer = require_viewer(ctx)
    if not viewer.is_staff:
        raise denied("staff only")
    return viewer


def check_first(first: int | None, default: int = 20) -> int:
    """The page size: null means the default; anything outside 1..100 is refused."""
    if first is None:
        return default
    if not 1 <= first <= MAX_PAGE:
        raise GraphQLError(
            f"first must be between 1 and {MAX_PAGE}",
            extensions={"code": ErrorCode.INVALID_INPUT.value},
        )
    return first


def encode_cursor(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def decode_cursor(cursor: str | None) -> Any:
    if cursor is None:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, UnicodeError):
        raise GraphQLError("invalid cursor", extensions={"code": ErrorCode.INVALID_INPUT.value}) from None


def int_cursor(cursor: str | None) -> int | None:
    key = decode_cursor(cursor)
    if key is None:
        return None
    if not isinstance(key, int):
        raise GraphQLError("invalid cursor", extensions={"code": ErrorCode.INVALID_INPUT.value})
    return key


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[tuple[str, T]]
    has_next_page: bool
    total_count: int

    @property
    def end_cursor(self) -> str | None:
        return self.items[-1][0] if self.items else None

    @classmethod
    def empty(cls) -> "Page[T]":
        return cls([], False, 0)
