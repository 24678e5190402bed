"""Free-text availability ("weekday evenings", "Sat AM", "平日夜", "土日", "周末下午") as slots.

A slot is (day, part of day): 7 days x 3 parts (morning < 12:00, afternoon < 17:00, evening)
= 21 bits of an int, bit = day * 3 + part.  The parser scans the text once for day words,
part-of-day words and clock times (English, Japanese, Chinese, Korean, Vietnamese, Portuguese,
Spanish, French, Indonesian, Tagalog) and groups them in reading order:

    "weekday evenings and Sat AM"  -> {Mon..Fri} x {evening}  +  {Sat} x {morning}
    "Mon, Wed, Fri after 6pm"      -> {Mon, Wed, Fri} x {evening}
    "evenings, 土日"               -> {Sat, Sun} x {evening}   (a part before days binds to them)

A group with days but no part means the whole day; a part with no day means every day.
Text with none of these words is unparseable (None): the score is then neutral, not zero.
Not handled (documented, rare in practice): exceptions ("except Wednesdays"), dates, weeks.
"""

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Literal

DAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
PARTS: tuple[str, ...] = ("morning", "afternoon", "evening")
N_SLOTS = len(DAYS) * len(PARTS)
ALL_SLOTS = (1 << N_SLOTS) - 1

_ALL_DAYS = frozenset(range(7))
_WEEKDAYS = frozenset(range(5))
_WEEKEND = frozenset({5, 6})
_ALL_PARTS = frozenset(range(3))
_M, _A, _E = frozenset({0}), frozenset({1}), frozenset({2})
_DAYTIME = frozenset({0, 1})

Kind = Literal["day", "part", "all", "ampm", "sep"]
Extractor = Callable[[str], frozenset[int]]


@dataclass(frozen=True, slots=True)
class _Rule:
    pattern: str
    kind: Kind
    value: frozenset[int] | Extractor


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int
    kind: Kind
    values: frozenset[int]
    text: str


def _b(word: str) -> str:
    """A Latin/Vietnamese word with letter boundaries (\\b fails next to accented letters)."""
    return rf"(?<!\w)(?:{word})(?!\w)"


# Japanese day kanji in order Mon..Sun, Chinese/Korean numerals likewise.
_JA_DAY = "月火水木金土日"
_ZH_DAY = "一二三四五六日"  # 天 (星期天) is Sunday too
_KO_DAY = "월화수목금토일"
_RANGE_MARKS = "~〜～–—-"  # hyphen last: literal inside [...]


def _day_span(a: int, b: int) -> frozenset[int]:
    """Days a..b inclusive, wrapping over the week end (Fri-Mon)."""
    return frozenset((a + i) % 7 for i in range((b - a) % 7 + 1))


def _ja_days(text: str) -> frozenset[int]:
    """'土日' -> Sat, Sun; '月水金' -> Mon, Wed, Fri; '月〜金' -> Mon..Fri; '火曜日' -> Tue."""
    # 曜日 / 曜 only mark a day: drop them first, or the 日 of 月曜日 would read as Sunday.
    text = text.replace("曜日", "").replace("曜", "")
    days: set[int] = set()
    prev: int | None = None
    ranged = False
    for ch in text:
        if ch in _RANGE_MARKS:
            ranged = True
        elif ch in _JA_DAY:
            cur = _JA_DAY.index(ch)
            days |= _day_span(prev, cur) if ranged and prev is not None else {cur}
            prev, ranged = cur, False
    return frozenset(days)


def _single(table: str) -> Extractor:
    def extract(text: str) -> frozenset[int]:
        for i, ch in enumerate(table):
            if ch in text:
                return frozenset({i})
        return frozenset()

    return extract


def _zh_day(text: str) -> frozenset[int]:
    last = "日" if text[-1] == "天" else text[-1]
    return frozenset({_ZH_DAY.index(last)}) if last in _ZH_DAY else frozenset()


