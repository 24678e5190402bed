"""Multilingual emergency cues: words of danger that must never wait for a model's opinion.

The cues are data: ``triage/cues/*.toml`` (format in ``triage/cues/README.md``). This module
only loads and matches them.

What it returns
---------------
``scan_emergency_cues(text)`` returns a ``CueScan``: every kind of danger the text names
(``CueHit``), each either

* **firm** (``context is None``): nothing near the words says the danger is not happening now.
  A firm cue alone is enough to escalate to EMERGENCY; ``CueScan.firm`` lists their labels
  ("breathing difficulty", "fire", ...) in the fixed order of ``CUE_LABELS``; or
* **qualified** (``context`` is a context name, e.g. ``"past"``): the words are there, but in a
  context that says "not now": negated ("no gas smell"), hypothetical ("what number do I call
  if there is a fire?"), a drill, figurative ("this paperwork is killing me"), spam or an
  advert, past ("last year he had a seizure"), someone else's story (the news, a drama),
  after-care or paperwork ("care certification after his stroke"), chronic or mild symptoms
  ("short of breath when I climb stairs"). A qualified cue must not force EMERGENCY; it is a
  weaker signal for the model and for staff: ``CueScan.signals()`` gives
  ``"mentions: fire"`` for firm cues and ``"mentions (past): seizure"`` for qualified ones.

A kind with a firm hit is reported once, firm; a kind with only qualified hits is reported
with the first context (in the order of ``CONTEXTS``) that applied. ``find_emergency_cues``
is the firm labels alone (``scan_emergency_cues(text).firm``).

Matching
--------
* every text is NFKC-normalised and casefolded, katakana is folded to hiragana (easy Japanese
  mixes both), and runs of whitespace become one space (one line break if they hold one);
* ``words`` cues (Latin, Cyrillic: scripts that separate words) run on that text and on a copy
  without Latin diacritics, so "khong tho duoc" and "không thở được" are one pattern; a pattern
  written with diacritics only matches text that has them. They are bounded by non-word
  characters ("fire" is not in "fired");
* ``compact`` cues run on a copy without spaces (Thai, Burmese, Chinese and Japanese do not
  separate words reliably); ``spaced`` cues on the text with its spaces (a one-kana word of
  easy Japanese such as ち "blood");
* ``unless`` (within 30 characters of a match) means another sense of the words, and the cue
  does not match at all ("fire insurance", "gas bill"); ``also`` must appear somewhere in the
  text for the cue to match (a child's word with "missing");
* contexts are looked for in the match's sentence, at most 60 characters either side (40 in
  compact text), never in the match itself: ``before`` words end right before the match,
  ``after`` words start right after it, ``around`` words are anywhere in that window; ``spam``
  looks at the whole text (two distinct words). The words of the cue's language apply, those
  of the languages in its file's ``context_from``, and those of every language with a cue
  matching at the same place (an English word in a Tagalog text gets Tagalog context words).

Speed: every pattern's required words (literal strings that any match must contain) go into
one Aho-Corasick automaton; a text runs only the patterns whose words it contains.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from importlib import import_module
from pathlib import Path
from typing import Any

import ahocorasick

from triage.wordlists import strip_latin_marks

__all__ = [
    "CONTEXTS",
    "CUE_LABELS",
    "DOUBTED_PREFIX",
    "Cue",
    "CueDataError",
    "CueHit",
    "CueScan",
    "CueSet",
    "emergency_cue_count",
    "find_emergency_cues",
    "iter_test_sentences",
    "load_cues",
    "scan_emergency_cues",
]

CUE_DIR = Path(__file__).with_name("cues")
INDEX_FILE = "kinds.toml"
# The signal of firm cues the model doubted (Calibration.cue_floor): they did not force EMERGENCY.
DOUBTED_PREFIX = "mentions (unlikely now, please check): "

# How far (characters) around a match `unless` looks: a clause, not the whole text.
_UNLESS_WINDOW = 30
# Matches of one cue looked at (the first ones): a 4,000-character text repeating a word a
# hundred times stays within ~50 ms instead of ~0.2 s.
_MAX_MATCHES_PER_CUE = 64
# How far contexts look, within the match's sentence: about ten words either side.
_CONTEXT_WINDOW = {"words": 60, "compact": 40}
_SENTENCE_END = re.compile(r"[!?。！？\n।॥။]|(?<!\d)\.|\.(?!\d)")
_PART = re.compile(r"@\{(\w+)\}")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)


class CueDataError(ValueError):
    """A cue file is malformed: unknown key, kind, context or part, or a bad pattern."""


class Form(Enum):
    WORDS = "words"  # folded text and its copy without Latin diacritics, bounded by non-word characters
    COMPACT = "compact"  # text without spaces
    SPACED = "spaced"  # folded text with single spaces


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class CueHit:
    kind: str  # kind id, e.g. "breathing"
    label: str  # its staff label, e.g. "breathing difficulty"
    cue: str  # the cue that matched, "<language>.<kind>.<n>"
    context: str | None  # None: firm (forces EMERGENCY); else the context name, e.g. "past"
    # A firm hit of a `sure` cue (two present signs of one emergency told together): the
    # model's doubt does not silence it (``Calibration.believed_cues``).
    sure: bool = False


@dataclass(frozen=True, slots=True)
class CueScan:
    """The kinds of danger a text names, one hit per kind, in the order of CUE_LABELS."""

    hits: tuple[CueHit, ...]

    @property
    def firm(self) -> list[str]:
        """Labels of the dangers named with nothing saying "not now": each forces EMERGENCY,
        unless the model finds the text far from every emergency (``Calibration.cue_floor``)."""
        return [h.label for h in self.hits if h.context is None]

    @property
    def sure(self) -> bool:
        """Whether a firm hit is a ``sure`` cue's: it forces EMERGENCY even where the model finds
        the text far from every emergency (``Calibration.cue_floor`` does not doubt it)."""
        return any(h.sure for h in self.hits)

    @property
    def mentions(self) -> list[tuple[str, str]]:
        """(label, qualifier) of the dangers named only in a "not now" context."""
        return [(h.label, CONTEXTS[h.context].qualifier) for h in self.hits if h.context is not None]

    def signals(self, firm_doubted: bool = False) -> list[str]:
        """Lines for staff: "mentions: fire, gas leak", "mentions (past): seizure"; with
        ``firm_doubted`` (the model found the text far from every emergency, so these cues did
        not force EMERGENCY) "mentions (unlikely now, please check): seizure"."""
        firm = DOUBTED_PREFIX if firm_doubted else "mentions: "
        out = [firm + ", ".join(self.firm)] if self.firm else []
        by_qualifier: dict[str, list[str]] = {}
        for label, qualifier in self.mentions:
            by_qualifier.setdefault(qualifier, []).append(label)
        out += [f"mentions ({q}): " + ", ".join(labels) for q, labels in by_qualifier.items()]
        return out


# --------------------------------------------------------------------------------- data


@dataclass(frozen=True, slots=True)
class Kind:
    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Context:
    name: str
    qualifier: str  # how signals name it: "mentions (<qualifier>): ..."
    firm: bool  # a word of "now": the cue stays firm, later contexts are not tried
    whole_text: bool  # looks at the whole text (spam), not the match's sentence
    min_hits: int  # whole-text contexts: distinct words needed
    kinds: frozenset[str] | None  # None: every kind


@dataclass(frozen=True, slots=True)
class Cue:
    id: str  # "<language>.<kind>.<n>", n counting the language's cues of that kind from 1
    language: str
    kind: str
    form: Form
    regex: re.Pattern[str]
    unless: re.Pattern[str] | None
    also: re.Pattern[str] | None
    positive: tuple[str, ...]
    negative: tuple[str, ...]
    sure: bool = False  # two present signs of one emergency: the cue floor does not doubt it


@dataclass(frozen=True, slots=True)
class ContextWords:
    """One language's words for one context, compiled per position."""

    context: str
    language: str
    before: re.Pattern[str] | None
    after: re.Pattern[str] | None
    around: re.Pattern[str] | None
    words: tuple[re.Pattern[str], ...]  # whole-text contexts: each pattern counts once
    positive: tuple[str, ...]
    negative: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LanguageFile:
    language: str
    path: Path
    never: tuple[str, ...]  # everyday texts that must raise no cue at all
    context_from: tuple[str, ...]  # languages whose context words also apply to its `words` cues


