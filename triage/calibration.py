"""Calibration: from the heads' scores to probabilities that mean what they say.

The heads (``triage.heads``) give field and urgency probabilities that rank well but are not
frequencies: a blend of a regularised linear model and a nearest-example vote is too sure of
itself on some texts and too shy on others. Three small maps, each fitted by
``python -m triage.train`` on out-of-fold predictions of grouped cross-validation over the
examples (never on the dev or frozen sets), turn them into calibrated numbers:

* temperatures for the field and the urgency probabilities (``p ** (1/T)``, renormalised);
* the urgency's time words: each kind of ``triage.timing`` (today, soon, a date, ongoing,
  later) adds its own fitted log-odds to each urgency, with a fitted bias per urgency (a
  multinomial logistic regression on top of the tempered probabilities);
* ``emergency``: P(EMERGENCY) from a logistic regression over the urgency head's log-odds of
  EMERGENCY, what the emergency cues found (firm, qualified only) and markers of a light tone
  (laughter, jokes, adverts: ``triage.tone``), so a cue and a model that agree are surer than
  either;
* ``confidence``: P(field and urgency both right) from the calibrated top probabilities
  (Platt scaling on the log-odds of their product), with the thresholds the decision uses.

The fitted numbers live in ``triage/calibration.json`` (with the cross-validation evidence they
were chosen on); staff corrections retrain the heads at run time and keep these maps.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from triage.timing import TIME_KINDS

F64 = npt.NDArray[np.float64]

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
# "About the same matter" in the bare multilingual-e5 space: unrelated texts sit near 0.8,
# requests about the same matter above 0.9.
BARE_SIMILAR_COSINE = 0.9
# Log-odds are clipped here: a probability of exactly 0 or 1 must not become infinite.
_EPS = 1e-6

# Inputs of the emergency model, in the order of its weights.
EMERGENCY_FEATURES = ("model log-odds", "firm cue", "qualified cue only", "laughter or joke", "advert")


def logit(p: F64 | float) -> F64:
    q = np.clip(np.asarray(p, dtype=np.float64), _EPS, 1 - _EPS)
    out: F64 = np.log(q) - np.log1p(-q)
    return out


def sigmoid(z: F64 | float) -> F64:
    out: F64 = 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))
    return out


def with_temperature(p: F64, temperature: float) -> F64:
    """p ** (1/T) renormalised over the last axis: T > 1 softens, T < 1 sharpens; order kept."""
    z = np.log(np.clip(p, 1e-12, 1.0)) / temperature
    z -= z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    out: F64 = e / e.sum(axis=-1, keepdims=True)
    return out


def emergency_features(p_emergency: F64, firm: F64, qualified: F64, tone: F64) -> F64:
    """[n, len(EMERGENCY_FEATURES)]: the inputs of the emergency model; ``tone`` is [n, 2]
    (laughter or joke, advert: ``triage.tone``)."""
    return np.column_stack([logit(p_emergency), firm, qualified * (1 - firm), tone])


@dataclass(frozen=True)
class Calibration:
    field_temperature: float = 1.0
    urgency_temperature: float = 1.0
    # Log-odds each kind of time word (triage.timing.TIME_KINDS) adds to each urgency
    # (triage.heads.URGENCIES order), and a bias per urgency; empty: no time words.
    urgency_time_weights: tuple[tuple[float, ...], ...] = ()
    urgency_bias: tuple[float, ...] = ()
    emergency_weights: tuple[float, ...] = (1.0, 0.0, 0.0, 0.0, 0.0)
    emergency_bias: float = 0.0
    # EMERGENCY from this calibrated probability (believed firm cues force it anyway).
    emergency_threshold: float = 0.3
    # ... or, in a text with a light-tone marker (triage.tone), from this one (1: never).
    light_threshold: float = 1.0
    # A firm cue forces EMERGENCY only where the heads' raw P(EMERGENCY) reaches this; below it
    # the cue counts as a qualified one (``believed_cues``). 0: every firm cue forces it.
    cue_floor: float = 0.0
    confidence_slope: float = 1.0
    confidence_bias: float = 0.0
    # Below this calibrated confidence the triage says "unsure: ..., please check".
    unsure_below: float = 0.0
    # From this cosine a staff-reviewed request counts as about the same matter as a new one
    # (staff see it linked). 0.9 was chosen in the bare encoder's space (unrelated texts ~0.8); an
    # adapter's space gets the cosine at which as many examples have a linked neighbour from
    # another situation (``triage.train.matched_similar_cosine``).
    similar_cosine: float = BARE_SIMILAR_COSINE
    # How the numbers were chosen: grouped cross-validation figures, for people (not read here).
    evidence: dict[str, Any] = field(default_factory=dict)

    def field_probabilities(self, p: F64) -> F64:
        return with_temperature(p, self.field_temperature)

    def urgency_probabilities(self, p: F64, time_words: F64 | None = None) -> F64:
        """Calibrated urgency probabilities; ``time_words`` is [n, len(TIME_KINDS)] (0/1)."""
        tempered = with_temperature(p, self.urgency_temperature)
        if not self.urgency_time_weights or time_words is None:
            return tempered
        z = np.log(np.clip(tempered, 1e-12, 1.0)) + time_words @ np.asarray(self.urgency_time_weights)
        z += np.asarray(self.urgency_bias)
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        out: F64 = e / e.sum(axis=-1, keepdims=True)
        return out

    def believed_cues(
        self, p_emergency_raw: F64, firm: F64, qualified: F64, sure: F64 | None = None
    ) -> tuple[F64, F64]:
        """(firm, qualified) per row after the cue floor. A firm cue in a text the heads find
        far from every emergency (raw P(EMERGENCY) < ``cue_floor``: an epilepsy prescription,
        "what are the signs of a stroke?", last night's threat and a shelter today) is more
        likely a context the cue's guards did not foresee than a danger now: it then counts as a
        qualified cue, which the emergency model still weighs, instead of forcing EMERGENCY.
        Rows whose firm cue is ``sure`` (two present signs of one emergency told together, which
        the model misreads when told calmly: docs/benchmarks.md, step 40) are never doubted."""
        doubted = (firm > 0) & (p_emergency_raw < self.cue_floor)
        if sure is not None:
            doubted &= ~(sure > 0)
        return np.where(doubted, 0.0, firm), np.where(doubted, 1.0, qualified)

    def emergency(self, features: F64) -> F64:
        """Calibrated P(EMERGENCY) for rows of ``emergency_features``."""
        return sigmoid(features @ np.asarray(self.emergency_weights) + self.emergency_bias)

    def confidence(self, p_field_top: F64, p_urgency_top: F64) -> F64:
        """Calibrated P(field and urgency both right); increasing in either probability."""
        z = logit(np.asarray(p_field_top) * np.asarray(p_urgency_top))
        return sigmoid(self.confidence_slope * z + self.confidence_bias)

    @classmethod
    def load(cls, path: Path = CALIBRATION_FILE) -> Calibration:
        data = json.loads(path.read_text(encoding="utf-8"))
        data["emergency_weights"] = tuple(float(w) for w in data["emergency_weights"])
        data["urgency_time_weights"] = tuple(
            tuple(float(w) for w in row) for row in data.get("urgency_time_weights", ())
        )
        data["urgency_bias"] = tuple(float(b) for b in data.get("urgency_bias", ()))
        calibration = cls(**data)
        calibration.check()
        return calibration

    def save(self, path: Path = CALIBRATION_FILE) -> None:
        path.write_text(json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    def check(self) -> None:
        """Refuse numbers that would break the maps' meaning (a hand-edited file)."""
        if len(self.emergency_weights) != len(EMERGENCY_FEATURES):
            raise ValueError(f"emergency_weights must have {len(EMERGENCY_FEATURES)} values")
        if not (self.field_temperature > 0 and self.urgency_temperature > 0):
            raise ValueError("temperatures must be > 0")
        if not (self.emergency_weights[0] > 0 and self.confidence_slope > 0):
            raise ValueError("the emergency and confidence maps must increase with the model's probability")
        for name in ("emergency_threshold", "light_threshold", "unsure_below", "similar_cosine", "cue_floor"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in [0, 1]")
        if self.urgency_time_weights or self.urgency_bias:
            rows = {len(r) for r in self.urgency_time_weights}
            if len(self.urgency_time_weights) != len(TIME_KINDS) or rows != {len(self.urgency_bias)}:
                raise ValueError(
                    f"urgency_time_weights must be {len(TIME_KINDS)} rows of one weight per urgency, "
                    "urgency_bias one value per urgency"
                )
        values = [
            *self.emergency_weights,
            self.emergency_bias,
            self.confidence_bias,
            *(w for row in self.urgency_time_weights for w in row),
            *self.urgency_bias,
        ]
        if not all(math.isfinite(v) for v in values):
            raise ValueError("calibration numbers must be finite")
