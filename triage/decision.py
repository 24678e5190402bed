"""From probabilities, cues and neighbours to a triage: where each decision is made.

``decide`` turns what the heads (``triage.heads``), the emergency cues (``triage.emergency``)
and the language detector (``triage.language``) found into a ``TriageResult``:

* the heads' probabilities are calibrated first (``triage.calibration``, fitted by
  ``python -m triage.train`` on grouped cross-validation), the urgency's with the text's time
  words (``triage.timing``: tonight, a deadline, next month, ...);
* EMERGENCY never waits on the classifier alone: a firm emergency cue forces it (a cue in a
  "not now" context, e.g. "mentions (past): seizure", is only a signal, and so is a firm cue in a
  text the heads find far from every emergency, below the calibration's ``cue_floor``:
  "mentions (unlikely now, please check): seizure"; a ``sure`` cue, two present signs of one
  emergency told together, is never doubted), and the calibrated
  probability of EMERGENCY (model and cues together) escalates from a threshold set on
  cross-validation for recall first; the other urgencies go by the likeliest;
* the field is the most probable one; ``confidence`` is the calibrated probability that field
  and urgency are both right, and below the threshold set on cross-validation the triage says
  "unsure: A or B, please check", naming the two likeliest labels of the weaker of the two;
* signals never quote an example: they name cue labels, and the curated ``topic`` of the
  nearest bundled examples with their labels (``neighbour_signal``). Examples learned from
  staff reviews are residents' words: they are reported only by id
  (``TriageResult.similar_examples``), for staff to follow as links.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from triage.calibration import Calibration, emergency_features
from triage.corpus import LabelledExample
from triage.duplicates import is_near_duplicate
from triage.emergency import CueScan
from triage.heads import FIELDS, URGENCIES
from triage.labels import SupportField, Urgency
from triage.language import LanguageGuess

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

EMERGENCY = URGENCIES.index(Urgency.EMERGENCY)
# urgency_score is the probability-weighted level of these (0..1, higher is more urgent).
URGENCY_LEVEL = np.array(
    [{"EMERGENCY": 1.0, "HIGH": 2 / 3, "NORMAL": 1 / 3, "LOW": 0.0}[u.value] for u in URGENCIES]
)
# Reviewed examples reported as similar: at most this many, from the calibration's
# ``similar_cosine`` (its space's "about the same matter"), or near-duplicates by text.
SIMILAR_COUNT = 5
# Curated examples whose topics make the "close to examples of" signal.
DESCRIBED_COUNT = 3


@dataclass(frozen=True, slots=True)
class TriageResult:
    language: str  # ISO 639-1 or "und"
    language_confidence: float
    field: SupportField
    # Every field with its probability, highest first; sums to ~1.
    field_scores: tuple[tuple[SupportField, float], ...]
    urgency: Urgency
    # 0..1, how urgent: the probability-weighted level (LOW 0, NORMAL 1/3, HIGH 2/3, EMERGENCY 1).
    urgency_score: float
    # 0..1, calibrated: the probability that field and urgency are both right.
    confidence: float
    # Short reasons: emergency cues, curated topics of the nearest bundled examples, doubts.
    # Made only of the project's own words (cue names, topics, labels), never an example's text.
    signals: tuple[str, ...]
    model: str  # embedding model and triage version
    # (source_id, cosine) of the nearest examples learned from staff reviews, nearest first.
    # For staff only (links to requests they may read anyway); never turned into text here.
    similar_examples: tuple[tuple[int, float], ...] = ()
    # 0..1, calibrated: the probability of EMERGENCY, from the model and the emergency cues.
    emergency_probability: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "language_confidence": round(self.language_confidence, 4),
            "field": self.field.value,
            "field_scores": [[f.value, round(s, 4)] for f, s in self.field_scores],
            "urgency": self.urgency.value,
            "urgency_score": round(self.urgency_score, 4),
            "confidence": round(self.confidence, 4),
            "signals": list(self.signals),
            "model": self.model,
            "similar_examples": [[i, round(c, 4)] for i, c in self.similar_examples],
            "emergency_probability": round(self.emergency_probability, 4),
        }


def _share_the_rest(p_urg: F64, p_emergency: F64) -> F64:
    """The urgencies other than EMERGENCY, rescaled to share 1 - P(EMERGENCY); EMERGENCY's column 0."""
    others: F64 = np.where(np.arange(p_urg.shape[1]) == EMERGENCY, 0.0, p_urg)
    shared: F64 = others / np.maximum(others.sum(axis=1, keepdims=True), 1e-12) * (1 - p_emergency)[:, None]
    return shared


