"""Chinese typed in toneless pinyin, read by the encoder in characters.

Residents without a Chinese input method type "wo erzi fashao le, qu nage yiyuan". The encoder
reads Chinese in characters but hardly at all in pinyin (docs/benchmarks.md, triage step 61).
Unlike romaji or Korean, pinyin has no letter table into characters: a toneless syllable stands
for dozens of them. ``Pinyin2Hanzi`` (an input-method engine on PyPI, with its own phrase tables)
knows which characters make phrases; here each word is split into pinyin syllables ("yiyuan" ->
yi yuan) and each run of such words becomes characters. Words that are not pinyin (English,
Japanese words, numbers) stay as typed. As with the script tables (``triage.romanised``), only
the encoder reads the result.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

_WORD = re.compile(r"[A-Za-z]+")
# Between two words of one run only spaces: punctuation or a number ends a phrase.
_SPACES = re.compile(r"[ \t]+")
# Pinyin2Hanzi writes ü as "v" and üe as "ve"; people type "lv" and "nv", but "jue", "xue", "yue".
_TYPED_UE = {"jue": "jve", "que": "qve", "xue": "xve", "yue": "yve", "lue": "lve", "nue": "nve"}
_LONGEST_SYLLABLE = 6  # "zhuang", "chuang", "shuang"
_LONGEST_PHRASE = 8  # syllables of one phrase looked up (its tables hold up to 19)


@dataclass(frozen=True)
class PinyinReader:
    """The pinyin syllables and Pinyin2Hanzi's phrase tables (~85 MB, ~0.4 s to load)."""

    syllables: frozenset[str]
    phrases: Any  # Pinyin2Hanzi.DefaultDagParams: get_phrase(syllables, num) -> [[characters, p]]

    @classmethod
    def load(cls) -> PinyinReader:
        from Pinyin2Hanzi import DefaultDagParams, all_pinyin

        return cls(frozenset({s for s in all_pinyin() if s != "null"} | set(_TYPED_UE)), DefaultDagParams())

    @property
    def digest(self) -> str:
        """What the reading depends on: the engine's version and its syllables (caches key on it)."""
        doc = f"Pinyin2Hanzi {version('Pinyin2Hanzi')} " + " ".join(sorted(self.syllables))
        return hashlib.sha256(doc.encode()).hexdigest()[:12]

    def split(self, word: str) -> list[str] | None:
        """``word`` (lower case) as the fewest pinyin syllables, the longest first on a tie; None
        where it cannot be split ("hospital", "byouin")."""
        best: list[list[str] | None] = [None] * len(word) + [[]]
        for start in range(len(word) - 1, -1, -1):
            for end in range(min(len(word), start + _LONGEST_SYLLABLE), start, -1):
                rest, now = best[end], best[start]
                if rest is None or word[start:end] not in self.syllables:
                    continue
                if now is None or len(rest) + 1 < len(now):  # fewer syllables: replace
                    best[start] = [word[start:end], *rest]
        return best[0]

    def characters(self, words: list[list[str]]) -> str | None:
        """A run of words (each its syllables) in characters: the most probable chain of phrases
        in which no phrase takes part of a typed word with what lies outside it (the writer's
        spaces mark words: "wo erzi" is 我 + 儿子, not 沃尔 + 自). None: no chain."""
        pinyin = [_TYPED_UE.get(s, s) for word in words for s in word]
        word_of = [w for w, word in enumerate(words) for _ in word]

        def allowed(start: int, end: int) -> bool:
            # Inside one word, or whole words only.
            starts_word = start == 0 or word_of[start - 1] != word_of[start]
            ends_word = end == len(pinyin) or word_of[end] != word_of[end - 1]
            return word_of[start] == word_of[end - 1] or (starts_word and ends_word)

        best: list[tuple[float, str] | None] = [(0.0, "")] + [None] * len(pinyin)
        for end in range(1, len(pinyin) + 1):
            for start in range(max(0, end - _LONGEST_PHRASE), end):
                before = best[start]
                if before is None or not allowed(start, end):
                    continue
                found = self.phrases.get_phrase(pinyin[start:end], num=1)
                if found:
                    score = before[0] + math.log(found[0][1])
                    now = best[end]
                    if now is None or score > now[0]:
                        best[end] = (score, before[1] + found[0][0])
        last = best[-1]
        return None if last is None else last[1]

    def convert(self, text: str) -> str:
        """``text`` with each run of pinyin words (only spaces between them) in characters."""
        out: list[str] = []
        run: list[list[str]] = []
        run_start = at = 0

        def flush() -> None:
            out.append(self.characters(run) or text[run_start:at])
            run.clear()

        for match in _WORD.finditer(text):
            syllables = self.split(match.group(0).lower())
            if run and not (syllables and _SPACES.fullmatch(text[at : match.start()])):
                flush()
            if not run:
                out.append(text[at : match.start()])
                run_start = match.start()
            if syllables:
                run.append(syllables)
            else:
                out.append(match.group(0))
            at = match.end()
        if run:
            flush()
        out.append(text[at:])
        return "".join(out)
