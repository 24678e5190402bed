"""Calibration of the triage: the committed maps, the fits that make them, and the engine's use of
them with the real model."""

import math

import numpy as np
import pytest

import triage.train
from triage.adapter import ADAPTER_FILE, load_adapter
from triage.calibration import EMERGENCY_FEATURES, Calibration, emergency_features, with_temperature
from triage.decision import EMERGENCY, Decisions, decide, urgency_decision
from triage.emergency import scan_emergency_cues
from triage.engine import Triage
from triage.finetune import FINETUNE_FOLDS
from triage.heads import FIELDS, URGENCIES
from triage.labels import Urgency
from triage.language import LanguageGuess
from triage.timing import TIME_KINDS
from triage.tone import tone_markers
from triage.train import (
    CUE_FLOOR,
    RECALL_TARGETS,
    calibrate_for_precision,
    emergency_threshold,
    fit_binary_logistic,
    fit_temperature,
    fit_time_words,
    light_threshold,
)

LABELS = {f.value for f in FIELDS} | {u.value for u in URGENCIES}


@pytest.fixture(scope="module")
def calibration() -> Calibration:
    return Calibration.load()


def test_the_committed_calibration_is_valid_and_says_how_it_was_chosen(calibration: Calibration) -> None:
    calibration.check()
    assert 0.0 < calibration.emergency_threshold < 1.0
    assert 0.0 < calibration.unsure_below < 1.0
    evidence = calibration.evidence
    # With the committed adapter, fitted on the per-fold adapters' out-of-fold rows (3 folds) and
    # for that very adapter; without one, on the 5 folds of the bare encoder.
    adapter = load_adapter(ADAPTER_FILE)
    assert evidence.get("adapter") == (adapter.digest if adapter else None)
    assert evidence["examples"] >= 5000 and evidence["folds"] == (FINETUNE_FOLDS if adapter else 5)
    after = evidence["cv after (cross-fitted maps)"]
    assert after["EMERGENCY recall"] >= evidence["recall target"]
    # The committed file is what python -m triage.train makes with today's options.
    assert calibration.cue_floor == evidence["cue floor"] == CUE_FLOOR


def test_the_maps_are_monotonic_and_give_probabilities(calibration: Calibration) -> None:
    p = np.linspace(0.0, 1.0, 201)
    zero, one = np.zeros_like(p), np.ones_like(p)
    calm = np.zeros((len(p), 2))
    for firm, qualified, tone in (
        (0, 0, (0, 0)),
        (1, 0, (0, 0)),
        (0, 1, (0, 0)),
        (0, 0, (1, 0)),
        (0, 0, (0, 1)),
    ):
        features = emergency_features(p, firm * one, qualified * one, np.tile(tone, (len(p), 1)))
        em = calibration.emergency(features)
        assert np.all((em >= 0) & (em <= 1)) and np.all(np.diff(em) >= 0)
    # A firm cue never lowers the probability.
    none = calibration.emergency(emergency_features(p, zero, zero, calm))
    cue = calibration.emergency(emergency_features(p, one, zero, calm))
    assert np.all(cue >= none)
    grid = np.linspace(0.01, 1.0, 50)
    for other in (0.2, 0.6, 0.95):
        by_field = calibration.confidence(grid, np.full_like(grid, other))
        by_urgency = calibration.confidence(np.full_like(grid, other), grid)
        for c in (by_field, by_urgency):
            assert np.all((c >= 0) & (c <= 1)) and np.all(np.diff(c) >= 0)


def test_temperature_keeps_the_order_and_sums_to_one() -> None:
    rng = np.random.default_rng(1)
    p = rng.dirichlet(np.ones(5), size=40)
    for t in (0.5, 1.0, 2.5):
        q = with_temperature(p, t)
        assert np.allclose(q.sum(axis=1), 1.0)
        assert np.array_equal(np.argsort(-p, axis=1, kind="stable"), np.argsort(-q, axis=1, kind="stable"))
    assert np.allclose(with_temperature(p, 1.0), p)


def test_fit_temperature_recovers_a_known_temperature() -> None:
    """Labels drawn from softened probabilities: the fit finds the softening."""
    rng = np.random.default_rng(2)
    sharp = rng.dirichlet(np.full(4, 0.3), size=4000)
    truth = with_temperature(sharp, 2.0)
    y = np.array([rng.choice(4, p=row) for row in truth])
    assert fit_temperature(sharp, y) == pytest.approx(2.0, rel=0.15)