def urgency_decision(
    p_urg: F64, p_emergency: F64, firm: B, light: B, threshold: float, light_threshold: float = 1.0
) -> tuple[I64, F64]:
    """For rows: the urgency decided (index into URGENCIES) and its calibrated probability.

    EMERGENCY when a firm cue fired, or when the calibrated P(EMERGENCY) reaches the threshold
    in a text without a light-tone marker (laughter, a joke, an advert: chat and spam are never
    emergencies). A text with such a marker needs ``light_threshold`` instead, set on grouped CV
    above every marked non-emergency (1: never), so that one word of a shop's sale beside a
    sure emergency does not silence it (docs/benchmarks.md, triage step 35). Otherwise the
    likeliest of the other urgencies, whose probabilities share 1 - P(EMERGENCY).
    """
    others = _share_the_rest(p_urg, p_emergency)
    best = others.argmax(axis=1)
    sure_anyway = p_emergency >= light_threshold if light_threshold < 1.0 else np.zeros_like(light)
    emergency = firm | ((p_emergency >= threshold) & (~light | sure_anyway))
    urgency = np.where(emergency, EMERGENCY, best)
    chosen = np.where(emergency, p_emergency, others[np.arange(len(best)), best])
    return urgency.astype(np.int64), chosen


@dataclass(frozen=True)
class Decisions:
    """Field, urgency and their calibrated probabilities for a batch of texts."""

    p_field: F64  # [n, fields] calibrated
    p_urgency: F64  # [n, urgencies] calibrated; EMERGENCY's is p_emergency
    p_emergency: F64
    urgency: I64
    confidence: F64
    cue_doubted: B  # a firm cue fired but did not force EMERGENCY (Calibration.believed_cues)

    @classmethod
    def make(
        cls,
        p_field: F64,
        p_urg: F64,
        cues: Sequence[CueScan],
        tones: Sequence[tuple[bool, bool]],
        times: Sequence[tuple[bool, ...]],
        cal: Calibration,
    ) -> Decisions:
        """From the heads' raw probabilities, each text's cues, its tone markers and its time
        words (``triage.timing.time_markers``)."""
        return cls.of_rows(
            p_field,
            p_urg,
            np.array([bool(c.firm) for c in cues], dtype=np.float64),
            np.array([bool(c.mentions) for c in cues], dtype=np.float64),
            np.array(tones, dtype=np.float64).reshape(len(tones), 2),
            np.array(times, dtype=np.float64).reshape(len(times), -1),
            cal,
            sure=np.array([c.sure for c in cues], dtype=np.float64),
        )

    @classmethod
    def of_rows(
        cls,
        p_field: F64,
        p_urg: F64,
        firm_found: F64,
        mentioned: F64,
        tone: F64,
        times: F64,
        cal: Calibration,
        *,
        sure: F64 | None = None,
    ) -> Decisions:
        """The same from arrays, one row per text: firm and qualified cues found (0/1), tone
        markers [n, 2], time words [n, len(TIME_KINDS)], and (``sure``) whether the firm cue is a
        ``sure`` one. ``python -m triage.train`` decides its out-of-fold rows with this too, so
        the calibration is fitted on the engine's own rule."""
        believed, qualified = cal.believed_cues(p_urg[:, EMERGENCY], firm_found, mentioned, sure)
        firm = believed > 0
        features = emergency_features(p_urg[:, EMERGENCY], believed, qualified, tone)
        p_em = cal.emergency(features)
        p_field = cal.field_probabilities(p_field)
        p_urg = cal.urgency_probabilities(p_urg, times)
        urgency, chosen = urgency_decision(
            p_urg, p_em, firm, tone.sum(axis=1) > 0, cal.emergency_threshold, cal.light_threshold
        )
        p_urg = np.where(np.arange(p_urg.shape[1]) == EMERGENCY, p_em[:, None], _share_the_rest(p_urg, p_em))
        doubted = (firm_found > 0) & ~firm
        return cls(p_field, p_urg, p_em, urgency, cal.confidence(p_field.max(axis=1), chosen), doubted)


