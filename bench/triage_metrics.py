"""Triage quality measures with bootstrap intervals: pure numpy, no model.

Every measure is a function of a per-row weight vector ``w`` (how many times each row is drawn),
so one bootstrap resample is one weight vector and the point estimate is ``w = 1``. Rows that
belong together (paraphrases of one situation, a `group` of the training examples) are drawn
together: the interval of a cross-validated score then reflects how many *situations* were
seen, not how many sentences.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from triage.labels import SupportField, Urgency

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

FIELDS: tuple[str, ...] = tuple(f.value for f in SupportField)
# Most urgent first, as triage.labels orders them; LEVEL gives an ordinal scale (LOW 0 ... EMERGENCY 3).
URGENCIES: tuple[str, ...] = tuple(u.value for u in Urgency)
LEVEL = {"EMERGENCY": 3, "HIGH": 2, "NORMAL": 1, "LOW": 0}
# Tags of rows that must never be EMERGENCY whatever they say.
NEVER_EMERGENCY_TAGS = frozenset({"spam", "chat"})
ECE_BINS = 10


@dataclass(frozen=True)
class Case:
    """One labelled row and what the triage said about it."""

    where: str  # id, or file:line
    text: str
    lang: str
    field: str
    urgency: str
    variant: str
    tags: tuple[str, ...]
    group: str  # rows of one group are resampled together
    pred_lang: str
    pred_field: str
    pred_urgency: str
    confidence: float
    emergency_probability: float
    unsure: bool
    signals: tuple[str, ...] = ()


class Columns:
    """The cases as numpy columns, for weighted measures."""

    def __init__(self, cases: Sequence[Case]) -> None:
        self.n = len(cases)
        self.lang_ok = np.array([c.lang == c.pred_lang for c in cases], dtype=np.float64)
        self.field_gold = np.array([FIELDS.index(c.field) for c in cases], dtype=np.int64)
        self.field_pred = np.array([FIELDS.index(c.pred_field) for c in cases], dtype=np.int64)
        self.urg_gold = np.array([URGENCIES.index(c.urgency) for c in cases], dtype=np.int64)
        self.urg_pred = np.array([URGENCIES.index(c.pred_urgency) for c in cases], dtype=np.int64)
        level_gold = np.array([LEVEL[c.urgency] for c in cases])
        level_pred = np.array([LEVEL[c.pred_urgency] for c in cases])
        self.field_ok = (self.field_gold == self.field_pred).astype(np.float64)
        self.urg_ok = (self.urg_gold == self.urg_pred).astype(np.float64)
        self.within_one = (np.abs(level_gold - level_pred) <= 1).astype(np.float64)
        self.both_ok = self.field_ok * self.urg_ok
        self.em_gold = np.array([c.urgency == "EMERGENCY" for c in cases], dtype=np.float64)
        self.em_pred = np.array([c.pred_urgency == "EMERGENCY" for c in cases], dtype=np.float64)
        self.never_em = np.array([bool(NEVER_EMERGENCY_TAGS & set(c.tags)) for c in cases], dtype=np.float64)
        self.confidence = np.array([c.confidence for c in cases], dtype=np.float64)
        self.unsure = np.array([c.unsure for c in cases], dtype=np.float64)
        langs = sorted({c.lang for c in cases} | {c.pred_lang for c in cases})
        self.lang_gold = np.array([langs.index(c.lang) for c in cases], dtype=np.int64)
        self.lang_pred = np.array([langs.index(c.pred_lang) for c in cases], dtype=np.int64)
        self.n_langs = len(langs)


def _ratio(num: float | F64, den: float | F64) -> float:
    return float(num) / float(den) if float(den) > 0 else float("nan")


def weighted_macro_f1(gold: I64, pred: I64, n_classes: int, w: F64) -> float:
    """Mean F1 over the classes present in gold (weighted counts)."""
    tp = np.bincount(gold[gold == pred], weights=w[gold == pred], minlength=n_classes)
    n_gold = np.bincount(gold, weights=w, minlength=n_classes)
    n_pred = np.bincount(pred, weights=w, minlength=n_classes)
    present = n_gold > 0
    denom = n_gold + n_pred
    f1 = np.where(denom > 0, 2 * tp / np.where(denom > 0, denom, 1), 0.0)
    return float(f1[present].mean()) if present.any() else float("nan")


def ece(confidence: F64, correct: F64, w: F64, bins: int = ECE_BINS) -> float:
    """Expected calibration error: sum over equal-width confidence bins of
    (share of rows in the bin) x |accuracy in the bin - mean confidence in the bin|."""
    index = np.minimum((confidence * bins).astype(np.int64), bins - 1)
    total = w.sum()
    if total <= 0:
        return float("nan")
    conf_sum = np.bincount(index, weights=w * confidence, minlength=bins)
    hit_sum = np.bincount(index, weights=w * correct, minlength=bins)
    return float(np.abs(hit_sum - conf_sum).sum() / total)


# name -> measure of (columns, weights). The order is the order of the report.
MEASURES: dict[str, Callable[[Columns, F64], float]] = {
    "language accuracy": lambda c, w: _ratio(w @ c.lang_ok, w.sum()),
    "field accuracy": lambda c, w: _ratio(w @ c.field_ok, w.sum()),
    "field macro-F1": lambda c, w: weighted_macro_f1(c.field_gold, c.field_pred, len(FIELDS), w),
    "urgency accuracy": lambda c, w: _ratio(w @ c.urg_ok, w.sum()),
    "urgency macro-F1": lambda c, w: weighted_macro_f1(c.urg_gold, c.urg_pred, len(URGENCIES), w),
    "urgency within one level": lambda c, w: _ratio(w @ c.within_one, w.sum()),
    "EMERGENCY recall": lambda c, w: _ratio(w @ (c.em_gold * c.em_pred), w @ c.em_gold),
    "EMERGENCY precision": lambda c, w: _ratio(w @ (c.em_gold * c.em_pred), w @ c.em_pred),
    "spam/chat as EMERGENCY": lambda c, w: float(np.dot(w, c.never_em * c.em_pred)),
    "confidence ECE": lambda c, w: ece(c.confidence, c.both_ok, w),
    "flagged unsure": lambda c, w: _ratio(w @ c.unsure, w.sum()),
}
# Measures reported as counts, not shares.
COUNTS = frozenset({"spam/chat as EMERGENCY"})


@dataclass(frozen=True)
class Estimate:
    value: float
    low: float
    high: float

    def show(self, count: bool = False) -> str:
        if np.isnan(self.value):
            return "n/a"
        if count:
            return f"{self.value:.0f} [{self.low:.0f}, {self.high:.0f}]"
        return f"{self.value:.3f} [{self.low:.3f}, {self.high:.3f}]"


def resample_weights(groups: Sequence[str], resamples: int, seed: int) -> F64:
    """[resamples, n] row weights: groups drawn with replacement, each row weighted by how many
    times its group was drawn (a cluster bootstrap; a row per group is the plain bootstrap)."""
    names = sorted(set(groups))
    index = {g: i for i, g in enumerate(names)}
    row_group = np.array([index[g] for g in groups], dtype=np.int64)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(names), size=(resamples, len(names)))
    multiplicity = np.zeros((resamples, len(names)))
    np.add.at(multiplicity, (np.arange(resamples)[:, None], draws), 1.0)
    weights: F64 = multiplicity[:, row_group]
    return weights


def estimate_all(cases: Sequence[Case], resamples: int = 1000, seed: int = 0) -> dict[str, Estimate]:
    """Every measure of MEASURES with its 95% percentile bootstrap interval."""
    cols = Columns(cases)
    weights = resample_weights([c.group for c in cases], resamples, seed)
    ones = np.ones(cols.n)
    out: dict[str, Estimate] = {}
    for name, measure in MEASURES.items():
        samples = np.array([measure(cols, w) for w in weights])
        samples = samples[~np.isnan(samples)]
        value = measure(cols, ones)
        if len(samples) == 0:
            out[name] = Estimate(value, float("nan"), float("nan"))
        else:
            low, high = np.percentile(samples, [2.5, 97.5])
            out[name] = Estimate(value, float(low), float(high))
    return out


# --------------------------------------------------------------------------- tables


def reliability_table(cases: Sequence[Case], bins: int = ECE_BINS) -> list[str]:
    """Confidence bins: rows, mean confidence, share with field and urgency both right."""
    cols = Columns(cases)
    index = np.minimum((cols.confidence * bins).astype(np.int64), bins - 1)
    lines = [f"{'confidence':<12} {'rows':>5} {'mean conf':>10} {'both right':>11} {'gap':>7}"]
    for b in range(bins):
        rows = index == b
        if not rows.any():
            continue
        conf = float(cols.confidence[rows].mean())
        hit = float(cols.both_ok[rows].mean())
        span = f"{b / bins:.1f}-{(b + 1) / bins:.1f}"
        lines.append(f"{span:<12} {int(rows.sum()):>5} {conf:>10.3f} {hit:>11.3f} {hit - conf:>+7.3f}")
    return lines


def f1_rows(
    gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]
) -> list[tuple[str, int, float, float, float]]:
    """(label, support, precision, recall, F1) for each label."""
    out = []
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, pred, strict=True))
        n_pred = sum(p == label for p in pred)
        n_gold = sum(g == label for g in gold)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out.append((label, n_gold, precision, recall, f1))
    return out


def confusion(title: str, gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> list[str]:
    counts = Counter(zip(gold, pred, strict=True))
    lines = [f"{title} (rows: gold, columns: predicted)", " " * 10 + "".join(f"{c[:8]:>10}" for c in labels)]
    for g in labels:
        lines.append(f"{g[:8]:>10}" + "".join(f"{counts[(g, p)]:>10}" for p in labels))
    return lines


def breakdown(cases: Sequence[Case], key: Callable[[Case], str], title: str) -> list[str]:
    """Accuracy of language, field, urgency (and within one level) per value of key."""
    by: dict[str, list[Case]] = {}
    for c in cases:
        by.setdefault(key(c), []).append(c)
    lines = [f"{title:<10} {'n':>5} {'lang':>6} {'field':>6} {'urgency':>8} {'urg±1':>6} {'EM rec':>7}"]
    for name, group in sorted(by.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        n = len(group)
        em = [c for c in group if c.urgency == "EMERGENCY"]
        em_recall = f"{sum(c.pred_urgency == 'EMERGENCY' for c in em)}/{len(em)}" if em else "-"
        lines.append(
            f"{name:<10} {n:>5} {sum(c.pred_lang == c.lang for c in group) / n:>6.2f}"
            f" {sum(c.pred_field == c.field for c in group) / n:>6.2f}"
            f" {sum(c.pred_urgency == c.urgency for c in group) / n:>8.2f}"
            f" {sum(abs(LEVEL[c.pred_urgency] - LEVEL[c.urgency]) <= 1 for c in group) / n:>6.2f}"
            f" {em_recall:>7}"
        )
    return lines


def emergency_lists(cases: Sequence[Case], width: int = 110) -> list[str]:
    """Every missed EMERGENCY and every false alarm, with the row, labels and signals."""

    def line(c: Case) -> str:
        text = " ".join(c.text.split())
        text = text if len(text) <= width else text[: width - 1] + "…"
        signals = "; ".join(s for s in c.signals if s.startswith(("mentions", "unsure")))
        return (
            f"  {c.where} [{c.lang}] {c.field}/{c.urgency} -> {c.pred_field}/{c.pred_urgency}"
            f" p(EM)={c.emergency_probability:.2f}{' ' + signals if signals else ''}\n      {text}"
        )

    missed = [c for c in cases if c.urgency == "EMERGENCY" and c.pred_urgency != "EMERGENCY"]
    false = [c for c in cases if c.urgency != "EMERGENCY" and c.pred_urgency == "EMERGENCY"]
    out = [f"missed EMERGENCY ({len(missed)}):", *(line(c) for c in missed)]
    out += [f"false alarms ({len(false)}):", *(line(c) for c in false)]
    never = [c for c in false if NEVER_EMERGENCY_TAGS & set(c.tags)]
    out.append(f"of which spam/chat: {len(never)}")
    return out


def full_report(cases: Sequence[Case]) -> list[str]:
    """Per language and variant, per field, the urgency confusion, calibration and emergencies."""
    out = breakdown(cases, lambda c: c.lang, "language")
    if any(c.variant != c.lang for c in cases):
        out += ["", *breakdown(cases, lambda c: c.variant or c.lang, "variant")]
    out += ["", f"{'field':<20} {'n':>5} {'prec':>6} {'recall':>6} {'F1':>6}"]
    for label, n, p, r, f1 in f1_rows([c.field for c in cases], [c.pred_field for c in cases], FIELDS):
        out.append(f"{label:<20} {n:>5} {p:>6.2f} {r:>6.2f} {f1:>6.2f}")
    out += [
        "",
        *confusion("field confusion", [c.field for c in cases], [c.pred_field for c in cases], FIELDS),
    ]
    out += ["", f"{'urgency':<20} {'n':>5} {'prec':>6} {'recall':>6} {'F1':>6}"]
    for label, n, p, r, f1 in f1_rows([c.urgency for c in cases], [c.pred_urgency for c in cases], URGENCIES):
        out.append(f"{label:<20} {n:>5} {p:>6.2f} {r:>6.2f} {f1:>6.2f}")
    gold, pred = [c.urgency for c in cases], [c.pred_urgency for c in cases]
    out += ["", *confusion("urgency confusion", gold, pred, URGENCIES)]
    out += ["", "reliability (confidence vs field and urgency both right)", *reliability_table(cases)]
    out += ["", *emergency_lists(cases)]
    return out


def side_by_side(columns: dict[str, dict[str, Estimate]]) -> list[str]:
    """One row per measure, one column per evaluation set: value [95% interval]."""
    names = list(columns)
    width = 26
    lines = [f"{'measure':<26}" + "".join(f"{n:>{width}}" for n in names)]
    for measure in MEASURES:
        cells = [
            columns[n][measure].show(measure in COUNTS) if measure in columns[n] else "n/a" for n in names
        ]
        lines.append(f"{measure:<26}" + "".join(f"{c:>{width}}" for c in cells))
    return lines