def _read_index(directory: Path) -> tuple[tuple[Kind, ...], dict[str, Context]]:
    data = _load_toml(directory / INDEX_FILE)
    _check_keys(data, {"kind", "context"}, INDEX_FILE)
    kinds = []
    for i, row in enumerate(data.get("kind", [])):
        _check_keys(row, {"id", "label"}, f"{INDEX_FILE} kind {i + 1}")
        kinds.append(Kind(row["id"], row["label"]))
    contexts: dict[str, Context] = {}
    ids = {k.id for k in kinds}
    for i, row in enumerate(data.get("context", [])):
        where = f"{INDEX_FILE} context {i + 1}"
        _check_keys(row, {"name", "qualifier", "description", "effect", "scope", "min_hits", "kinds"}, where)
        unknown = set(row.get("kinds", ())) - ids
        if unknown:
            raise CueDataError(f"{where}: unknown kinds {sorted(unknown)}")
        if row.get("effect", "qualify") not in ("qualify", "firm"):
            raise CueDataError(f"{where}: effect must be qualify or firm")
        if row.get("scope", "match") not in ("match", "text"):
            raise CueDataError(f"{where}: scope must be match or text")
        contexts[row["name"]] = Context(
            name=row["name"],
            qualifier=row.get("qualifier", row["name"]),
            firm=row.get("effect") == "firm",
            whole_text=row.get("scope") == "text",
            min_hits=int(row.get("min_hits", 1)),
            kinds=frozenset(row["kinds"]) if "kinds" in row else None,
        )
    if len({k.id for k in kinds}) != len(kinds) or len({k.label for k in kinds}) != len(kinds):
        raise CueDataError(f"{INDEX_FILE}: kind ids and labels must be unique")
    return tuple(kinds), contexts


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CueDataError(f"{path.name}: {exc}") from exc