def decide(
    decisions: Decisions,
    row: int,
    *,
    cues: CueScan,
    language: LanguageGuess,
    neighbour_signal: str | None,
    similar_examples: tuple[tuple[int, float], ...],
    model: str,
    unsure_below: float,
) -> TriageResult:
    """The triage of one text (row ``row`` of the batch's decisions) and its signals."""
    # "mentions: fire" for firm cues, "mentions (past): seizure" for qualified ones, and
    # "mentions (unlikely now, please check): seizure" for firm cues the model doubted.
    signals: list[str] = cues.signals(firm_doubted=bool(decisions.cue_doubted[row]))
    p_field, p_urg = decisions.p_field[row], decisions.p_urgency[row]
    urgency = int(decisions.urgency[row])
    confidence = float(decisions.confidence[row])
    order = np.argsort(-p_field, kind="stable")
    field_scores = tuple((FIELDS[i], float(p_field[i])) for i in order)
    if neighbour_signal:
        signals.append(neighbour_signal)
    if confidence < unsure_below:
        signals.append(unsure_signal(field_scores, p_urg, urgency))
    return TriageResult(
        language=language.code,
        language_confidence=float(language.confidence),
        field=field_scores[0][0],
        field_scores=field_scores,
        urgency=URGENCIES[urgency],
        urgency_score=float(p_urg @ URGENCY_LEVEL),
        confidence=confidence,
        signals=tuple(signals),
        model=model,
        similar_examples=similar_examples,
        emergency_probability=float(decisions.p_emergency[row]),
    )


def unsure_signal(field_scores: tuple[tuple[SupportField, float], ...], p_urg: F64, urgency: int) -> str:
    """ "unsure: A or B, please check": the decided label and the runner-up of whichever of field
    and urgency is less sure (labels only)."""
    runner_up = int(np.argsort(-np.where(np.arange(len(p_urg)) == urgency, -1.0, p_urg), kind="stable")[0])
    if field_scores[0][1] <= p_urg[urgency]:
        pair = (field_scores[0][0].value, field_scores[1][0].value)
    else:
        pair = (URGENCIES[urgency].value, URGENCIES[runner_up].value)
    return f"unsure: {pair[0]} or {pair[1]}, please check"


def neighbour_signal(examples: Sequence[LabelledExample], nearest: I64, near_sims: F64) -> str | None:
    """ "close to examples of: <topics> (FIELD/URGENCY, cosine c)" over the nearest curated
    examples: their topics and labels only, never their text."""
    if len(nearest) == 0:
        return None
    topics = list(dict.fromkeys(examples[int(i)].topic for i in nearest))
    best = examples[int(nearest[0])]
    return (
        f"close to examples of: {'; '.join(topics[:2])} "
        f"({best.field.value}/{best.urgency.value}, cosine {float(near_sims[0]):.2f})"
    )


def similar_reviewed(
    examples: Sequence[LabelledExample], nearest: I64, near_sims: F64, text: str, min_cosine: float
) -> tuple[tuple[int, float], ...]:
    """(source_id, cosine) of the nearest staff-reviewed examples close enough to link: about the
    same matter (cosine from ``min_cosine``) or the same text re-sent or edited."""
    return tuple(
        (int(examples[int(j)].source_id or 0), float(c))
        for j, c in zip(nearest, near_sims, strict=True)
        if c >= min_cosine or is_near_duplicate(text, examples[int(j)].text)
    )
