"""`python -m bench finetune --extra`: candidate rows join the folds without leaking paraphrases
across them, and only the examples' own rows are scored (pure logic, small arrays)."""

import numpy as np
import numpy.typing as npt

from bench.triage_finetune import extra_folds, rows_of
from triage.train import Decided, OutOfFold


def _unit(*rows: list[float]) -> npt.NDArray[np.float32]:
    x = np.array(rows, dtype=np.float32)
    return np.asarray(x / np.linalg.norm(x, axis=1, keepdims=True), dtype=np.float32)


def test_a_paraphrase_of_an_example_goes_to_that_examples_fold_with_its_whole_group() -> None:
    base = _unit([1, 0, 0], [0, 1, 0], [0, 0, 1])
    base_folds = np.array([2, 0, 1])
    # Group "p": one row almost the second example (cosine > 0.95), one unrelated; group "q": new.
    extra = _unit([0.05, 1, 0], [1, 1, 1], [1, -1, 0.2], [-1, 1, 0.3])
    fold, linked = extra_folds(base_folds, base, ["p", "p", "q", "q"], extra, 3)
    assert linked == 1
    assert fold[0] == fold[1] == 0  # the example it paraphrases is in fold 0
    assert fold[2] == fold[3]  # a new group stays whole


def test_a_group_paraphrasing_examples_in_two_folds_is_left_out_unless_asked() -> None:
    base = _unit([1, 0, 0], [0, 1, 0])
    extra = _unit([1, 0.05, 0], [0.05, 1, 0])  # one row near each example; examples in folds 1, 2
    strict, _ = extra_folds(np.array([1, 2]), base, ["p", "p"], extra, 3)
    assert strict.tolist() == [-1, -1]
    first, linked = extra_folds(np.array([1, 2]), base, ["p", "p"], extra, 3, strict=False)
    assert first.tolist() == [1, 1] and linked == 1


def test_new_groups_are_spread_over_every_fold() -> None:
    base = _unit([1, 0, 0])
    extra = _unit(*[[0, np.cos(a), np.sin(a)] for a in np.linspace(0, 1.5, 12)])
    fold, linked = extra_folds(np.array([0]), base, [f"g{i}" for i in range(12)], extra, 3)
    assert linked == 0
    assert sorted(np.bincount(fold, minlength=3).tolist()) == [4, 4, 4]


def test_rows_of_keeps_only_the_given_rows_of_every_array() -> None:
    n = 5
    oof = OutOfFold(
        p_field=np.arange(n * 5, dtype=float).reshape(n, 5),
        p_urgency=np.zeros((n, 4)),
        field=np.arange(n),
        urgency=np.arange(n) % 4,
        firm=np.zeros(n),
        sure=np.zeros(n),
        qualified=np.zeros(n),
        tone=np.zeros((n, 2)),
        time=np.zeros((n, 3)),
        folds=np.arange(n) % 2,
        never_emergency=np.zeros(n, dtype=bool),
    )
    decided = Decided(np.linspace(0, 1, n), np.arange(n), np.arange(n) % 4, np.ones(n))
    kept_oof, kept = rows_of(oof, decided, np.array([0, 3]))
    assert kept_oof.field.tolist() == [0, 3]
    assert kept_oof.p_field.shape == (2, 5)
    assert kept.p_emergency.tolist() == [0.0, 0.75]
