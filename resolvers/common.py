"""What every resolver needs: the signed-in viewer, permission errors, cursors and pages."""

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from graphql import GraphQLError

from service.auth import Viewer
from service.context import Context
from service.errors import CODE_OF, ErrorReason
from service.paging import Window
from service.validation import DEFAULT_PAGE, MAX_PAGE

T = TypeVar("T")
K = TypeVar("K")


def refusal(message: str, reason: ErrorReason) -> GraphQLError:
    """A top-level GraphQL error (queries; English): extensions carry the code and the reason."""
    return GraphQLError(message, extensions={"code": CODE_OF[reason].value, "reason": reason.value})


def require_viewer(ctx: Context) -> Viewer:
    """The signed-in viewer. Who may call a field is declared on the field (schema.permissions);
    this only hands resolvers the viewer, and refuses as that declaration would if one was missed."""
    if ctx.viewer is None:
        raise refusal("sign in: send Authorization: Bearer <token>", ErrorReason.SIGN_IN_REQUIRED)
    return ctx.viewer


def check_first(first: int | None, default: int = DEFAULT_PAGE, name: str = "first") -> int:
    """The page size: null means the default; anything outside 1..100 is refused."""
    if first is None:
        return default
    if not 1 <= first <= MAX_PAGE:
        raise refusal(f"{name} must be between 1 and {MAX_PAGE}", ErrorReason.OUT_OF_RANGE)
    return first


# Cursors are ours: short base64 of a JSON id or [rank, id]; anything longer is not one.
MAX_CURSOR = 100
_MAX_KEY = 2**63 - 1  # PostgreSQL bigint


def search_text(value: str | None, name: str, max_len: int) -> str | None:
    """A text filter argument: what PostgreSQL can compare (no NUL), of a sensible length."""
    if value is None:
        return None
    if "\x00" in value:
        raise refusal(f"{name} must not contain NUL", ErrorReason.NUL_CHARACTER)
    if len(value) > max_len:
        raise refusal(f"{name} must be at most {max_len} characters", ErrorReason.TOO_LONG)
    return value


def encode_cursor(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def _invalid_cursor() -> GraphQLError:
    return refusal("invalid cursor", ErrorReason.INVALID_CURSOR)


def decode_cursor(cursor: str | None) -> Any:
    if cursor is None:
        return None
    if len(cursor) > MAX_CURSOR:
        raise _invalid_cursor()
    try:
        return json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, ValueError, UnicodeError, RecursionError):
        raise _invalid_cursor() from None


def is_key(value: Any) -> bool:
    """A bigint key as cursors hold them (bool is an int in Python: not one)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _MAX_KEY


def int_cursor(cursor: str | None) -> int | None:
    key = decode_cursor(cursor)
    if key is None:
        return None
    if not is_key(key):
        raise _invalid_cursor()
    return int(key)


@dataclass(frozen=True)
class Paging:
    """A connection's arguments as sent: `first`/`after` forward, `last`/`before` backward."""

    first: int | None = DEFAULT_PAGE
    after: str | None = None
    last: int | None = None
    before: str | None = None
    default: int = DEFAULT_PAGE

    def window(self, key: Callable[[str | None], K | None]) -> Window[K]:
        """`last` pages backward (and then wins over `first`, whose default is always there);
        cursors are read with `key`, which refuses what is not one of ours."""
        after, before = key(self.after), key(self.before)
        if self.last is not None:
            return Window(check_first(self.last, self.default, "last"), after, before, True)
        return Window(check_first(self.first, self.default), after, before, False)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[tuple[str, T]]
    has_next_page: bool
    total_count: int
    has_previous_page: bool = False

    @property
    def start_cursor(self) -> str | None:
        return self.items[0][0] if self.items else None

    @property
    def end_cursor(self) -> str | None:
        return self.items[-1][0] if self.items else None

    @classmethod
    def empty(cls) -> "Page[T]":
        return cls([], False, 0)

    @classmethod
    def scanned(cls, page: Window[Any], items: list[tuple[str, T]], total: int) -> "Page[T]":
        """From up to size + 1 items read in the window's scan order (reversed when backward).
        Edges beyond the far cursor are known to exist (it came from one); on the near side only
        the one extra item read says whether more follow."""
        more = len(items) > page.size
        items = items[: page.size]
        if page.backward:
            return cls(items[::-1], page.before is not None, total, more)
        return cls(items, more, total, page.after is not None)
