"""The labelled training examples in triage/examples/ (every *.jsonl below it): valid, varied,
and not evaluation data (neither the dev set nor either frozen test set, exactly, after
normalisation, or as a near copy)."""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from bench.frozen_sets import FROZEN_SETS
from triage.labels import SupportField, Urgency

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "triage" / "examples"
DEV_SET = Path(os.environ.get("OTONARI_DEV_SET") or REPO.parent / "shared" / "data" / "triage_dev.jsonl")

REQUIRED = ("text", "lang", "field", "urgency", "group", "variant", "tags")
OPTIONAL = ("topic",)  # a curated gist, shown in signals
MAX_TEXT = 4000  # the API's limit on a request text
MAX_TOPIC = 60
TAGS = frozenset(
    [
        "short",
        "long",
        "typo",
        "no-punct",
        "mixed-ja",
        "romanised",
        "someone-else",
        "past",
        "hypothetical",
        "negation",
        "spam",
        "chat",
        "question",
        "polite",
        "emoji",
        "deadline",
        "keywordless",
        "hard-negative",
    ]
)
# Writing variants (file names) and the language each is labelled with.
VARIANT_LANG = {
    "zh-Hans": "zh", "zh-Hant": "zh", "vi": "vi", "vi-latn": "vi", "ko": "ko", "tl": "tl",
    "ne": "ne", "ne-latn": "ne", "pt": "pt", "id": "id", "my": "my", "en": "en", "th": "th",
    "si": "si", "es": "es", "ja": "ja", "ja-easy": "ja", "hi": "hi", "bn": "bn", "mn": "mn",
    "uz": "uz", "ru": "ru", "fr": "fr", "und": "und",
}  # fmt: skip
# A training text this close to an evaluation text (Jaccard similarity of the character
# trigrams of their normalised forms) is a near copy. The frozen set's writers used the same
# measure and bound among their own rows.
NEAR_COPY_JACCARD = 0.5

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
    "uz": r"[A-Za-z\u0400-\u04ff]",  # Latin, or the older Cyrillic spelling
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


