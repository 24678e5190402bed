"""Japanese, Korean, Russian, Mongolian, Chinese, Thai, Burmese, Sinhala and Nepali typed in Latin
letters, read in their script.

Residents without a keyboard for their script type "kodomo ga netsu wo dashite imasu", "aiga
apayo" or "u menya syn zabolel". The encoder understands these languages in their own scripts but
hardly at all in Latin letters (docs/benchmarks.md, triage step 58: engine 1.23 read step 56's
Japanese rows in romaji at urgency 32 of 70 right, and 59 once they were turned into hiragana, with
no retraining; step 59 did the same for Korean). Where the detector names one of these languages
and every letter of the text is Latin, ``NativeScript`` writes the text in that script by letter
tables kept as data (``triage/words/romanised.toml``), and Chinese pinyin in characters by a
phrase model (``triage.pinyin``, step 61). Thai, Burmese and Sinhala have no standard Latin
spelling for a letter table to undo, so ``WordTable`` writes the words and phrases it knows, in
their common spellings, in the script and leaves the rest as typed (step 67); the encoder reads
such a mixed text as the language; Nepali's table does the same in Devanagari (step 73). Japanese
has both: a word table writes the words it knows in kanji and katakana, as Japanese writes them,
and the letter table the rest in hiragana (step 69).
As with the Vietnamese restoration (``triage.vietnamese``), only the encoder reads the result: the
resident's text is stored, shown and scanned for cues as written.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import re
import sys
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from triage.language import LanguageGuess, detect_language
from triage.ngram import interpolated_log_p
from triage.pinyin import PinyinReader
from triage.wordtables import (
    WORD_TABLES_DIR,
    WordTable,
    default_word_tables,
    latin_letters_only,
    load_word_tables,
)

TABLES_FILE = Path(__file__).resolve().parent / "words" / "romanised.toml"
# Languages whose labelled examples, where their reader reads them anew, the heads also learn as
# typed (triage.engine): Nepali's table moved 257 examples out of the region where Hindi and
# Bengali typed in Latin letters are read, and two of their emergencies fell below the line
# (docs/benchmarks.md, triage steps 72 and 73); Burmese's fuller table likewise (step 75).
LEARNED_AS_TYPED = frozenset({"ne", "my"})
_WORD = re.compile(r"[A-Za-z']+")
_VOWELS = frozenset("aeiou")
_JA_CONSONANTS = frozenset("bcdfghjklmpqrstvwxyz")  # a doubled one is a small tsu; not "n"
# Unicode's order of the letters in a Hangul block: U+AC00 + (initial * 21 + vowel) * 28 + final.
_HANGUL_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_HANGUL_VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_HANGUL_FINALS = " ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"  # " ": none
_SILENT_INITIAL = "ㅇ"  # a syllable that begins with its vowel
_HANGUL_WORD = re.compile("[\uac00-\ud7a3]+")  # a run of composed syllable blocks
# How much a syllable's chance after the one before it counts against its own frequency: chosen on
# the examples' Korean, half counted and the other half typed in Latin letters and read back
# (docs/benchmarks.md, triage step 62).
KOREAN_PAIR_WEIGHT = 0.6
SYLLABLE_COUNTS_FILE = Path(__file__).resolve().parent / "words" / "ko_syllables.json"
PINYIN_LANGUAGE = "zh"  # read by triage.pinyin, not by a table


@dataclass(frozen=True)
class SyllableCounts:
    """How often each Hangul syllable, and each pair of them within a word, occurs in Korean text."""

    syllables: dict[str, int]
    pairs: dict[str, int]  # two syllables, one after the other

    @functools.cached_property
    def total(self) -> int:
        return sum(self.syllables.values())

    @classmethod
    def of(cls, texts: Iterable[str]) -> SyllableCounts:
        words = [w for text in texts for w in _HANGUL_WORD.findall(text)]
        syllables = Counter(c for w in words for c in w)
        pairs = Counter(w[i : i + 2] for w in words for i in range(len(w) - 1))

        def ordered(counts: Counter[str]) -> dict[str, int]:
            return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))

        return cls(ordered(syllables), ordered(pairs))


@dataclass(frozen=True)
class ScriptTable:
    """One language's pieces of Latin spelling and what each is in the language's own script."""

    language: str
    pieces: dict[str, str]
    whole_words: bool  # True: a word converts only when all of it reads (romaji), else as far as it reads
    moraic_n: str = ""  # Japanese: "n" before a consonant or at the end of a word
    sokuon: str = ""  # Japanese: the first of a doubled consonant
    y_after_vowel: str = ""  # Cyrillic: a bare "y" after a vowel (й) ...
    y_elsewhere: str = ""  # ... and elsewhere (ы)
    # Korean: Hangul blocks composed from these letters' jamo instead of ``pieces``.
    initials: dict[str, str] = field(default_factory=dict)
    vowels: dict[str, str] = field(default_factory=dict)
    finals: dict[str, str] = field(default_factory=dict)
    # Korean: how often each Hangul syllable, and each pair of them, occurs in the examples.
    syllable_counts: SyllableCounts = field(default_factory=lambda: SyllableCounts({}, {}))

    @functools.cached_property
    def longest(self) -> int:
        return max(map(len, self.pieces), default=0)

    def _longest_of(self, table: dict[str, str], word: str, at: int) -> str | None:
        return max((k for k in table if word.startswith(k, at)), key=len, default=None)

    def _opens(self, letters: str) -> bool:
        """Whether ``letters`` can begin a syllable before its vowel (none can, too)."""
        return not letters or letters in self.initials

    def syllables(self, word: str) -> str | None:
        """``word`` (lower case) as Hangul blocks, or None where it does not read as romanised
        syllables. Each syllable: an initial (or none), the longest vowel, then a final made of
        the consonants before the next vowel, the rest of them being the next syllable's initial.
        Where they can be split more than one way ("byeongwon": 변권 or 병원; "isseoyo": 이써요,
        잇서요 or 있어요), the reading Korean makes likelier wins (``syllable_counts``: each
        syllable after the one before it); on a tie, the one that leaves the next syllable the
        longest initial (as it sounds)."""
        found = self._best_from(word)(0, "")
        return None if found is None else found[1]

    def _likelihood(self, block: str, before: str) -> float:
        """log P(block | the block before it in the word), scored as the Vietnamese restoration
        scores its syllables."""
        counts = self.syllable_counts
        return interpolated_log_p(
            counts.syllables.get(block, 0),
            max(1, counts.total),
            counts.syllables.get(before, 0),
            counts.pairs.get(before + block, 0),
            KOREAN_PAIR_WEIGHT,
        )

    def _best_from(self, word: str) -> Callable[[int, str], tuple[float, str] | None]:
        """(score, blocks) of the likeliest reading of ``word[i:]``, a syllable starting at i
        after the block ``before``."""

        @functools.cache
        def best(i: int, before: str) -> tuple[float, str] | None:
            if i == len(word):
                return (0.0, "")
            initial = ""
            if self._longest_of(self.vowels, word, i) is None:
                initial = self._longest_of(self.initials, word, i) or ""
                if not initial:
                    return None
            at = i + len(initial)
            vowel = self._longest_of(self.vowels, word, at)
            if vowel is None:
                return None
            at += len(vowel)
            end = at
            while end < len(word) and self._longest_of(self.vowels, word, end) is None:
                end += 1
            cluster = word[at:end]
            # The finals this cluster allows: all of it at the end of the word, else any head
            # whose rest can open the next syllable, the shortest first (as it sounds).
            heads = [cluster] if end == len(word) else [cluster[:k] for k in range(len(cluster) + 1)]
            jamo = (self.initials[initial] if initial else _SILENT_INITIAL, self.vowels[vowel])
            code = 0xAC00 + (_HANGUL_INITIALS.index(jamo[0]) * 21 + _HANGUL_VOWELS.index(jamo[1])) * 28
            chosen: tuple[float, str] | None = None
            for final in heads:
                if (final and final not in self.finals) or not self._opens(cluster[len(final) :]):
                    continue
                block = chr(code + (_HANGUL_FINALS.index(self.finals[final]) if final else 0))
                rest = best(at + len(final), block)
                if rest is None:
                    continue
                score = rest[0] + self._likelihood(block, before)
                if chosen is None or score > chosen[0]:
                    chosen = (score, block + rest[1])
            return chosen

        return best

    def word(self, word: str) -> str | None:
        """``word`` (lower case) in the script, or None where the table cannot read all of it and
        ``whole_words`` asks for all."""
        if self.vowels:
            return self.syllables(word)
        out: list[str] = []
        i = 0
        while i < len(word):
            rest = word[i:]
            if self.moraic_n and rest[0] == "n" and (len(rest) == 1 or rest[1] not in _VOWELS | {"y"}):
                out.append(self.moraic_n)
                i += 2 if rest[1:2] == "'" else 1
                continue
            doubled = len(rest) > 1 and rest[0] in _JA_CONSONANTS and rest[1] == rest[0]
            if self.sokuon and (doubled or rest.startswith("tch")):
                out.append(self.sokuon)
                i += 1
                continue
            piece = next(
                (rest[:n] for n in range(min(self.longest, len(rest)), 0, -1) if rest[:n] in self.pieces),
                None,
            )
            if piece is not None:
                out.append(self.pieces[piece])
                i += len(piece)
            elif rest[0] == "y" and self.y_elsewhere:
                after_vowel = i > 0 and word[i - 1] in _VOWELS | {"y"}  # "yy": ый
                out.append(self.y_after_vowel if after_vowel else self.y_elsewhere)
                i += 1
            elif self.whole_words:
                return None
            else:
                out.append(rest[0])
                i += 1
        return "".join(out)

    def convert(self, text: str) -> str:
        """``text`` with each word the table reads written in the script; the rest as written."""

        def one(match: re.Match[str]) -> str:
            written = self.word(match.group(0).lower())
            return match.group(0) if written is None else written

        return _WORD.sub(one, text)


@dataclass(frozen=True)
class WordsThenLetters:
    """A language with both tables (Japanese, step 69): the words and phrases the word table knows
    as it writes them ("gasu kusai" -> "ガス 臭い"), then the rest by the letter table (hiragana)."""

    words: WordTable
    letters: ScriptTable

    def convert(self, text: str) -> str:
        return self.letters.convert(self.words.convert(text))


Reader = ScriptTable | PinyinReader | WordTable | WordsThenLetters


@dataclass(frozen=True)
class NativeScript:
    """The tables, Chinese's pinyin reader, and when they apply."""

    tables: dict[str, ScriptTable]
    pinyin: PinyinReader | None = None  # Chinese: no letter table reads pinyin (triage.pinyin)
    words: dict[str, WordTable] = field(default_factory=dict)  # Thai, Burmese, Sinhala, Japanese, Nepali

    @classmethod
    def load(
        cls, path: Path = TABLES_FILE, *, pinyin: bool = True, words: Path | None = WORD_TABLES_DIR
    ) -> NativeScript:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
        tables = {}
        for language, spec in data.items():
            parts = {
                name: {str(k): str(v) for k, v in spec.get(name, {}).items()}
                for name in ("pieces", "initials", "vowels", "finals")
            }
            if not (parts["pieces"] or parts["vowels"]):
                raise ValueError(f"{path}: [{language}] needs pieces, or initials, vowels and finals")
            if any(not k or k != k.lower() for table in parts.values() for k in table):
                raise ValueError(f"{path}: [{language}] must map lower-case Latin pieces")
            jamo = (
                (_HANGUL_INITIALS, parts["initials"]),
                (_HANGUL_VOWELS, parts["vowels"]),
                (_HANGUL_FINALS, parts["finals"]),
            )
            if any(v not in order for order, table in jamo for v in table.values()):
                raise ValueError(f"{path}: [{language}] initials, vowels and finals must be Hangul letters")
            tables[language] = ScriptTable(
                language=language,
                pieces=parts["pieces"],
                initials=parts["initials"],
                vowels=parts["vowels"],
                finals=parts["finals"],
                whole_words=bool(spec["whole_words"]),
                moraic_n=str(spec.get("moraic_n", "")),
                sokuon=str(spec.get("sokuon", "")),
                y_after_vowel=str(spec.get("y_after_vowel", "")),
                y_elsewhere=str(spec.get("y_elsewhere", "")),
                syllable_counts=_syllable_counts(path.parent / spec["syllable_counts"])
                if "syllable_counts" in spec
                else SyllableCounts({}, {}),
            )
        # The committed tables are loaded once, for this reader and the language detector alike.
        word_tables: dict[str, WordTable] = {}
        if words is not None:
            word_tables = default_word_tables() if words == WORD_TABLES_DIR else load_word_tables(words)
        return cls(tables, PinyinReader.load() if pinyin else None, word_tables)

    @functools.cached_property
    def digest(self) -> str:
        """A short hash of the tables: what the encoder reads depends on them (caches key on it)."""
        # Every field of every table (asdict), and the pinyin reader's own digest.
        doc: dict[str, Any] = {lang: asdict(table) for lang, table in sorted(self.tables.items())}
        # Without word tables the digest is what it was before them (step 67): caches stay valid.
        doc |= {f"words-{lang}": table.words for lang, table in sorted(self.words.items())}
        if self.pinyin is not None:
            doc[PINYIN_LANGUAGE] = self.pinyin.digest
        return hashlib.sha256(json.dumps(doc, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:12]

    @staticmethod
    def may_apply(text: str) -> bool:
        """The cheap half of ``table_for``: Latin words and no letter of any other script (then
        only the language decides)."""
        return _WORD.search(text) is not None and latin_letters_only(text)

    @functools.cached_property
    def readers(self) -> dict[str, Reader]:
        """Each language's reader: its letter table, its word table, or both (words first)."""
        readers: dict[str, Reader] = {}
        for code in sorted(set(self.tables) | set(self.words)):
            letters, words = self.tables.get(code), self.words.get(code)
            if letters is not None and words is not None:
                readers[code] = WordsThenLetters(words, letters)
            elif letters is not None:
                readers[code] = letters
            elif words is not None:
                readers[code] = words
        if self.pinyin is not None:
            readers[PINYIN_LANGUAGE] = self.pinyin
        return readers

    def table_for(self, text: str, language: LanguageGuess | None = None) -> Reader | None:
        """The reader that applies to ``text``: only Latin letters, and detected (``language``,
        when the caller has already detected it) as a language with a table or Chinese."""
        if not self.may_apply(text):
            return None
        return self.readers.get((language or detect_language(text)).code)

    def encoder_text(self, text: str, language: LanguageGuess | None = None) -> str:
        """What the encoder reads for ``text``: in its language's script where a table applies."""
        table = self.table_for(text, language)
        return text if table is None else table.convert(text)


def _syllable_counts(path: Path) -> SyllableCounts:
    data = json.loads(path.read_text(encoding="utf-8"))
    parts = [data.get(name) if isinstance(data, dict) else None for name in ("syllables", "pairs")]
    if not all(
        isinstance(part, dict) and all(isinstance(n, int) and n > 0 for n in part.values()) for part in parts
    ):
        raise ValueError(f"{path}: needs syllables and pairs, each mapping text to a positive count")
    return SyllableCounts(*({str(k): int(n) for k, n in part.items()} for part in parts if part is not None))


@functools.cache
def default_native_script() -> NativeScript:
    """The committed tables (``TABLES_FILE``)."""
    return NativeScript.load()


def main(argv: Sequence[str] | None = None) -> int:
    """Rebuild ``SYLLABLE_COUNTS_FILE`` from the Korean written in Hangul of the examples."""
    from triage.corpus import load_examples

    parser = argparse.ArgumentParser(
        prog="python -m triage.romanised",
        description="rebuild the Korean syllable counts from the examples written in Hangul",
    )
    parser.add_argument("--out", type=Path, default=SYLLABLE_COUNTS_FILE, help="default: %(default)s")
    args = parser.parse_args(argv)
    counts = SyllableCounts.of(e.text for e in load_examples() if e.lang == "ko")
    doc = {"syllables": counts.syllables, "pairs": counts.pairs}
    args.out.write_text(json.dumps(doc, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {len(counts.syllables)} syllables, {len(counts.pairs)} pairs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
