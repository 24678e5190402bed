"""Error messages in the reader's language: the words are data (messages/<locale>.toml), one
sentence per ErrorReason and one word per status a refusal can name.

The locale: the viewer's chosen notification language, else the first of their languages that
has messages (residents read `ja` as easy Japanese, `zh` as simplified Chinese), else the
request's Accept-Language, else English.
"""

import re
import string
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from db.availability import database_unavailable
from db.queries import q
from db.types import Executor
from service.auth import Role, Viewer
from service.errors import UserError

MESSAGES_DIR = Path(__file__).parent / "messages"
DEFAULT_LOCALE = "en"
# The web app's locales (web/src/i18n/locales.json); error messages and notification templates both use them.
LOCALES = (
    "ja", "ja-easy", "en", "zh-Hans", "zh-Hant", "vi", "ko", "tl", "ne", "pt", "id", "my", "th", "si", "es",
)  # fmt: skip
# Statuses a refusal names (NOT_ALLOWED_IN_STATUS, OFFER_ALREADY_ANSWERED): requests, offers, notifications.
STATUSES = (
    "RECEIVED", "IN_REVIEW", "ESCALATED", "OPEN", "MATCHED", "COMPLETED", "CANCELLED", "CLOSED",
    "PENDING", "ACCEPTED", "DECLINED", "EXPIRED", "WITHDRAWN", "SENT", "SKIPPED", "PARKED",
)  # fmt: skip
# A person's ISO 639-1 language read as another locale; residents read Japanese made easy.
_RESIDENT_LANGUAGE_LOCALE = {"zh": "zh-Hans", "ja": "ja-easy"}
_LANGUAGE_LOCALE = {"zh": "zh-Hans"}
# Accept-Language tags (lower case) that name a locale besides its own code.
_TAG_LOCALE = {
    "zh-tw": "zh-Hant", "zh-hk": "zh-Hant", "zh-mo": "zh-Hant", "zh-hant": "zh-Hant",
    "zh": "zh-Hans", "zh-cn": "zh-Hans", "zh-sg": "zh-Hans", "zh-hans": "zh-Hans",
    "fil": "tl", "ja-x-easy": "ja-easy",
}  # fmt: skip
_LOCALE_OF_CODE = {locale.lower(): locale for locale in LOCALES}
_ACCEPT_ITEM = re.compile(
    r"^\s*([A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)\s*(?:;\s*q\s*=\s*([0-9.]{1,5}))?\s*$"
)
MAX_ACCEPT_LANGUAGE = 500


@dataclass(frozen=True)
class Catalog:
    reasons: Mapping[str, str]
    statuses: Mapping[str, str]


@cache
def catalog(locale: str) -> Catalog:
    data = tomllib.loads((MESSAGES_DIR / f"{locale}.toml").read_text(encoding="utf-8"))
    return Catalog(
        reasons={k: str(v).strip() for k, v in data["reasons"].items()},
        statuses={k: str(v) for k, v in data["statuses"].items()},
    )


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def message(error: UserError, locale: str) -> str:
    """The error's sentence in the locale, its parameters filled in (a status in words)."""
    words = catalog(locale if locale in LOCALES else DEFAULT_LOCALE)
    values: dict[str, object] = dict(error.params)
    status = values.get("status")
    if isinstance(status, str):
        values["status"] = words.statuses.get(status, status)
    return words.reasons[error.reason.value].format_map(values)


def locale_of_languages(languages: Sequence[str], *, resident: bool) -> str | None:
    """The first of a person's languages (ISO 639-1) that has messages."""
    table = _RESIDENT_LANGUAGE_LOCALE if resident else _LANGUAGE_LOCALE
    for language in languages:
        locale = table.get(language, language)
        if locale in LOCALES:
            return locale
    return None


def locale_of_accept_language(header: str | None) -> str | None:
    """The most preferred locale of an Accept-Language header (RFC 9110) that has messages."""
    if not header or len(header) > MAX_ACCEPT_LANGUAGE:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")):
        found = _ACCEPT_ITEM.match(item)
        if found is None:
            continue
        try:
            weight = float(found.group(2)) if found.group(2) else 1.0
        except ValueError:
            continue
        locale = _locale_of_tag(found.group(1).lower())
        if locale is not None and weight > 0:
            ranked.append((-weight, position, locale))
    return min(ranked)[2] if ranked else None


def _locale_of_tag(tag: str) -> str | None:
    while tag:
        locale = _TAG_LOCALE.get(tag) or _LOCALE_OF_CODE.get(tag)
        if locale is not None:
            return locale
        tag = tag.rpartition("-")[0]  # zh-Hant-TW -> zh-Hant -> zh
    return None


def choose_locale(
    chosen: str | None, languages: Sequence[str], *, resident: bool, accept_language: str | None
) -> str:
    if chosen in LOCALES:
        return str(chosen)
    return (
        locale_of_languages(languages, resident=resident)
        or locale_of_accept_language(accept_language)
        or DEFAULT_LOCALE
    )


async def viewer_locale(db: Executor, viewer: Viewer | None, accept_language: str | None) -> str:
    """The locale of messages to this viewer (read when a refusal is told: errors are rare)."""
    try:
        row = await db.fetchrow(q("account_languages"), viewer.account_id) if viewer is not None else None
    except Exception as error:
        if not database_unavailable(error):
            raise
        row = None  # the refusal is still told, in the request's language
    if row is None:
        return choose_locale(None, (), resident=False, accept_language=accept_language)
    return choose_locale(
        row["locale"],
        row["languages"],
        resident=row["role"] == Role.RESIDENT.value,
        accept_language=accept_language,
    )
