"""Input limits: every check collects a UserError with the path of the field at fault."""

from collections.abc import Iterable, Sequence

from service import human_text
from service.errors import ErrorReason, Param, UserError, UserErrors
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

    def fail(self, field: str | None, reason: ErrorReason, **params: Param) -> None:
        path = (*self.root, field) if field else self.root
        self.errors.append(UserError(path, reason, params))

    def text(self, field: str, value: str, *, max_len: int, min_len: int = 1) -> str:
        """Trimmed text within bounds (counted in characters, after trimming); min_len 0 or 1."""
        cleaned = value.strip()
        if "\x00" in cleaned:
            self.fail(field, ErrorReason.NUL_CHARACTER)
        elif len(cleaned) < min_len:
            self.fail(field, ErrorReason.BLANK)
        elif len(cleaned) > max_len:
            self.fail(field, ErrorReason.TOO_LONG, limit=max_len, length=len(cleaned))
        return cleaned

    def line(self, field: str, value: str, *, max_len: int, min_len: int = 1) -> str:
        """Short human text shown to others (names, areas, contact, times): normalised, one
        line, nothing invisible or look-alike (service.human_text); bounds after normalising."""
        cleaned = human_text.normalise(value)
        if not cleaned and min_len == 0:
            return cleaned
        if len(cleaned) > max_len:
            self.fail(field, ErrorReason.TOO_LONG, limit=max_len, length=len(cleaned))
        elif len(cleaned) < min_len:
            self.fail(field, ErrorReason.BLANK)
        else:
            problem = human_text.problem(cleaned)
            if problem is not None:
                self.fail(field, problem.reason, **problem.params)
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
            self.fail(field, ErrorReason.BLANK)
            return []
        if len(codes) > max_count:
            self.fail(field, ErrorReason.TOO_MANY, limit=max_count, count=len(codes))
            return []
        found: list[str] = []
        for code in codes:
            norm = normalise_language(code)
            if norm is None:
                self.fail(field, ErrorReason.UNKNOWN_LANGUAGE, value=code[:20])
            elif norm not in found:
                found.append(norm)
        return found

    def int_range(self, field: str, value: int, low: int, high: int) -> int:
        if not low <= value <= high:
            self.fail(field, ErrorReason.OUT_OF_RANGE, min=low, max=high)
        return value

    def unique(self, field: str, values: Iterable[str]) -> list[str]:
        result = list(dict.fromkeys(values))
        if not result:
            self.fail(field, ErrorReason.BLANK)
        return result

    def check(self) -> None:
        if self.errors:
            raise UserErrors(self.errors)
