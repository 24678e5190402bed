"""Word tables: Thai, Burmese, Sinhala, Nepali and Japanese typed in Latin letters, word by word in
their script.

Thai, Burmese, Sinhala and Nepali have no standard Latin spelling for a letter table to undo
(``triage.romanised``), but their everyday words are typed in a few common ways. Romaji has a
letter table, but it can only write hiragana, where Japanese writes most words that matter in
kanji and katakana. A table holds each word or short phrase in its common spellings and the same
in the script, one file per language in ``triage/words/romanised_words/``, written by blind
authors (docs/benchmarks.md, triage steps 67, 69 and 73). ``triage.romanised`` lets the encoder read
the words a table knows in the script, and ``triage.language`` names a text most of whose words one
table knows as that table's language (step 68).
"""

from __future__ import annotations

import functools
import itertools
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WORD_TABLES_DIR = Path(__file__).resolve().parent / "words" / "romanised_words"  # <language>.toml
LETTERS = re.compile(r"[A-Za-z]+")  # a word of a WordTable: its keys hold no apostrophe
_KEY = re.compile(r"[a-z]+(?: [a-z]+)*")


def latin_letters_only(text: str) -> bool:
    """Whether every letter of ``text`` is an unmarked Latin one (digits, emoji and punctuation
    aside): the text a script table (``triage.romanised``) or a word table may read."""
    return all(ch.isascii() for ch in text if ch.isalpha())


@dataclass(frozen=True)
class WordTable:
    """A language typed in Latin letters: its words and phrases, each in its common spellings, and
    the same as the language writes them ("rong payaban" -> "โรงพยาบาล", "gasu" -> "ガス")."""

    language: str
    words: dict[str, str]  # lower-case words, one space apart -> the script

    @functools.cached_property
    def longest(self) -> int:
        """The most words in one key."""
        return max((key.count(" ") + 1 for key in self.words), default=0)

    @functools.cached_property
    def known_words(self) -> frozenset[str]:
        """Every word of its keys, alone or in a phrase."""
        return frozenset(word for key in self.words for word in key.split())

    def coverage(self, words: Sequence[str]) -> float:
        """The share of ``words`` (lower-case) the table knows; 0 for none."""
        return sum(word in self.known_words for word in words) / len(words) if words else 0.0

    def convert(self, text: str) -> str:
        """``text`` with each phrase the table knows in the script, the longest first; the words it
        does not know, digits, punctuation and spacing as written. A phrase spans only spaces."""
        found = list(LETTERS.finditer(text))
        out: list[str] = []
        written = 0  # text[:written] is in out
        i = 0
        while i < len(found):
            for n in range(min(self.longest, len(found) - i), 0, -1):
                run = found[i : i + n]
                if any(text[a.end() : b.start()].strip(" ") for a, b in itertools.pairwise(run)):
                    continue  # something other than spaces between two of the words
                script = self.words.get(" ".join(m.group(0).lower() for m in run))
                if script is not None:
                    out.append(text[written : run[0].start()] + script)
                    written = run[-1].end()
                    i += n
                    break
            else:
                i += 1
        return "".join(out) + text[written:]


def load_word_tables(directory: Path = WORD_TABLES_DIR) -> dict[str, WordTable]:
    """The word tables of ``directory``, one ``<language>.toml`` holding one table ``[<language>]``,
    checked: lower-case ASCII words one space apart, each mapped to a text with no Latin letter."""
    tables = {}
    for path in sorted(directory.glob("*.toml")):
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
        language = path.stem
        words = data.get(language)
        if set(data) != {language} or not isinstance(words, dict) or not words:
            raise ValueError(f"{path}: needs one table of words, [{language}]")
        bad = [k for k, v in words.items() if not _KEY.fullmatch(k) or not isinstance(v, str)]
        bad += [k for k, v in words.items() if isinstance(v, str) and (not v.strip() or LETTERS.search(v))]
        if bad:
            raise ValueError(
                f"{path}: keys must be lower-case ASCII words one space apart, and values text in the"
                f" script: {sorted(bad)[:5]}"
            )
        tables[language] = WordTable(language, {str(k): str(v) for k, v in words.items()})
    return tables


@functools.cache
def default_word_tables() -> dict[str, WordTable]:
    """The committed tables (``WORD_TABLES_DIR``)."""
    return load_word_tables()