_TIME = re.compile(
    r"(?P<h1>\d{1,2})(?:[:：](?P<m1>\d{2}))?\s*(?P<s1>a\.?m\.?|p\.?m\.?|時|h|ji)?"
    r"(?:\s*(?:-|–|~|〜|～|to|から|至|到)\s*"
    r"(?P<h2>\d{1,2})(?:[:：](?P<m2>\d{2}))?\s*(?P<s2>a\.?m\.?|p\.?m\.?|時|h|ji)?)?",
    re.IGNORECASE,
)


def _hour(h: int, suffix: str | None) -> int:
    s = (suffix or "").lower().replace(".", "")
    if s == "pm" and h < 12:
        return h + 12
    if s == "am" and h == 12:
        return 0
    return h


def _part_of(hour: int) -> int:
    if 5 <= hour < 12:
        return 0
    if 12 <= hour < 17:
        return 1
    return 2


def _times(text: str) -> frozenset[int]:
    """'10am-2pm' -> morning+afternoon; '18:00' -> evening; '6-9pm' -> evening."""
    m = _TIME.search(text)
    if m is None:
        return frozenset()
    h1 = int(m["h1"])
    if m["h2"] is None:
        return frozenset({_part_of(_hour(h1, m["s1"]))}) if h1 <= 24 else frozenset()
    h2 = int(m["h2"])
    if not (m["s1"] or m["s2"] or m["m1"] or m["m2"]) and max(h1, h2) < 13:
        return frozenset()  # "2-3 times", "10-12 people": a bare small range is not a clock
    s1 = m["s1"] or (m["s2"] if m["s2"] and m["s2"].lower().startswith(("a", "p")) else None)
    start, end = _hour(h1, s1), _hour(h2, m["s2"])
    if s1 and s1.lower().startswith("p") and start > end:  # "11am-1pm" read as 11..13
        start = _hour(h1, "am")
    if not (0 <= start <= 24 and 0 <= end <= 24) or end <= start:
        return frozenset({_part_of(start)}) if start <= 24 else frozenset()
    return frozenset(_part_of(h) for h in range(start, end))


