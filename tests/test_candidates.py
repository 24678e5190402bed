"""Candidate training rows (`bench/data/candidates/`, `bench/data/plea_examples/`):
measured, not adopted (docs/benchmarks.md, triage steps 11-18). They stay valid examples, distinct
from the examples, and blind to the evaluation sets, so that a later comparison or a blind check on
them means something."""

from pathlib import Path

import pytest

from tests.test_examples import (
    DEV_SET,
    ROWS,
    copies_of,
    evaluation_rows,
    frozen_rows,
    load_rows,
    near_copy_key,
)
from triage.corpus import load_examples

DATA = Path(__file__).resolve().parent.parent / "bench" / "data"
CANDIDATES = DATA / "candidates"
# The plea rows (steps 17 and 18) are measured candidates too, kept under the same rules.
BATCHES = [*sorted(p for p in CANDIDATES.iterdir() if p.is_dir()), DATA / "plea_examples"]


@pytest.mark.parametrize("batch", BATCHES, ids=lambda p: p.name)
def test_a_candidate_batch_loads_as_examples_and_is_not_training_data(batch: Path) -> None:
    rows = load_examples(batch)  # labels in the enums, or it raises
    assert len(rows) > 0 and all(r.text.strip() == r.text and r.group for r in rows)
    assert (batch / "README.md").exists()
    examples = {near_copy_key(row.text) for row in ROWS}
    assert not [r.text for r in rows if near_copy_key(r.text) in examples]


@pytest.mark.parametrize("batch", BATCHES, ids=lambda p: p.name)
def test_a_candidate_batch_copies_no_evaluation_text(batch: Path) -> None:
    evaluation = frozen_rows()
    if DEV_SET.exists():
        evaluation += evaluation_rows([DEV_SET])
    copies = copies_of(evaluation, load_rows(batch))
    assert not copies, copies