def test_fit_binary_logistic_recovers_weights() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(5000, 2))
    y = (rng.random(5000) < 1 / (1 + np.exp(-(1.5 * x[:, 0] - 0.5 * x[:, 1] + 0.3)))).astype(float)
    w, b = fit_binary_logistic(x, y)
    assert w == pytest.approx([1.5, -0.5], abs=0.15) and b == pytest.approx(0.3, abs=0.15)


def test_fit_time_words_recovers_log_odds_added_to_the_model() -> None:
    """Labels drawn from the model's probabilities shifted by known time-word log-odds."""
    rng = np.random.default_rng(4)
    n = 20000
    log_p = np.log(rng.dirichlet(np.ones(4), size=n))
    time = (rng.random((n, 2)) < 0.3).astype(float)
    weights = np.array([[0.0, 1.5, -0.5, 0.0], [-1.0, 0.0, 0.0, 1.0]])
    scores = log_p + time @ weights
    p = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    y = (rng.random(n)[:, None] > p.cumsum(axis=1)).sum(axis=1)
    w, b = fit_time_words(log_p, time, y, 1e-4)
    # Log-odds are defined up to a constant per row of weights: compare differences to class 0.
    assert w - w[:, :1] == pytest.approx(weights - weights[:, :1], abs=0.15)
    assert b - b[0] == pytest.approx(np.zeros(4), abs=0.1)


def test_time_words_move_the_urgency_and_keep_probabilities(calibration: Calibration) -> None:
    p = np.random.default_rng(5).dirichlet(np.ones(4), size=30)
    plain = calibration.urgency_probabilities(p)
    assert np.allclose(plain, with_temperature(p, calibration.urgency_temperature))
    assert len(calibration.urgency_time_weights) == len(TIME_KINDS)
    for kind in range(len(TIME_KINDS)):
        words = np.zeros((30, len(TIME_KINDS)))
        words[:, kind] = 1.0
        q = calibration.urgency_probabilities(p, words)
        assert np.allclose(q.sum(axis=1), 1.0) and np.all(q >= 0)
    # What the examples say, learned on cross-validation: "next month" lowers HIGH against LOW,
    # "tomorrow" raises it.
    weights = np.asarray(calibration.urgency_time_weights)
    high, low = URGENCIES.index(Urgency.HIGH), URGENCIES.index(Urgency.LOW)
    later, soon = TIME_KINDS.index("later"), TIME_KINDS.index("soon")
    assert weights[later, low] - weights[later, high] > 0
    assert weights[soon, high] - weights[soon, low] > 0


def test_emergency_threshold_keeps_the_recall_asked_for() -> None:
    p = np.array([0.9, 0.8, 0.4, 0.2, 0.05, 0.7, 0.3, 0.1])
    firm = np.array([0, 0, 0, 1, 0, 0, 0, 0], dtype=float)
    is_em = np.array([True, True, True, True, True, False, False, False])
    # 5 emergencies: one caught by its cue; 80% recall needs 3 more from the model (down to 0.4).
    t = emergency_threshold(p, firm, is_em, 0.8)
    assert t == 0.4
    caught = (firm > 0) | (p >= t)
    assert (caught & is_em).sum() / is_em.sum() >= 0.8
    assert emergency_threshold(p, firm, is_em, 1.0) == 0.05
    # An emergency with a light-tone marker cannot be caught by the model: the next one counts.
    light = np.array([False, True, False, False, False, False, False, False])
    assert emergency_threshold(p, firm, is_em, 0.8, light) == 0.05