def _rules() -> tuple[_Rule, ...]:
    day: Kind = "day"
    part: Kind = "part"
    en_days = (
        ("mon(?:day)?s?", 0),
        ("tue(?:s|sday)?s?", 1),
        ("wed(?:nesday)?s?", 2),
        ("thu(?:r|rs|rsday)?s?", 3),
        ("fri(?:day)?s?", 4),
        ("sat(?:urday)?s?", 5),
        ("sun(?:day)?s?", 6),
    )
    # Romance/Indonesian weekday names, Mon..Sun (pt, es/tl, fr, id).
    other_days = (
        ("segunda(?:-feira)?s?|lunes|lundis?|senin", 0),
        ("ter[cç]a(?:-feira)?s?|martes|mardis?|selasa", 1),
        ("quarta(?:-feira)?s?|mi[eé]rcoles|miyerkules|mercredis?|rabu", 2),
        ("quinta(?:-feira)?s?|jueves|huwebes|jeudis?|kamis", 3),
        ("sexta(?:-feira)?s?|viernes|biyernes|vendredis?|jum'?at", 4),
        ("s[aá]bados?|samedis?|sabtu", 5),
        ("domingos?|dimanches?|minggu(?!\\s+(?:depan|ini|lalu))|hari minggu", 6),
    )
    vi_days = (
        ("thứ hai|thứ 2", 0),
        ("thứ ba|thứ 3", 1),
        ("thứ tư|thứ 4", 2),
        ("thứ năm|thứ 5", 3),
        ("thứ sáu|thứ 6", 4),
        ("thứ bảy|thứ 7", 5),
        ("chủ nhật", 6),
    )
    rules: list[_Rule] = [
        # Clock times first: "10am" must not be read as the word "am".
        _Rule(
            r"\d{1,2}(?:[:：]\d{2})?\s*(?:a\.?m\.?|p\.?m\.?|時|h|ji)?\s*(?:-|–|~|〜|～|to|から|至|到)\s*"
            r"\d{1,2}(?:[:：]\d{2})?\s*(?:a\.?m\.?|p\.?m\.?|時|h|ji)?(?!\d)",
            part,
            _times,
        ),
        _Rule(
            r"\d{1,2}(?:[:：]\d{2}\s*(?:a\.?m\.?|p\.?m\.?)?|\s*(?:a\.?m\.?|p\.?m\.?|時))",
            part,
            _times,
        ),
        # Whole week.
        _Rule(
            _b(
                r"any ?time|every ?day|daily|flexible|all week|any day|todos os dias|"
                r"todos los d[ií]as|qualquer (?:hora|dia)|cualquier (?:hora|d[ií]a)|"
                r"tous les jours|n'importe quand|araw-araw|kahit kailan|kapan saja|setiap hari|"
                r"bất cứ lúc nào|hàng ngày|mỗi ngày"
            ),
            "all",
            frozenset(),
        ),
        _Rule(r"いつでも|毎日|随時|随时|每天|天天|언제든|매일", "all", frozenset()),
        # Day groups (multi-word phrases before single words).
        _Rule(
            _b(
                r"week ?days?|week-days?|working days?|dias? (?:úteis|uteis|de semana)|"
                r"durante a semana|entre semana|d[ií]as? (?:laborables|de semana)|en semaine|"
                r"hari kerja|ngày thường"
            ),
            day,
            _WEEKDAYS,
        ),
        _Rule(
            _b(r"week ?-?ends?|fins? de semana|fines? de semana|akhir pekan|cuối tuần|cuoi tuan"),
            day,
            _WEEKEND,
        ),
        _Rule(r"平日|工作日|평일", day, _WEEKDAYS),
        _Rule(r"週末|周末|주말|土日祝|土日", day, _WEEKEND),
        *(_Rule(_b(pat), day, frozenset({i})) for pat, i in en_days + other_days + vi_days),
        # Japanese: runs of day kanji (月水金, 土日, 月〜金) or one day with 曜.
        _Rule(
            rf"(?<![0-9０-９毎今明昨本先来翌每])[{_JA_DAY}](?>曜日|曜)?"
            rf"(?:[・、,/{_RANGE_MARKS}]?[{_JA_DAY}](?>曜日|曜)?)+",
            day,
            _ja_days,
        ),
        _Rule(rf"[{_JA_DAY}]曜日?", day, _ja_days),
        _Rule(r"(?:周|週|星期|礼拜|禮拜)[一二三四五六日天]", day, _zh_day),
        _Rule(rf"[{_KO_DAY}]요일", day, _single(_KO_DAY)),
        # Parts of the day.
        _Rule(_b(r"mornings?|matin(?:ée)?s?|manh[aã]s?|ma[nñ]anas?|umaga|pagi"), part, _M),
        _Rule(
            _b(r"after ?noons?|noon|lunch ?time|apr[eè]s-midi|tardes?|siang|sore|tanghali"),
            part,
            _A,
        ),
        _Rule(
            _b(r"evenings?|nights?|tonight|after work|soir(?:ée)?s?|noites?|noches?|malam|gabi"),
            part,
            _E,
        ),
        _Rule(_b(r"day ?time|during the day"), part, _DAYTIME),
        _Rule(_b(r"buổi sáng|sáng"), part, _M),
        _Rule(_b(r"buổi chiều|chiều|buổi trưa|trưa"), part, _A),
        _Rule(_b(r"buổi tối|tối|đêm"), part, _E),
        _Rule(_b(r"a\.m\.|p\.m\."), part, lambda t: _M if t.lower().startswith("a") else _A),
        # "AM"/"PM" as words: only trusted in capitals or right after a day ("sat am").
        _Rule(_b(r"am|pm"), "ampm", lambda t: _M if t.lower() == "am" else _A),
        _Rule(r"終日", part, _ALL_PARTS),
        _Rule(r"昼間|日中|白天|낮", part, _DAYTIME),
        _Rule(r"午前|朝|上午|早上|早晨|오전|아침", part, _M),
        _Rule(r"午後|昼|中午|下午|오후|점심", part, _A),
        _Rule(r"夕方|夜|晩|晚上|晚|傍晚|저녁|밤", part, _E),
        # Strong separators end a group.
        _Rule(r"[;\n。；]+", "sep", frozenset()),
    ]
    return tuple(rules)


