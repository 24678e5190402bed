"""Input limits: every check collects a UserError with the path of the field at fault."""

from collections.abc import Iterable, Sequence

from service import human_text
from service.errors import ErrorCode, UserError, UserErrors
from service.languages import normalise_language

MAX_TEXT = 4000
MAX_NAME = 100
MAX_AREA = 100
MAX_CONTACT = 500
MAX_SKILLS = 2000
MAX_SHORT_TEXT = 500
MAX_NOTE = 2000
MAX_LANGUAGES = 10
MAX_PAGE = 100
# The page size of a connection whose `first` is not given.
DEFAULT_PAGE = 20


class Checker:
    """Collects every problem of one input, so the client can fix them all at once."""

    def __init__(self, *root: str) -> None:
        self.root = root
        self.errors: list[UserError] = []

    def fail(self, field: str | None, message: str, code: ErrorCode = ErrorCode.INVALID_INPUT) -> None:
        path = (*self.root, field) if field else self.root
        self.errors.append(UserError(path, message, code))

    def text(self, field: str, value: str, *, max_len: int, min_len: int = 1) -> str:
        """Trimmed text within bounds (counted in characters, after trimming)."""
        cleaned = value.strip()
        if "\x00" in cleaned:
            self.fail(field, f"{field} must not contain NUL characters")
        elif len(cleaned) < min_len:
            self.fail(
                field,
                f"{field} must not be empty"
                if min_len == 1
                else f"{field} must be at least {min_len} characters",
            )
        elif len(cleaned) > max_len:
            self.fail(field, f"{field} must be at most {max_len} characters (got {len(cleaned)})")
        return cleaned

    def line(self, field: str, value: str, *, max_len: int, min_len: int = 1) -> str:
        """Short human text shown to others (names, areas, contact, times): normalised, one
        line, nothing invisible or look-alike (service.human_text); bounds after normalising."""
        cleaned = human_text.normalise(value)
        if not cleaned and min_len == 0:
            return cleaned
        if len(cleaned) > max_len:
            self.fail(field, f"{field} must be at most {max_len} characters (got {len(cleaned)})")
        elif len(cleaned) < min_len:
            self.fail(field, f"{field} must not be empty")
        else:
            problem = human_text.problem(cleaned)
            if problem is not None:
                self.fail(field, f"{field} {problem}")
        return cleaned

    def optional_line(self, field: str, value: str | None, *, max_len: int) -> str | None:
        if value is None:
            return None
        return self.line(field, value, max_len=max_len, min_len=0) or None

    def optional_text(self, field: str, value: str | None, *, max_len: int) -> str | None:
        if value is None:
            return None
        cleaned = self.text(field, value, max_len=max_len, min_len=0)
        return cleaned or None

    def languages(self, field: str, codes: Sequence[str], *, max_count: int = MAX_LANGUAGES) -> list[str]:
        if not codes:
            self.fail(field, f"{field} must list at least one language (ISO 639-1 code)")
            return []
        if len(codes) > max_count:
            self.fail(field, f"{field} may list at most {max_count} languages")
            return []
        found: list[str] = []
        for code in codes:
            norm = normalise_language(code)
            if norm is None:
                self.fail(
                    field,
                    f"unknown language code {code[:20]!r}: use ISO 639-1, e.g. 'vi', 'zh', 'ne'",
                )
            elif norm not in found:
                found.append(norm)
        return found

    def int_range(self, field: str, value: int, low: int, high: int) -> int:
        if not low <= value <= high:
            self.fail(field, f"{field} must be between {low} and {high}")
        return value

    def unique(self, field: str, values: Iterable[str]) -> list[str]:
        result = list(dict.fromkeys(values))
        if not result:
            self.fail(field, f"{field} must not be empty")
        return result

    def check(self) -> None:
        if self.errors:
            raise UserErrors(self.errors)
