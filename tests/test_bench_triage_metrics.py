"""The triage bench's measures and folds (pure logic, no model)."""

import numpy as np
import pytest

from bench.triage import example_groups, grouped_folds
from bench.triage_metrics import Case, Columns, ece, estimate_all, resample_weights, weighted_macro_f1
from triage.engine import LabelledExample
from triage.labels import SupportField, Urgency


def case(
    urgency: str, pred: str, *, field: str = "MEDICAL", pred_field: str = "MEDICAL", **kw: object
) -> Case:
    values: dict[str, object] = {
        "where": "x",
        "text": "t",
        "lang": "en",
        "field": field,
        "urgency": urgency,
        "variant": "en",
        "tags": (),
        "group": "x",
        "pred_lang": "en",
        "pred_field": pred_field,
        "pred_urgency": pred,
        "confidence": 0.5,
        "emergency_probability": 0.0,
        "unsure": False,
    }
    values.update(kw)
    return Case(**values)  # type: ignore[arg-type]


def test_point_estimates() -> None:
    cases = [
        case("EMERGENCY", "EMERGENCY", group="a"),
        case("EMERGENCY", "HIGH", group="b"),  # a miss, within one level
        case("LOW", "EMERGENCY", group="c", tags=("spam",)),  # a false alarm on spam, 3 levels off
        case("NORMAL", "NORMAL", group="d", field="WELFARE", pred_field="MEDICAL", unsure=True),
    ]
    est = estimate_all(cases, resamples=200)
    assert est["EMERGENCY recall"].value == 0.5
    assert est["EMERGENCY precision"].value == 0.5
    assert est["spam/chat as EMERGENCY"].value == 1
    assert est["urgency accuracy"].value == 0.5
    assert est["urgency within one level"].value == 0.75
    assert est["field accuracy"].value == 0.75
    assert est["flagged unsure"].value == 0.25
    for e in est.values():
        assert e.low <= e.value <= e.high or np.isnan(e.low)


def test_macro_f1_ignores_absent_classes_and_counts_weights() -> None:
    gold = np.array([0, 0, 1, 1])
    pred = np.array([0, 1, 1, 1])
    # class 0: P 1, R .5, F1 2/3; class 1: P 2/3, R 1, F1 .8; class 2 absent from gold.
    assert weighted_macro_f1(gold, pred, 3, np.ones(4)) == pytest.approx((2 / 3 + 0.8) / 2)
    # Dropping the miss (weight 0) makes both classes perfect.
    assert weighted_macro_f1(gold, pred, 3, np.array([1.0, 0.0, 1.0, 1.0])) == 1.0


def test_ece_is_zero_when_confidence_matches_accuracy_and_large_when_overconfident() -> None:
    conf = np.array([0.75] * 4)
    assert ece(conf, np.array([1.0, 1.0, 1.0, 0.0]), np.ones(4)) == pytest.approx(0.0)
    assert ece(np.array([0.95] * 4), np.array([1.0, 0.0, 0.0, 0.0]), np.ones(4)) == pytest.approx(0.7)


def test_cluster_bootstrap_draws_whole_groups() -> None:
    groups = ["a", "a", "a", "b", "c"]
    w = resample_weights(groups, 500, seed=1)
    assert w.shape == (500, 5)
    assert np.all(w[:, 0] == w[:, 1]) and np.all(w[:, 1] == w[:, 2])
    assert np.allclose(w[:, [0, 3, 4]].sum(axis=1), 3)  # three groups drawn per resample


def test_grouped_folds_keep_groups_together_and_balance() -> None:
    examples = [
        LabelledExample(f"t{i}", SupportField.OTHER, Urgency.LOW, group=f"g{i // 3}" if i < 30 else "")
        for i in range(60)
    ]
    groups = example_groups(examples)
    assert len(set(groups)) == 10 + 30  # rows without a group stand alone
    folds = grouped_folds(groups, 5, seed=0)
    for g in set(groups):
        assert len({f for f, h in zip(folds, groups, strict=True) if h == g}) == 1
    sizes = np.bincount(folds, minlength=5)
    assert sizes.max() - sizes.min() <= 3
    assert grouped_folds(groups, 5, seed=0) == folds  # deterministic


def test_columns_flag_spam_and_chat() -> None:
    cols = Columns([case("LOW", "LOW", tags=("chat",)), case("LOW", "LOW", tags=("past",))])
    assert list(cols.never_em) == [1.0, 0.0]