def test_the_recall_target_is_the_first_whose_precision_reaches_the_target(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Step 48: the highest recall target whose cross-fitted precision reaches 0.80 (a small fake
    stands for the cross-validation, which the committed calibration's test covers)."""
    precision: dict[float, float] = {}
    asked: list[float] = []

    def fake_calibrate(oof: object, recall: float, cue_floor: float = CUE_FLOOR) -> tuple[Calibration, None]:
        asked.append(recall)
        after = {"EMERGENCY precision": precision[recall]}
        return Calibration(evidence={"recall target": recall, "cv after (cross-fitted maps)": after}), None

    monkeypatch.setattr(triage.train, "calibrate", fake_calibrate)
    precision.update({0.995: 0.72, 0.99: 0.81, 0.985: 0.9, 0.98: 0.95})
    chosen = calibrate_for_precision(None)  # type: ignore[arg-type]
    assert chosen.evidence["recall target"] == 0.99 and asked == [0.995, 0.99]
    assert chosen.evidence["recall targets tried"] == {"0.995": 0.72, "0.99": 0.81}
    # None reaches it: the last target, every one tried.
    asked.clear()
    precision.update(dict.fromkeys(RECALL_TARGETS, 0.5))
    assert calibrate_for_precision(None).evidence["recall target"] == RECALL_TARGETS[-1]  # type: ignore[arg-type]
    assert asked == list(RECALL_TARGETS)
    # --recall: that target alone, whatever its precision.
    asked.clear()
    assert calibrate_for_precision(None, 0.995).evidence["recall target"] == 0.995  # type: ignore[arg-type]
    assert asked == [0.995]


def test_urgency_decision_follows_the_threshold_and_the_cues() -> None:
    p_urg = np.array([[0.1, 0.5, 0.3, 0.1], [0.05, 0.2, 0.7, 0.05], [0.0, 0.1, 0.2, 0.7]])
    assert URGENCIES[EMERGENCY] is Urgency.EMERGENCY
    p_em = np.array([0.5, 0.1, 0.01])
    firm = np.array([False, False, True])
    calm = np.array([False, False, False])
    urgency, chosen = urgency_decision(p_urg, p_em, firm, calm, 0.4)
    assert urgency[0] == EMERGENCY and chosen[0] == 0.5
    assert URGENCIES[urgency[1]] is Urgency.NORMAL
    assert chosen[1] == pytest.approx(0.9 * 0.7 / 0.95)  # the others share 1 - P(EMERGENCY)
    assert urgency[2] == EMERGENCY  # a firm cue forces it
    # A light-tone marker (laughter, an advert) keeps the model alone from calling EMERGENCY,
    # not a firm cue.
    light = np.array([True, False, True])
    urgency, _ = urgency_decision(p_urg, p_em, firm, light, 0.4)
    assert URGENCIES[urgency[0]] is Urgency.HIGH and urgency[2] == EMERGENCY
    # ... unless it reaches the light-tone threshold: a sure emergency told beside a sale.
    urgency, _ = urgency_decision(p_urg, p_em, firm, light, 0.4, light_threshold=0.5)
    assert urgency[0] == EMERGENCY
    urgency, _ = urgency_decision(p_urg, p_em, firm, light, 0.4, light_threshold=0.6)
    assert URGENCIES[urgency[0]] is Urgency.HIGH


def test_light_threshold_sits_above_every_marked_non_emergency() -> None:
    p = np.array([0.99, 0.72, 0.3, 0.95, 0.2])
    light = np.array([True, True, True, False, False])
    is_em = np.array([True, False, False, False, True])
    # The marked non-emergencies reach 0.72; the unmarked one (0.95) and the marked emergency
    # do not count.
    assert light_threshold(p, light, is_em) == pytest.approx(0.77)
    assert light_threshold(np.array([0.1]), np.array([True]), np.array([False])) == 0.5  # the floor
    assert light_threshold(np.array([0.97]), np.array([True]), np.array([False])) == 1.0  # never


def test_a_firm_cue_the_model_doubts_counts_as_a_qualified_one() -> None:
    p_raw = np.array([0.01, 0.04, 0.05, 0.9, 0.01])
    firm = np.array([1.0, 1.0, 1.0, 1.0, 0.0])
    qualified = np.array([0.0, 0.0, 0.0, 0.0, 1.0])
    believed, mentioned = Calibration(cue_floor=0.05).believed_cues(p_raw, firm, qualified)
    assert believed.tolist() == [0.0, 0.0, 1.0, 1.0, 0.0]  # below the floor: no longer forces it
    assert mentioned.tolist() == [1.0, 1.0, 0.0, 0.0, 1.0]  # but the emergency model still weighs it
    # Floor 0 (the default, and every calibration before it existed): every firm cue forces it.
    believed, mentioned = Calibration().believed_cues(p_raw, firm, qualified)
    assert believed.tolist() == firm.tolist() and mentioned.tolist() == qualified.tolist()


def test_a_sure_firm_cue_is_never_doubted() -> None:
    p_raw = np.array([0.001, 0.001, 0.9])
    firm = np.array([1.0, 1.0, 1.0])
    sure = np.array([1.0, 0.0, 1.0])
    believed, mentioned = Calibration(cue_floor=0.05).believed_cues(p_raw, firm, np.zeros(3), sure)
    assert believed.tolist() == [1.0, 0.0, 1.0]
    assert mentioned.tolist() == [0.0, 1.0, 0.0]


def test_bad_calibration_files_are_refused() -> None:
    good = Calibration()
    for bad in (
        {"field_temperature": 0.0},
        {"emergency_weights": (1.0, 2.0)},
        {"emergency_weights": (-1.0, 0.0, 0.0, 0.0, 0.0)},
        {"emergency_threshold": 1.5},
        {"light_threshold": 1.01},
        {"cue_floor": -0.1},
        {"confidence_bias": math.inf},
        {"urgency_time_weights": ((0.0,) * 4,) * 2, "urgency_bias": (0.0,) * 4},
        {"urgency_time_weights": ((0.0,) * 4,) * len(TIME_KINDS), "urgency_bias": (0.0,) * 3},
        {"urgency_time_weights": ((math.nan,) * 4,) * len(TIME_KINDS), "urgency_bias": (0.0,) * 4},
    ):
        with pytest.raises(ValueError):
            Calibration(**{**good.__dict__, **bad}).check()


# ----------------------------------------------------------------------------- with the model


def test_engine_probabilities_and_the_emergency_rule(triage_engine: Triage) -> None:
    cal = triage_engine.calibration
    texts = [
        "My father collapsed in the kitchen and is not breathing, please help",
        "Where can I buy a rice cooker with English buttons? No hurry at all.",
        "🔥🔥 SALE 🔥🔥 cheap SIM cards, call now, limited offer, free gift!!!",
        "This paperwork is going to kill me 😂 just venting, all fine",
        "My son had a seizure last year, what should we tell the new school?",
    ]
    results = triage_engine.triage_many(texts)
    for text, r in zip(texts, results, strict=True):
        assert 0.0 <= r.emergency_probability <= 1.0 and 0.0 <= r.confidence <= 1.0
        assert sum(s for _, s in r.field_scores) == pytest.approx(1.0)
        is_em = r.urgency is Urgency.EMERGENCY
        forced = any(s.startswith("mentions: ") for s in r.signals)
        needed = cal.light_threshold if any(tone_markers(text)) else cal.emergency_threshold
        assert is_em == (forced or r.emergency_probability >= max(needed, cal.emergency_threshold))
    collapse, calm, spam, joke, past = results
    assert collapse.urgency is Urgency.EMERGENCY and collapse.emergency_probability > 0.9
    assert calm.emergency_probability < 0.05 and calm.urgency is not Urgency.EMERGENCY
    assert spam.urgency is not Urgency.EMERGENCY and joke.urgency is not Urgency.EMERGENCY
    assert past.urgency is not Urgency.EMERGENCY
    assert collapse.to_json()["emergency_probability"] == round(collapse.emergency_probability, 4)


def test_unsure_signals_name_only_labels(triage_engine: Triage) -> None:
    """Low-confidence results say so with two labels; confident ones do not."""
    texts = [
        "about my mother",
        "My son's school says he needs a medical certificate and the ward office says I need to pay "
        "first, also the water bill",
        "My 3 year old has had a fever of 39 since this afternoon, which clinic is open tonight?",
        "ok",
    ]
    cal = triage_engine.calibration
    flagged = 0
    for r in triage_engine.triage_many(texts):
        unsure = [s for s in r.signals if s.startswith("unsure")]
        assert bool(unsure) == (r.confidence < cal.unsure_below)
        for s in unsure:
            flagged += 1
            pair = s.removeprefix("unsure: ").removesuffix(", please check").split(" or ")
            assert len(pair) == 2 and set(pair) <= LABELS and pair[0] != pair[1]
    assert flagged >= 1  # the vague or mixed texts are flagged


def test_calibration_features_are_named(calibration: Calibration) -> None:
    assert len(calibration.emergency_weights) == len(EMERGENCY_FEATURES)
    assert calibration.evidence["emergency features"] == list(EMERGENCY_FEATURES)


def test_a_doubted_firm_cue_neither_forces_emergency_nor_hides_from_staff() -> None:
    cues = [scan_emergency_cues("my kitchen is on fire")] * 2
    assert cues[0].firm == ["fire"]
    # Raw heads: the first text far from every emergency (P 0.01), the second close (P 0.9).
    p_urg = np.array([[0.01, 0.19, 0.5, 0.3], [0.9, 0.05, 0.03, 0.02]])
    p_field = np.full((2, len(FIELDS)), 1 / len(FIELDS))
    cal = Calibration(cue_floor=0.05, emergency_threshold=0.5)
    decisions = Decisions.make(
        p_field, p_urg, cues, [(False, False)] * 2, [(False,) * len(TIME_KINDS)] * 2, cal
    )
    assert decisions.cue_doubted.tolist() == [True, False]
    assert decisions.urgency[0] != EMERGENCY and decisions.urgency[1] == EMERGENCY
    signals = [
        decide(
            decisions,
            row,
            cues=cues[row],
            language=LanguageGuess("en", 1.0),
            neighbour_signal=None,
            similar_examples=(),
            model="test",
            unsure_below=0.0,
        ).signals
        for row in (0, 1)
    ]
    assert "mentions (unlikely now, please check): fire" in signals[0]
    assert "mentions: fire" in signals[1]
