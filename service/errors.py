"""Expected failures: the error codes and reasons of the API and the exception that carries them.

A refusal is data (a reason and its parameters); the words are in service/messages/<locale>.toml,
chosen per request by service.i18n.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

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


class ErrorReason(StrEnum):
    """The exact reason; each belongs to one ErrorCode (CODE_OF)."""

    BLANK = "BLANK"
    TOO_LONG = "TOO_LONG"
    TOO_MANY = "TOO_MANY"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    NUL_CHARACTER = "NUL_CHARACTER"
    CONTROL_CHARACTER = "CONTROL_CHARACTER"
    PRIVATE_USE_CHARACTER = "PRIVATE_USE_CHARACTER"
    INVISIBLE_CHARACTER = "INVISIBLE_CHARACTER"
    NO_VISIBLE_CHARACTER = "NO_VISIBLE_CHARACTER"
    MIXED_SCRIPTS = "MIXED_SCRIPTS"
    UNKNOWN_LANGUAGE = "UNKNOWN_LANGUAGE"
    UNKNOWN_LOCALE = "UNKNOWN_LOCALE"
    NOT_OPT_OUTABLE = "NOT_OPT_OUTABLE"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_URL = "INVALID_URL"
    URL_WITH_CREDENTIALS = "URL_WITH_CREDENTIALS"
    URL_NOT_HTTPS = "URL_NOT_HTTPS"
    VOLUNTEER_NOT_ELIGIBLE = "VOLUNTEER_NOT_ELIGIBLE"
    INVALID_ID = "INVALID_ID"
    INVALID_CURSOR = "INVALID_CURSOR"
    SIGN_IN_REQUIRED = "SIGN_IN_REQUIRED"
    TOKEN_NO_LONGER_VALID = "TOKEN_NO_LONGER_VALID"  # noqa: S105 - a reason, not a secret
    ACCOUNT_DEACTIVATED = "ACCOUNT_DEACTIVATED"
    ROLE_NOT_ALLOWED = "ROLE_NOT_ALLOWED"
    NOT_FOUND = "NOT_FOUND"
    LINK_INVALID = "LINK_INVALID"
    NOT_ALLOWED_IN_STATUS = "NOT_ALLOWED_IN_STATUS"
    OFFER_EXPIRED = "OFFER_EXPIRED"
    OFFER_WITHDRAWN = "OFFER_WITHDRAWN"
    OFFER_ALREADY_ANSWERED = "OFFER_ALREADY_ANSWERED"
    NOT_VETTED = "NOT_VETTED"
    AT_CAPACITY = "AT_CAPACITY"
    ALREADY_OFFERED = "ALREADY_OFFERED"
    ALREADY_COMPLETED = "ALREADY_COMPLETED"
    ALREADY_DEACTIVATED = "ALREADY_DEACTIVATED"
    ALREADY_ERASED = "ALREADY_ERASED"
    NAME_TAKEN = "NAME_TAKEN"
    OWN_ACCOUNT = "OWN_ACCOUNT"
    RATE_LIMITED = "RATE_LIMITED"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"


_CODES: dict[ErrorCode, tuple[ErrorReason, ...]] = {
    ErrorCode.INVALID_INPUT: (
        ErrorReason.BLANK,
        ErrorReason.TOO_LONG,
        ErrorReason.TOO_MANY,
        ErrorReason.OUT_OF_RANGE,
        ErrorReason.NUL_CHARACTER,
        ErrorReason.CONTROL_CHARACTER,
        ErrorReason.PRIVATE_USE_CHARACTER,
        ErrorReason.INVISIBLE_CHARACTER,
        ErrorReason.NO_VISIBLE_CHARACTER,
        ErrorReason.MIXED_SCRIPTS,
        ErrorReason.UNKNOWN_LANGUAGE,
        ErrorReason.UNKNOWN_LOCALE,
        ErrorReason.NOT_OPT_OUTABLE,
        ErrorReason.INVALID_EMAIL,
        ErrorReason.INVALID_URL,
        ErrorReason.URL_WITH_CREDENTIALS,
        ErrorReason.URL_NOT_HTTPS,
        ErrorReason.VOLUNTEER_NOT_ELIGIBLE,
        ErrorReason.INVALID_ID,
        ErrorReason.INVALID_CURSOR,
    ),
    ErrorCode.UNAUTHENTICATED: (
        ErrorReason.SIGN_IN_REQUIRED,
        ErrorReason.TOKEN_NO_LONGER_VALID,
        ErrorReason.ACCOUNT_DEACTIVATED,
    ),
    ErrorCode.FORBIDDEN: (ErrorReason.ROLE_NOT_ALLOWED,),
    ErrorCode.NOT_FOUND: (ErrorReason.NOT_FOUND, ErrorReason.LINK_INVALID),
    ErrorCode.CONFLICT: (
        ErrorReason.NOT_ALLOWED_IN_STATUS,
        ErrorReason.OFFER_EXPIRED,
        ErrorReason.OFFER_WITHDRAWN,
        ErrorReason.OFFER_ALREADY_ANSWERED,
        ErrorReason.NOT_VETTED,
        ErrorReason.AT_CAPACITY,
        ErrorReason.ALREADY_OFFERED,
        ErrorReason.ALREADY_COMPLETED,
        ErrorReason.ALREADY_DEACTIVATED,
        ErrorReason.ALREADY_ERASED,
        ErrorReason.NAME_TAKEN,
        ErrorReason.OWN_ACCOUNT,
    ),
    ErrorCode.RATE_LIMITED: (ErrorReason.RATE_LIMITED,),
    ErrorCode.SERVICE_UNAVAILABLE: (ErrorReason.SERVICE_UNAVAILABLE,),
}
CODE_OF: Mapping[ErrorReason, ErrorCode] = MappingProxyType(
    {reason: code for code, reasons in _CODES.items() for reason in reasons}
)
# Reasons whose `limit` parameter is a bound the client can show or enforce (UserError.limit).
LIMITED = frozenset({ErrorReason.TOO_LONG, ErrorReason.TOO_MANY, ErrorReason.AT_CAPACITY})
# Reasons whose `seconds` parameter says when to try again (UserError.retry_after_seconds).
WAIT = frozenset({ErrorReason.RATE_LIMITED, ErrorReason.SERVICE_UNAVAILABLE})

Param = str | int


@dataclass(frozen=True)
class Problem:
    """A reason and its parameters, before it is told against an input field."""

    reason: ErrorReason
    params: Mapping[str, Param] = field(default_factory=dict)


@dataclass(frozen=True)
class UserError:
    path: tuple[str, ...]
    reason: ErrorReason
    # The values the message names (service/messages): a limit, a length, a status ...
    params: Mapping[str, Param] = field(default_factory=dict)

    @property
    def code(self) -> ErrorCode:
        return CODE_OF[self.reason]

    @property
    def limit(self) -> int | None:
        value = self.params.get("limit") if self.reason in LIMITED else None
        return value if isinstance(value, int) else None

    @property
    def retry_after_seconds(self) -> int | None:
        """RATE_LIMITED and SERVICE_UNAVAILABLE: when to try again."""
        value = self.params.get("seconds") if self.reason in WAIT else None
        return value if isinstance(value, int) else None

    @property
    def message(self) -> str:
        """In English: logs and the command line. The API speaks the viewer's language (service.i18n)."""
        from service.i18n import DEFAULT_LOCALE, message  # service.i18n reads these records

        return message(self, DEFAULT_LOCALE)

    def at(self, *path: str) -> "UserError":
        """The same refusal, told against another input field."""
        return UserError(tuple(path), self.reason, self.params)


class UserErrors(OtonariError):
    """Raised by a domain operation that refused its input; nothing was written."""

    def __init__(self, errors: Sequence[UserError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = tuple(errors)

    @classmethod
    def one(cls, reason: ErrorReason, *path: str, **params: Param) -> "UserErrors":
        return cls([UserError(tuple(path), reason, params)])


# What a caller is told at the top level when the database cannot answer (never the driver's
# own message); payload errors say it in the person's language (SERVICE_UNAVAILABLE).
UNAVAILABLE_MESSAGE = "the service is briefly unavailable (its database did not answer): retry shortly"


def unavailable() -> UserError:
    return UserError((), ErrorReason.SERVICE_UNAVAILABLE, {"seconds": RETRY_AFTER_SECONDS})


def not_found(what: str, *path: str) -> UserErrors:
    # The same answer whether the thing is missing or belongs to someone else: nothing leaks.
    return UserErrors.one(ErrorReason.NOT_FOUND, *path, type=what)


def forbidden(*roles: str, path: Sequence[str] = ()) -> UserErrors:
    """The viewer's role may not do this; `roles` are the ones that may."""
    return UserErrors.one(ErrorReason.ROLE_NOT_ALLOWED, *path, roles=", ".join(roles))
