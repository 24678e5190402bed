"""Word lists kept as data (``triage/words/*.toml``), compiled into matchers.

A section has ``words`` (words or phrases, matched at word boundaries, any run of spaces for a
space), ``strings`` (matched anywhere: unspaced scripts, emoji, suffixing scripts) and optionally
``patterns`` (regular expressions, matched anywhere) and ``negated`` (phrases that contain a
marker but deny it, "não é brincadeira": taken out of the text before matching). Texts are
matched NFKC-lowercased (``fold``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Markers:
    words: re.Pattern[str] | None
    strings: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]
    negated: tuple[str, ...] = ()  # phrases that hold a marker but deny it ("not kidding")
    # The negated phrases as one pattern, a space in them matching any run of whitespace as in
    # ``words`` ("não é\nbrincadeira" is no joke either); longest first, as ``negated`` is.
    _denials: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        alternation = "|".join(_spaced(p) for p in self.negated)
        object.__setattr__(self, "_denials", re.compile(alternation) if self.negated else None)

    def found(self, folded: str) -> bool:
        """Whether a marker occurs in a ``fold``-ed text, outside its negated phrases."""
        if self._denials is not None:
            folded = self._denials.sub(" ", folded)
        return (
            any(s in folded for s in self.strings)
            or (self.words is not None and self.words.search(folded) is not None)
            or any(p.search(folded) for p in self.patterns)
        )


def _spaced(phrase: str) -> str:
    """A literal phrase as a pattern in which each space matches any run of whitespace."""
    return re.escape(phrase).replace(r"\ ", r"\s+")


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def strip_latin_marks(text: str) -> str:
    """Remove diacritics from Latin letters only, one character for one (offsets stay valid):
    "Đau ngực" -> "Dau nguc" (the emergency cues' unaccented form, the Vietnamese restoration's
    unmarked syllables).

    Combining marks of other scripts (Devanagari, Thai, Myanmar, Sinhala vowel signs) carry
    meaning and are kept.
    """
    out: list[str] = []
    for ch in text:
        if ch.isascii() or not ch.isalpha():
            out.append(ch)
            continue
        if ch in "đĐ":
            out.append("D" if ch == "Đ" else "d")
            continue
        decomposed = unicodedata.normalize("NFD", ch)
        base = decomposed[0]
        if base.isascii() and all(unicodedata.combining(c) for c in decomposed[1:]):
            out.append(base)
        else:
            out.append(ch)
    return "".join(out)


def markers(section: Mapping[str, Sequence[str]]) -> Markers:
    words = sorted({fold(w) for w in section.get("words", ())}, key=len, reverse=True)
    alternation = "|".join(_spaced(w) for w in words)
    return Markers(
        re.compile(rf"(?<!\w)(?:{alternation})(?!\w)") if words else None,
        tuple(sorted({fold(s) for s in section.get("strings", ())})),
        tuple(re.compile(p) for p in section.get("patterns", ())),
        # Longest first, so that "não é brincadeira não" goes before "não é brincadeira".
        tuple(sorted({fold(s) for s in section.get("negated", ())}, key=len, reverse=True)),
    )