@cache
def _scanner() -> tuple[re.Pattern[str], tuple[_Rule, ...]]:
    rules = _rules()
    pattern = "|".join(f"(?P<r{i}>{r.pattern})" for i, r in enumerate(rules))
    return re.compile(pattern, re.IGNORECASE), rules


def _tokens(text: str) -> Iterator[_Token]:
    scanner, rules = _scanner()
    for m in scanner.finditer(text):
        name = m.lastgroup
        if name is None:
            continue
        rule = rules[int(name[1:])]
        raw = m.group()
        values = rule.value(raw) if callable(rule.value) else rule.value
        yield _Token(m.start(), m.end(), rule.kind, values, raw)


_SPACES = re.compile(r"[^\S\n]+")
_NEWLINES = re.compile(r"\n\s*")
_RANGE_GAP = re.compile(
    r"\s*(?:-|–|—|~|〜|～|to|through|thru|till|until|até|a|hasta|au|à|到|至|から)\s*",
    re.IGNORECASE,
)


def parse_slots(text: str | None) -> int | None:
    """Week-slot bitmask for free-text availability, or None when missing/unparseable."""
    if not text or not text.strip():
        return None
    # Bounded work on hostile input: a capped length, and whitespace runs collapsed so the
    # optional-space parts of the clock-time pattern cannot backtrack over long runs.
    text = unicodedata.normalize("NFKC", text[:1000])
    text = _NEWLINES.sub("\n", _SPACES.sub(" ", text))
    groups: list[tuple[frozenset[int], frozenset[int]]] = []
    days: set[int] = set()
    parts: set[int] = set()
    first: Kind | None = None
    prev: _Token | None = None

    def flush() -> None:
        nonlocal first
        if days or parts:
            groups.append((frozenset(days) or _ALL_DAYS, frozenset(parts) or _ALL_PARTS))
        days.clear()
        parts.clear()
        first = None

    for tok in _tokens(text):
        kind = tok.kind
        if kind == "ampm":
            after_day = prev is not None and prev.kind == "day" and tok.start - prev.end <= 2
            if not (tok.text.isupper() or after_day):
                continue  # "I am free" is not "a.m."
            kind = "part"
        if kind == "sep":
            flush()
        elif kind == "all":
            flush()
            groups.append((_ALL_DAYS, _ALL_PARTS))
        elif kind == "day" and tok.values:
            if (
                prev is not None
                and prev.kind == "day"
                and prev.values
                and len(tok.values) == 1
                and len(prev.values) == 1
                and _RANGE_GAP.fullmatch(text[prev.end : tok.start])
            ):
                # "Mon-Fri", "周一至周五", "lunes a viernes": fill the days in between.
                days.update(_day_span(next(iter(prev.values)), next(iter(tok.values))))
            else:
                if parts and days and first == "day":
                    flush()  # "weekday evenings, Sat": the evening group is complete
                days.update(tok.values)
            first = first or "day"
        elif kind == "part" and tok.values:
            if days and first == "part" and prev is not None and prev.kind == "day":
                flush()  # "evenings on weekdays, mornings on weekends"
            parts.update(tok.values)
            first = first or "part"
        prev = tok if kind != "sep" else None
    flush()
    if not groups:
        return None
    mask = 0
    for group_days, group_parts in groups:
        for d in group_days:
            for p in group_parts:
                mask |= 1 << (d * len(PARTS) + p)
    return mask


def overlap(request_slots: int | None, volunteer_slots: int | None, neutral: float) -> float:
    """Share of the resident's slots the volunteer covers; `neutral` when either is unknown.

    Not Jaccard on purpose: a volunteer free all week must not score lower for "Sat AM" than
    one free only on Saturday mornings; what matters is whether the resident's times are met.
    """
    if request_slots is None or volunteer_slots is None or request_slots == 0:
        return neutral
    return (request_slots & volunteer_slots).bit_count() / request_slots.bit_count()


def describe(mask: int | None) -> str:
    """Readable form for logs and tests: 'Mon evening, Sat morning' (or 'unknown')."""
    if mask is None:
        return "unknown"
    return ", ".join(
        f"{DAYS[d]} {PARTS[p]}"
        for d in range(len(DAYS))
        for p in range(len(PARTS))
        if mask >> (d * len(PARTS) + p) & 1
    )
