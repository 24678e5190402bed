"""Short human text shown to other people (names, areas, contact, times): one normal form, and
nothing that only spoofs.

Unicode's security mechanisms (UTS #39) and identifier syntax (UAX #31) are the reference:
- NFKC, so compatibility variants (full-width Latin, ligatures, the ideographic space) are
  one spelling; runs of spaces become one;
- refused: control characters (CR, LF, TAB, NUL ...), private-use characters, and the
  default-ignorable ones, which render as nothing (bidi overrides and marks, zero-width spaces,
  the BOM, word joiners, tag characters, Hangul fillers) -- except the joiners where UAX #31
  allows them (ZWJ/ZWNJ after a virama, as Sinhala and Devanagari need; ZWJ inside an emoji
  sequence; ZWNJ between letters, as Persian needs) and an emoji variation selector after its
  base character;
- refused: text with no letter, digit or symbol (only marks, punctuation or spaces);
- refused: one word spelled with letters of more than one of Latin, Cyrillic and Greek, the
  look-alike spellings of UTS #39's mixed-script detection ("Тanaka" with a Cyrillic Т).
  Words in different scripts side by side ("Ivan Иванов") are fine.
"""

import unicodedata

import regex

from service.errors import ErrorReason, Problem

_IGNORABLE = regex.compile(r"\p{Default_Ignorable_Code_Point}")
_SPACES = regex.compile(r" {2,}")
_WORD = regex.compile(r"[\p{L}\p{M}]+")
_CONFUSABLE_SCRIPTS = {
    "Latin": regex.compile(r"\p{Script_Extensions=Latin}"),
    "Cyrillic": regex.compile(r"\p{Script_Extensions=Cyrillic}"),
    "Greek": regex.compile(r"\p{Script_Extensions=Greek}"),
}
ZWNJ, ZWJ = "\u200c", "\u200d"
EMOJI_VARIATION = frozenset({"\ufe0e", "\ufe0f"})
VIRAMA = 9  # canonical combining class of a virama


def normalise(text: str) -> str:
    """NFKC, trimmed, runs of spaces collapsed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).strip())


def problem(text: str) -> Problem | None:
    """Why this (normalised) text may not be shown as a name or label, or None."""
    for i, char in enumerate(text):
        category = unicodedata.category(char)
        if category == "Cc":
            return Problem(ErrorReason.NUL_CHARACTER if char == "\x00" else ErrorReason.CONTROL_CHARACTER)
        if category in ("Co", "Cs"):
            return Problem(ErrorReason.PRIVATE_USE_CHARACTER)
        if _IGNORABLE.match(char) and not _allowed_ignorable(text, i):
            return Problem(ErrorReason.INVISIBLE_CHARACTER, {"codepoint": f"U+{ord(char):04X}"})
    if not any(unicodedata.category(c)[0] in "LNS" for c in text):
        return Problem(ErrorReason.NO_VISIBLE_CHARACTER)
    for word in _WORD.findall(text):
        scripts = [name for name, pattern in _CONFUSABLE_SCRIPTS.items() if _only_in(pattern, word)]
        if len(scripts) > 1:
            return Problem(ErrorReason.MIXED_SCRIPTS, {"scripts": ", ".join(scripts)})
    return None


def _only_in(pattern: "regex.Pattern[str]", word: str) -> bool:
    """Some letter of the word belongs to this script and to none of the other two."""
    others = [p for p in _CONFUSABLE_SCRIPTS.values() if p is not pattern]
    return any(
        pattern.match(c) and not any(o.match(c) for o in others)
        for c in word
        if unicodedata.category(c)[0] == "L"
    )


def _allowed_ignorable(text: str, i: int) -> bool:
    char = text[i]
    before = text[i - 1] if i > 0 else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    if char in (ZWJ, ZWNJ) and before and unicodedata.combining(before) == VIRAMA:
        return True
    if char == ZWJ and before and after and _is_symbol(before) and _is_symbol(after):
        return True  # an emoji sequence: 👩‍💻
    if char == ZWNJ and before and after and before.isalpha() and after.isalpha():
        return True
    return char in EMOJI_VARIATION and bool(before) and _is_symbol(before)


def _is_symbol(char: str) -> bool:
    return unicodedata.category(char) in ("So", "Sk") or char in EMOJI_VARIATION
