"""Expected failures: the error codes of the API and the exception that carries them."""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from db.availability import RETRY_AFTER_SECONDS
from db.errors import OtonariError


class ErrorCode(StrEnum):
    INVALID_INPUT = "INVALID_INPUT"
    NOT_FOUND = "NOT_FOUND"
    # A known viewer whose role may not do this.
    FORBIDDEN = "FORBIDDEN"
    CONFLICT = "CONFLICT"
    RATE_LIMITED = "RATE_LIMITED"
    # No valid credentials: none sent, or a token that is unknown, revoked or expired.
    UNAUTHENTICATED = "UNAUTHENTICATED"
    # The database could not answer in time (down, restarting, overloaded): retry shortly.
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"


@dataclass(frozen=True)
class UserError:
    path: tuple[str, ...]
    message: str
    code: ErrorCode
    # RATE_LIMITED and SERVICE_UNAVAILABLE: when to try again.
    retry_after_seconds: int | None = None


class UserErrors(OtonariError):
    """Raised by a domain operation that refused its input; nothing was written."""

    def __init__(self, errors: Sequence[UserError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = tuple(errors)

    @classmethod
    def one(cls, code: ErrorCode, message: str, *path: str) -> "UserErrors":
        return cls([UserError(tuple(path), message, code)])


# What a caller is told when the database cannot answer (never the driver's own message).
UNAVAILABLE_MESSAGE = "the service is briefly unavailable (its database did not answer): retry shortly"


def unavailable() -> UserError:
    return UserError((), UNAVAILABLE_MESSAGE, ErrorCode.SERVICE_UNAVAILABLE, RETRY_AFTER_SECONDS)


def not_found(what: str, *path: str) -> UserErrors:
    # The same answer whether the thing is missing or belongs to someone else: nothing leaks.
    return UserErrors.one(ErrorCode.NOT_FOUND, f"{what} not found", *path)


def forbidden(message: str, *path: str) -> UserErrors:
    return UserErrors.one(ErrorCode.FORBIDDEN, message, *path)
