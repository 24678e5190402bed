"""The labelled seed examples in triage/examples/*.jsonl: valid, varied, and not evaluation data."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from triage.labels import SupportField, Urgency

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "triage" / "examples"
DEV_SET = REPO.parent / "shared" / "data" / "triage_dev.jsonl"

REQUIRED = ("text", "lang", "field", "urgency")
OPTIONAL = ("topic",)  # free-text metadata some files carry for their authors
MAX_TEXT = 4000  # the API's limit on a request text

# ISO 639-1 (all two-letter codes), plus "und" for texts without any language (TAXONOMY.md).
_ISO_639_1_CODES = """aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz
    ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik
    io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml
    mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd
    se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi
    vo wa wo xh yi yo za zh zu"""
ISO_639_1 = frozenset(_ISO_639_1_CODES.split())
UNDETERMINED = "und"

# The residents' largest language groups (TAXONOMY.md) and Japanese: each needs real coverage.
PRIORITY = ("zh", "vi", "ko", "tl", "ne", "pt", "id", "my", "en", "th", "si", "es", "ja")

# Languages whose own script must appear in the text (a row labelled "th" with no Thai letter
# is mislabelled). Nepali and Hindi may be romanised, so Latin letters are accepted too.
SCRIPT = {
    "zh": r"[\u4e00-\u9fff]",
    "ja": r"[\u3041-\u30ff]",  # kana: Japanese without any kana would be zh
    "ko": r"[\uac00-\ud7a3]",
    "th": r"[\u0e00-\u0e7f]",
    "my": r"[\u1000-\u109f]",
    "si": r"[\u0d80-\u0dff]",
    "bn": r"[\u0980-\u09ff]",
    "ru": r"[\u0400-\u04ff]",
    "mn": r"[\u0400-\u04ff]",
    "ne": r"[\u0900-\u097fA-Za-z]",
    "hi": r"[\u0900-\u097fA-Za-z]",
}
LATIN_LANGS = frozenset({"en", "pt", "es", "id", "tl", "vi", "fr", "uz"})


@dataclass(frozen=True)
class Row:
    path: str
    line: int
    data: dict[str, object]

    @property
    def text(self) -> str:
        return str(self.data["text"])

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def near_copy_key(text: str) -> str:
    """The text as compared for near copies: NFKC, casefolded, without punctuation, spaces, controls."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if not unicodedata.category(ch).startswith(("P", "Z", "C")))


def load_rows() -> list[Row]:
    rows: list[Row] = []
    for path in sorted(EXAMPLES.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            rows.append(Row(path.name, number, json.loads(line) if line.strip() else {}))
    return rows


ROWS = load_rows()


def test_there_are_example_files() -> None:
    assert len(ROWS) >= 600


def test_every_line_is_a_json_object_with_the_required_fields() -> None:
    bad = [
        row.where
        for row in ROWS
        if not row.data
        or not set(REQUIRED) <= set(row.data)
        or not set(row.data) <= set(REQUIRED + OPTIONAL)
        or not all(isinstance(value, str) for value in row.data.values())
    ]
    assert not bad, bad


def test_labels_are_in_the_enums() -> None:
    fields = {f.value for f in SupportField}
    urgencies = {u.value for u in Urgency}
    bad = [
        row.where for row in ROWS if row.data["field"] not in fields or row.data["urgency"] not in urgencies
    ]
    assert not bad, bad


def test_languages_are_iso_639_1_codes() -> None:
    bad = [row.where for row in ROWS if row.data["lang"] not in ISO_639_1 | {UNDETERMINED}]
    assert not bad, bad


def test_undetermined_only_for_texts_without_letters() -> None:
    bad = [
        row.where
        for row in ROWS
        if row.data["lang"] == UNDETERMINED
        and any(unicodedata.category(ch).startswith("L") for ch in row.text)
    ]
    assert not bad, bad


def test_texts_are_written_in_the_labelled_script() -> None:
    bad = []
    for row in ROWS:
        lang = str(row.data["lang"])
        pattern = SCRIPT.get(lang, r"[A-Za-z]" if lang in LATIN_LANGS else None)
        if pattern and not re.search(pattern, row.text):
            bad.append((row.where, lang, row.text[:60]))
    assert not bad, bad


def test_text_length_and_whitespace() -> None:
    bad = [row.where for row in ROWS if not 1 <= len(row.text) <= MAX_TEXT or row.text != row.text.strip()]
    assert not bad, bad


def test_no_duplicate_or_near_duplicate_texts() -> None:
    exact = Counter(row.text for row in ROWS)
    assert not [text for text, n in exact.items() if n > 1]
    seen: dict[str, str] = {}
    near = []
    for row in ROWS:
        key = near_copy_key(row.text)
        if key in seen:
            near.append((seen[key], row.where))
        seen.setdefault(key, row.where)
    assert not near, near


def test_every_field_and_urgency_is_covered() -> None:
    fields = Counter(str(row.data["field"]) for row in ROWS)
    urgencies = Counter(str(row.data["urgency"]) for row in ROWS)
    assert all(fields[f.value] >= 50 for f in SupportField), fields
    assert all(urgencies[u.value] >= 50 for u in Urgency), urgencies
    pairs = Counter((str(row.data["field"]), str(row.data["urgency"])) for row in ROWS)
    # EMERGENCY is rare in some fields (a school letter is seldom life-threatening), so only the
    # other three urgencies are required in every field.
    missing = [
        (f.value, u.value)
        for f in SupportField
        for u in (Urgency.HIGH, Urgency.NORMAL, Urgency.LOW)
        if pairs[(f.value, u.value)] == 0
    ]
    assert not missing, missing


def test_language_coverage() -> None:
    languages = Counter(str(row.data["lang"]) for row in ROWS)
    assert len(set(languages) - {UNDETERMINED}) >= 13, languages
    for lang in PRIORITY:
        assert languages[lang] >= 25, (lang, languages[lang])
        rows = [row for row in ROWS if row.data["lang"] == lang]
        assert {str(r.data["urgency"]) for r in rows} == {u.value for u in Urgency}, lang
        assert len({str(r.data["field"]) for r in rows}) == len(SupportField), lang


@pytest.mark.skipif(not DEV_SET.exists(), reason="dev set not available")
def test_no_row_copies_the_evaluation_set() -> None:
    dev = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    dev_keys = {near_copy_key(str(r["text"])): str(r.get("id", "?")) for r in dev}
    dev_texts = {str(r["text"]).strip() for r in dev}
    copies = [
        (row.where, dev_keys.get(near_copy_key(row.text), "exact"))
        for row in ROWS
        if row.text.strip() in dev_texts or near_copy_key(row.text) in dev_keys
    ]
    assert not copies, copies