def _check_keys(row: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(row) - allowed
    if unknown:
        raise CueDataError(f"{where}: unknown keys {sorted(unknown)}")


def _nfkc(pattern: str) -> str:
    # Patterns get the text's normalisation: NFKC splits Thai SARA AM and some Devanagari
    # nukta letters, so a pattern typed with the composed letter would never match. Texts lose
    # their zero-width joiners (Sinhala writes some conjuncts with one), so do patterns.
    return unicodedata.normalize("NFKC", pattern).translate(_ZERO_WIDTH)


def _expand(pattern: str, parts: dict[str, str], where: str, depth: int = 0) -> str:
    def part(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in parts:
            raise CueDataError(f"{where}: unknown part @{{{name}}}")
        if depth > 5:
            raise CueDataError(f"{where}: parts nested too deep")
        return "(?:" + _expand(parts[name], parts, where, depth + 1) + ")"

    return _PART.sub(part, pattern)


def _compile(source: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(source)
    except re.error as exc:
        raise CueDataError(f"{where}: bad pattern {source[:80]!r}: {exc}") from exc


def _alternation(patterns: Sequence[str], parts: dict[str, str], where: str) -> str:
    return "|".join(f"(?:{_nfkc(_expand(p, parts, where))})" for p in patterns)


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CueDataError(f"{where}: expected a list of strings")
    return tuple(value)


def _read_language(
    path: Path, kinds: dict[str, Kind], contexts: dict[str, Context]
) -> tuple[LanguageFile, list[Cue], list[ContextWords]]:
    data = _load_toml(path)
    name = path.name
    _check_keys(data, {"language", "form", "parts", "never", "context_from", "cue", "context"}, name)
    language = data.get("language")
    if language != path.stem:
        raise CueDataError(f"{name}: language must be {path.stem!r}")
    try:
        default_form = Form(data.get("form", "words"))
    except ValueError as exc:
        raise CueDataError(f"{name}: {exc}") from exc
    parts = data.get("parts", {})
    if not isinstance(parts, dict) or not all(isinstance(v, str) for v in parts.values()):
        raise CueDataError(f"{name}: [parts] holds named patterns (strings) only")
    cues: list[Cue] = []
    counts: dict[str, int] = {}
    for i, row in enumerate(data.get("cue", [])):
        where = f"{name} cue {i + 1}"
        _check_keys(row, {"kind", "form", "match", "unless", "also", "sure", "positive", "negative"}, where)
        sure = row.get("sure", False)
        if not isinstance(sure, bool):
            raise CueDataError(f"{where}: sure must be true or false")
        kind = row.get("kind")
        if kind not in kinds:
            raise CueDataError(f"{where}: unknown kind {kind!r}")
        try:
            form = Form(row.get("form", default_form.value))
        except ValueError as exc:
            raise CueDataError(f"{where}: {exc}") from exc
        body = _alternation(_strings(row.get("match"), where), parts, where)
        if form is Form.WORDS:
            # \w is Unicode-aware: "não" and "sưng" are whole words, "fired" does not contain "fire".
            body = rf"(?<!\w)(?:{body})(?!\w)"
        also = None
        if "also" in row:
            also_source = _alternation(_strings(row["also"], where), parts, where)
            also = _compile(rf"(?<!\w)(?:{also_source})(?!\w)" if form is Form.WORDS else also_source, where)
        unless = None
        if "unless" in row:
            unless = _compile(_alternation(_strings(row["unless"], where), parts, where), where)
        counts[kind] = counts.get(kind, 0) + 1
        cues.append(
            Cue(
                id=f"{language}.{kind}.{counts[kind]}",
                language=language,
                kind=kind,
                form=form,
                regex=_compile(body, where),
                unless=unless,
                also=also,
                positive=_strings(row.get("positive", []), where),
                negative=_strings(row.get("negative", []), where),
                sure=sure,
            )
        )
    words: list[ContextWords] = []
    for context, row in data.get("context", {}).items():
        where = f"{name} context {context}"
        if context not in contexts:
            raise CueDataError(f"{where}: unknown context (see {INDEX_FILE})")
        _check_keys(row, {"before", "after", "around", "positive", "negative"}, where)
        whole = contexts[context].whole_text
        if whole and set(row) & {"before", "after"}:
            raise CueDataError(f"{where}: a whole-text context only has `around` words")

        def compiled(
            key: str, template: str, row: dict[str, Any] = row, where: str = where
        ) -> re.Pattern[str] | None:
            if key not in row:
                return None
            return _compile(template.format(_alternation(_strings(row[key], where), parts, where)), where)

        words.append(
            ContextWords(
                context=context,
                language=language,
                before=compiled("before", r"(?:{})\s*$"),
                after=compiled("after", r"^\s*(?:{})"),
                around=None if whole else compiled("around", "{}"),
                words=tuple(
                    _compile(_alternation([w], parts, where), where)
                    for w in _strings(row.get("around", []), where)
                )
                if whole
                else (),
                positive=_strings(row.get("positive", []), where),
                negative=_strings(row.get("negative", []), where),
            )
        )
    info = LanguageFile(
        language=language,
        path=path,
        never=_strings(data.get("never", []), name),
        context_from=_strings(data.get("context_from", []), name),
    )
    return info, cues, words


# ---------------------------------------------------------------------------- the prefilter


def _required_literals(pattern: str) -> frozenset[str] | None:
    """Strings of which every match of `pattern` contains at least one; None if unknown.

    Read from the parsed pattern: the best run of literal characters in each branch (short
    alternations are expanded, e.g. "(?:is|are) missing" gives {"is missing", "are missing"}).
    """
    parser: Any = import_module("re._parser")  # the stdlib's own regex parser
    try:
        return _seq_required(parser.parse(pattern), parser)
    except (RecursionError, ValueError, TypeError):
        return None


_MAX_EXPANSION = 48


def _finite(items: Any, c: Any) -> set[str] | None:
    """Every string a sub-pattern can match, if there are few; else None."""
    out = {""}
    for op, av in items:
        if op is c.LITERAL:
            step = {chr(av)}
        elif op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue
        elif op is c.IN:
            step = set()
            for iop, iav in av:
                if iop is c.LITERAL:
                    step.add(chr(iav))
                elif iop is c.RANGE and iav[1] - iav[0] < 10:
                    step.update(chr(x) for x in range(iav[0], iav[1] + 1))
                else:
                    return None
        elif op is c.BRANCH:
            step = set()
            for branch in av[1]:
                sub = _finite(branch, c)
                if sub is None:
                    return None
                step |= sub
        elif op is c.SUBPATTERN:
            sub = _finite(av[3], c)
            if sub is None:
                return None
            step = sub
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[1] == 1:
            sub = _finite(av[2], c)
            if sub is None:
                return None
            step = sub | ({""} if av[0] == 0 else set())
        else:
            return None
        out = {a + b for a in out for b in step}
        if len(out) > _MAX_EXPANSION:
            return None
    return out


def _score(strings: frozenset[str]) -> tuple[int, int]:
    return (min(len(s) for s in strings), -len(strings))


def _seq_required(items: Any, c: Any) -> frozenset[str] | None:
    candidates: list[frozenset[str]] = []
    run: set[str] | None = {""}

    def close() -> None:
        nonlocal run
        if run and all(run):
            candidates.append(frozenset(run))
        run = {""}

    for item in items:
        op, av = item
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue  # zero-width: the literals around it are still adjacent
        step = _finite([item], c)
        if step is not None and run is not None:
            joined = {a + b for a in run for b in step}
            if len(joined) <= _MAX_EXPANSION:
                if "" in step and len(step) > 1:
                    # An optional piece: the run so far and the run with it both count.
                    pass
                run = joined
                continue
            close()
            run = set(step)
            continue
        close()
        inner: frozenset[str] | None = None
        if op is c.BRANCH:
            branches = [_seq_required(b, c) for b in av[1]]
            if all(b is not None for b in branches):
                inner = frozenset().union(*(b for b in branches if b is not None))
        elif op is c.SUBPATTERN:
            inner = _seq_required(av[3], c)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and av[0] >= 1:
            inner = _seq_required(av[2], c)
        elif op is c.ATOMIC_GROUP:
            inner = _seq_required(av, c)
        if inner:
            candidates.append(inner)
    close()
    usable = [s for s in candidates if s and min(len(x) for x in s) > 0]
    return max(usable, key=_score) if usable else None


# ------------------------------------------------------------------------------ the matcher

_WS = re.compile(r"\s+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u02bb": "'", "\u00b4": "'"})
# Katakana -> hiragana (easy Japanese writes the same word either way: ガス / がす).
_KANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}


@dataclass(frozen=True, slots=True)
class _Forms:
    folded: str
    plain: str  # folded without Latin diacritics, same offsets
    compact: str  # folded without spaces


def _space(match: re.Match[str]) -> str:
    return "\n" if "\n" in match.group() else " "


def _forms(text: str) -> _Forms:
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES).translate(_KANA)
    folded = _WS.sub(_space, folded.translate(_ZERO_WIDTH)).strip()
    return _Forms(folded=folded, plain=strip_latin_marks(folded), compact=folded.replace(" ", ""))


