"""The frozen test sets (bench/data/triage_test/, triage_test_2/ to triage_test_23/): valid rows, and the
coverage issue 8 asks of a test set. They are only ever read to report (their READMEs)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.test_examples import FROZEN_SETS, ISO_639_1, PRIORITY
from tests.test_examples import TAGS as EXAMPLE_TAGS
from triage.labels import SupportField, Urgency

KINDS = frozenset(
    ["unconscious", "breathing", "bleeding", "suicide", "violence", "fire", "gas", "child-missing"]
)
# The test sets' tags: the examples' tags but the two that label training rows.
TAGS = EXAMPLE_TAGS - {"keywordless", "hard-negative"}
REQUIRED = {"id", "text", "lang", "field", "urgency", "variant", "tags"}
OPTIONAL = {"kind", "hard_negative", "keyword"}
SETS = FROZEN_SETS


def rows_of(directory: Path) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{path.name}:{n}", json.loads(line))
        for path in sorted(directory.glob("*.jsonl"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if line.strip()
    ]


@pytest.mark.parametrize("name", SETS)
def test_every_row_is_valid(name: str) -> None:
    problems = []
    for where, row in rows_of(SETS[name]):
        if not REQUIRED <= set(row) <= REQUIRED | OPTIONAL:
            problems.append(f"{where}: keys {sorted(set(row) ^ REQUIRED)}")
            continue
        if row["field"] not in {f.value for f in SupportField} or row["urgency"] not in {
            u.value for u in Urgency
        }:
            problems.append(f"{where}: label {row['field']}/{row['urgency']}")
        if row["lang"] not in ISO_639_1 or not set(row["tags"]) <= TAGS:
            problems.append(f"{where}: lang {row['lang']} or tags {row['tags']}")
        if not isinstance(row["text"], str) or not row["text"].strip():
            problems.append(f"{where}: empty text")
        emergency = row["urgency"] == "EMERGENCY"
        if emergency and row.get("kind") not in KINDS:
            problems.append(f"{where}: an EMERGENCY without a kind")
        if emergency and (row.get("hard_negative") or {"spam", "chat"} & set(row["tags"])):
            problems.append(f"{where}: an EMERGENCY marked hard negative, spam or chat")
        if row.get("hard_negative") and row.get("kind") not in KINDS:
            problems.append(f"{where}: a hard negative without the kind of its danger word")
    assert not problems, problems


def test_ids_and_texts_are_unique_across_the_sets() -> None:
    rows = [row for directory in SETS.values() for _, row in rows_of(directory)]
    ids = Counter(row["id"] for row in rows)
    texts = Counter(row["text"] for row in rows)
    assert [i for i, n in ids.items() if n > 1] == []
    assert [t for t, n in texts.items() if n > 1] == []


@pytest.mark.parametrize("name", SETS)
def test_coverage_issue_8_asks_for(name: str) -> None:
    rows = [row for _, row in rows_of(SETS[name])]
    assert len(rows) >= 600
    languages = Counter(row["lang"] for row in rows)
    assert {lang: languages[lang] for lang in PRIORITY if languages[lang] < 25} == {}
    positives = Counter(row["kind"] for row in rows if row["urgency"] == "EMERGENCY")
    negatives = Counter(row["kind"] for row in rows if row.get("hard_negative"))
    assert {k: positives[k] for k in KINDS if positives[k] < 6} == {}
    assert {k: negatives[k] for k in KINDS if negatives[k] < 6} == {}