def load_rows(root: Path = EXAMPLES) -> list[Row]:
    rows: list[Row] = []
    for path in sorted(root.rglob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            name = str(path.relative_to(root))
            rows.append(Row(name, number, json.loads(line) if line.strip() else {}))
    return rows


def trigrams(text: str) -> set[str]:
    key = near_copy_key(text)
    return {key[i : i + 3] for i in range(max(1, len(key) - 2))}


def near_copies(texts: list[str], others: list[str], bound: float) -> list[tuple[int, int, float]]:
    """(i, j, Jaccard) of every pair texts[i], others[j] with trigram Jaccard >= bound; sparse
    products, so that thousands of examples against a test set take well under a second."""
    from scipy import sparse

    vocab: dict[str, int] = {}

    def matrix(items: list[str]) -> sparse.csr_matrix:
        rows, cols = [], []
        for i, text in enumerate(items):
            for gram in trigrams(text):
                rows.append(i)
                cols.append(vocab.setdefault(gram, len(vocab)))
        return rows, cols

    (ra, ca), (rb, cb) = matrix(texts), matrix(others)
    shape = len(vocab)
    a = sparse.csr_matrix((np.ones(len(ra)), (ra, ca)), shape=(len(texts), shape))
    b = sparse.csr_matrix((np.ones(len(rb)), (rb, cb)), shape=(len(others), shape))
    shared = (a @ b.T).tocoo()
    size_a = np.asarray(a.sum(axis=1)).ravel()
    size_b = np.asarray(b.sum(axis=1)).ravel()
    jaccard = shared.data / (size_a[shared.row] + size_b[shared.col] - shared.data)
    keep = jaccard >= bound
    return list(
        zip(shared.row[keep].tolist(), shared.col[keep].tolist(), jaccard[keep].tolist(), strict=True)
    )


def evaluation_rows(paths: list[Path]) -> list[dict[str, object]]:
    return [
        json.loads(line)
        for path in paths
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


ROWS = load_rows()


def test_there_are_enough_examples() -> None:
    assert len(ROWS) >= 5000  # issue 8


def test_every_line_is_a_json_object_with_the_required_fields() -> None:
    bad = [
        row.where
        for row in ROWS
        if not row.data
        or not set(REQUIRED) <= set(row.data)
        or not set(row.data) <= set(REQUIRED + OPTIONAL)
        or not all(isinstance(value, str) for key, value in row.data.items() if key != "tags")
        or not isinstance(row.data["tags"], list)
    ]
    assert not bad, bad


def test_tags_variants_and_groups_are_valid() -> None:
    bad = [
        (row.where, row.data["variant"], row.data["lang"], row.data["tags"])
        for row in ROWS
        if VARIANT_LANG.get(str(row.data["variant"])) != row.data["lang"]
        or not set(row.data["tags"]) <= TAGS  # type: ignore[call-overload]
        or len(set(row.data["tags"])) != len(row.data["tags"])  # type: ignore[arg-type]
        or not re.fullmatch(r"[a-z]+-[0-9]{4}", str(row.data["group"]))
    ]
    assert not bad, bad


def test_tags_agree_with_the_labels() -> None:
    """Spam and chat are never EMERGENCY; `keywordless` marks only emergencies, and a hard
    negative is by definition not one."""
    bad = []
    for row in ROWS:
        tags, urgency = set(row.data["tags"]), row.data["urgency"]  # type: ignore[call-overload]
        if urgency == "EMERGENCY" and tags & {"spam", "chat", "hard-negative"}:
            bad.append(row.where)
        if urgency != "EMERGENCY" and "keywordless" in tags:
            bad.append(row.where)
    assert not bad, bad


def test_topics_are_short_gists() -> None:
    """Topics are shown to residents and volunteers in signals: short, one line, no digits
    (no ages, dates, amounts or addresses from anybody's story)."""
    bad = [
        (row.where, row.data["topic"])
        for row in ROWS
        if "topic" in row.data
        and (
            not 1 <= len(str(row.data["topic"])) <= MAX_TOPIC or re.search(r"[0-9\n]", str(row.data["topic"]))
        )
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
        if "romanised" in row.data.get("tags", ()):  # type: ignore[operator]
            pattern = r"[A-Za-z]"
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
        assert languages[lang] >= 200, (lang, languages[lang])
        rows = [row for row in ROWS if row.data["lang"] == lang]
        assert {str(r.data["urgency"]) for r in rows} == {u.value for u in Urgency}, lang
        assert len({str(r.data["field"]) for r in rows}) == len(SupportField), lang


def copies_of(evaluation: list[dict[str, object]], rows: list[Row] = ROWS) -> list[tuple[str, str, float]]:
    """(example, evaluation id, similarity) of every row that copies an evaluation text:
    exactly, after normalisation (case, width, punctuation, spaces), or as a near copy."""
    keys = {near_copy_key(str(r["text"])): str(r.get("id", "?")) for r in evaluation}
    found = [
        (row.where, keys[near_copy_key(row.text)], 1.0) for row in rows if near_copy_key(row.text) in keys
    ]
    pairs = near_copies([row.text for row in rows], [str(r["text"]) for r in evaluation], NEAR_COPY_JACCARD)
    found += [(rows[i].where, str(evaluation[j].get("id", "?")), round(jac, 2)) for i, j, jac in pairs]
    return sorted(set(found))


def frozen_rows() -> list[dict[str, object]]:
    """Every row of the frozen test sets."""
    return evaluation_rows(
        [path for directory in FROZEN_SETS.values() for path in sorted(directory.glob("*.jsonl"))]
    )


@pytest.mark.parametrize("directory", FROZEN_SETS.values(), ids=FROZEN_SETS.keys())
def test_no_row_copies_a_frozen_test_set(directory: Path) -> None:
    frozen = evaluation_rows(sorted(directory.glob("*.jsonl")))
    assert len(frozen) >= 600
    copies = copies_of(frozen)
    assert not copies, copies


@pytest.mark.skipif(not DEV_SET.exists(), reason="dev set not available")
def test_no_row_copies_the_dev_set() -> None:
    copies = copies_of(evaluation_rows([DEV_SET]))
    assert not copies, copies


def test_the_near_copy_check_finds_light_edits() -> None:
    original = "Hindi binayaran ng agency yung overtime ko ng dalawang buwan, saan ako pwede magreklamo?"
    edited = "hindi binayaran ng agency yung overtime ko ng 2 buwan saan ako pwedeng magreklamo"
    unrelated = "Saan po pwedeng magpa-check up ng ngipin sa Shinjuku?"
    pairs = near_copies([edited, unrelated], [original], NEAR_COPY_JACCARD)
    assert [(i, j) for i, j, _ in pairs] == [(0, 0)]