def _sentence_window(text: str, start: int, end: int, width: int) -> tuple[str, str]:
    """The text before and after [start, end) within its sentence, at most `width` each."""
    before = text[max(0, start - width) : start]
    ends = list(_SENTENCE_END.finditer(before))
    if ends:
        before = before[ends[-1].end() :]
    after = text[end : end + width]
    first = _SENTENCE_END.search(after)
    if first:
        after = after[: first.start()]
    return before, after


@dataclass(frozen=True, slots=True)
class _Match:
    cue: Cue
    text: str  # the copy context words are looked for in (offsets of the match)
    space: str  # "words" (folded and plain share offsets) or "compact"
    start: int
    end: int
    other: bool = False  # another kind's match, listed for its language only


@dataclass(slots=True)
class CueSet:
    """Loaded cue data and its matcher. Build it with ``load_cues``."""

    kinds: tuple[Kind, ...]
    contexts: dict[str, Context]
    cues: tuple[Cue, ...]
    context_words: tuple[ContextWords, ...]
    languages: tuple[LanguageFile, ...]
    _by_language: dict[str, list[ContextWords]] = field(default_factory=dict)
    _context_languages: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _automaton: Any = None
    _always: tuple[int, ...] = ()
    _kind_index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        order = list(self.contexts)
        for words in sorted(self.context_words, key=lambda w: order.index(w.context)):
            self._by_language.setdefault(words.language, []).append(words)
        self._context_languages = {f.language: f.context_from for f in self.languages}
        self._kind_index = {k.id: i for i, k in enumerate(self.kinds)}
        automaton = ahocorasick.Automaton()
        literal_cues: dict[str, list[int]] = {}
        always = []
        for i, cue in enumerate(self.cues):
            literals = _required_literals(cue.regex.pattern)
            if literals is None:
                always.append(i)
                continue
            for literal in literals:
                literal_cues.setdefault(literal, []).append(i)
        for literal, ids in literal_cues.items():
            automaton.add_word(literal, tuple(ids))
        if literal_cues:
            automaton.make_automaton()
            self._automaton = automaton
        self._always = tuple(always)

    # -------------------------------------------------------------------------- scanning

    def scan(self, text: str) -> CueScan:
        by_kind = self._matches_by_kind(text)
        spam = bool(by_kind) and self._is_spam(_forms(text))
        hits = []
        for kind, matches in by_kind.items():
            cue, context = self._decide(matches, spam)
            hits.append(CueHit(kind, self._label(kind), cue.id, context, cue.sure and context is None))
        return CueScan(tuple(hits))

    def _matches_by_kind(self, text: str) -> dict[str, list[_Match]]:
        """Every match of every cue in `text` (after `unless` and `also`), by kind in kind order.

        Each kind's list ends with the other kinds' matches (marked by `_Match.other`): they
        only tell which languages' context words apply at a place (see `_context_of`).
        """
        if not text or not text.strip():
            return {}
        forms = _forms(text)
        by_kind: dict[str, list[_Match]] = {}
        for i in self._candidates(forms):
            cue = self.cues[i]
            found = self._matches(cue, forms)
            if found:
                by_kind.setdefault(cue.kind, []).extend(found)
        if len(by_kind) > 1:
            every = [m for matches in by_kind.values() for m in matches]
            for kind, matches in by_kind.items():
                matches += [dataclasses.replace(m, other=True) for m in every if m.cue.kind != kind]
        return by_kind

    def _decide(self, matches: Sequence[_Match], spam: bool) -> tuple[Cue, str | None]:
        """The hit a kind's matches make: the first firm match of a ``sure`` cue, else the first
        firm match, else the best-ranked context."""
        if spam:
            return matches[0].cue, "spam"
        best: tuple[Cue, str | None] = (matches[0].cue, None)
        firm: Cue | None = None
        for match in matches:
            if match.other or (firm is not None and not match.cue.sure):
                continue
            context = self._context_of(match, matches)
            if context is None:
                if match.cue.sure:
                    return match.cue, None
                firm = match.cue
            elif firm is None and (best[1] is None or self._rank(context) < self._rank(best[1])):
                best = (match.cue, context)
        return (firm, None) if firm is not None else best

    def _label(self, kind: str) -> str:
        return self.kinds[self._kind_index[kind]].label

    def _rank(self, context: str | None) -> int:
        return list(self.contexts).index(context) if context else -1

    def _candidates(self, forms: _Forms) -> list[int]:
        found: set[int] = set(self._always)
        if self._automaton is not None:
            texts = {forms.folded, forms.plain, forms.compact}
            for text in texts:
                for _, ids in self._automaton.iter(text):
                    found.update(ids)
        return sorted(found, key=lambda i: (self._kind_index[self.cues[i].kind], i))

    def _matches(self, cue: Cue, forms: _Forms) -> list[_Match]:
        if cue.form is Form.WORDS:
            candidates: tuple[str, ...] = (
                (forms.folded, forms.plain) if forms.folded != forms.plain else (forms.plain,)
            )
        elif cue.form is Form.COMPACT:
            candidates = (forms.compact,)
        else:
            candidates = (forms.folded,)
        out = []
        for text in candidates:
            # `unless`, `also` and context words are written without diacritics: they are looked
            # for in the plain copy, which has the same offsets as the folded text.
            context_text = forms.plain if text is forms.folded else text
            space = "compact" if cue.form is Form.COMPACT else "words"
            for match in cue.regex.finditer(text):
                if cue.unless is not None:
                    window = context_text[
                        max(0, match.start() - _UNLESS_WINDOW) : match.end() + _UNLESS_WINDOW
                    ]
                    if cue.unless.search(window):
                        continue
                if cue.also is not None and not cue.also.search(context_text):
                    return []
                out.append(_Match(cue, context_text, space, match.start(), match.end()))
                if len(out) >= _MAX_MATCHES_PER_CUE:
                    return out
        return out

    def _context_of(self, match: _Match, matches: Sequence[_Match]) -> str | None:
        """None (firm) or the name of the context that qualifies `match`.

        The words of every language whose cues (of any kind) matched the same place apply:
        "stroke" is an English, Indonesian and Tagalog cue, and an English text needs English
        context words.
        """
        languages: list[str] = []
        for other in matches:
            if other is match or (
                other.space == match.space and other.start < match.end and match.start < other.end
            ):
                for language in (other.cue.language, *self._context_languages.get(other.cue.language, ())):
                    if language not in languages:
                        languages.append(language)
        before, after = _sentence_window(match.text, match.start, match.end, _CONTEXT_WINDOW[match.space])
        kind = match.cue.kind
        for name, context in self.contexts.items():
            if context.whole_text or (context.kinds is not None and kind not in context.kinds):
                continue
            for language in languages:
                for words in self._by_language.get(language, ()):
                    if words.context != name:
                        continue
                    if (
                        (words.before is not None and words.before.search(before))
                        or (words.after is not None and words.after.search(after))
                        # Not in the match itself: its own words never qualify it.
                        or (
                            words.around is not None
                            and (words.around.search(before) or words.around.search(after))
                        )
                    ):
                        return None if context.firm else name
        return None

    def _is_spam(self, forms: _Forms) -> bool:
        for name, context in self.contexts.items():
            if not context.whole_text:
                continue
            # Distinct patterns: two languages listing the same word count it once.
            found = {
                pattern.pattern
                for words in self.context_words
                if words.context == name
                for pattern in words.words
                if pattern.search(forms.plain) or pattern.search(forms.compact)
            }
            if len(found) >= context.min_hits:
                return True
        return False

    # -------------------------------------------------------------------------- inspection

    def matching_cues(self, text: str) -> list[tuple[str, str | None]]:
        """(cue id, context) of every cue that matches `text`: None if one of its matches is
        firm, else its best-ranked context (tests: which cue a sentence tests)."""
        out: list[tuple[str, str | None]] = []
        by_kind = self._matches_by_kind(text)
        spam = bool(by_kind) and self._is_spam(_forms(text))
        for matches in by_kind.values():
            for cue in dict.fromkeys(m.cue for m in matches if not m.other):
                own = [m for m in matches if m.cue is cue and not m.other]
                if spam:
                    out.append((cue.id, "spam"))
                    continue
                contexts = [self._context_of(m, matches) for m in own]
                best = None if None in contexts else min(contexts, key=self._rank)
                out.append((cue.id, best))
        return out


def load_cues(directory: Path | None = None) -> CueSet:
    """Read and compile every cue file of `directory` (default: the bundled ``triage/cues``)."""
    directory = directory or CUE_DIR
    kinds, contexts = _read_index(directory)
    by_id = {k.id: k for k in kinds}
    files, cues, words = [], [], []
    for path in sorted(directory.glob("*.toml")):
        if path.name == INDEX_FILE:
            continue
        info, file_cues, file_words = _read_language(path, by_id, contexts)
        files.append(info)
        cues += file_cues
        words += file_words
    if not cues:
        raise CueDataError(f"no cues in {directory}")
    return CueSet(kinds, contexts, tuple(cues), tuple(words), tuple(files))


@functools.cache
def _bundled() -> CueSet:
    return load_cues()


def scan_emergency_cues(text: str) -> CueScan:
    """Every danger `text` names, firm or qualified by a "not now" context (module docstring)."""
    return _bundled().scan(text)


def find_emergency_cues(text: str) -> list[str]:
    """Labels of the dangers `text` names with nothing saying "not now", in the order of
    CUE_LABELS; [] when none. Each of them alone is reason enough for EMERGENCY."""
    return _bundled().scan(text).firm


def emergency_cue_count() -> int:
    """Number of cues (each a set of patterns for one kind in one language)."""
    return len(_bundled().cues)


# Read from the index alone: importing this module does not compile the cues.
_KINDS, CONTEXTS = _read_index(CUE_DIR)
CUE_LABELS: tuple[str, ...] = tuple(k.label for k in _KINDS)


def iter_test_sentences(cues: CueSet) -> Iterable[tuple[str, str, str]]:
    """(where, kind of test, text) of every sentence the data carries, for tests and reports."""
    for cue in cues.cues:
        yield from ((cue.id, "positive", t) for t in cue.positive)
        yield from ((cue.id, "negative", t) for t in cue.negative)
    for words in cues.context_words:
        where = f"{words.language}.context.{words.context}"
        yield from ((where, "positive", t) for t in words.positive)
        yield from ((where, "negative", t) for t in words.negative)
    for info in cues.languages:
        yield from ((f"{info.language}.never", "never", t) for t in info.never)
