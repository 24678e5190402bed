"""From probabilities, cues and neighbours to a triage: where each decision is made.

``decide`` turns what the heads (``triage.heads``), the emergency cues (``triage.emergency``)
and the language detector (``triage.language``) found into a ``TriageResult``:

* EMERGENCY never waits on the classifier alone: any firm emergency cue forces it (a cue in a
  "not now" context, e.g. "mentions (past): seizure", is only a signal), and the classifier's
  own emergency probability escalates at a lower threshold than the argmax that decides the
  other urgencies (recall first);
* the field is the most probable one; "unsure: A or B" when the top two are close;
* signals never quote an example: they name cue labels, and the curated ``topic`` of the
  nearest bundled examples with their labels (``neighbour_signal``). Examples learned from
  staff reviews are residents' words: they are reported only by id
  (``TriageResult.similar_examples``), for staff to follow as links.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from triage.corpus import LabelledExample
from triage.emergency import CueScan
from triage.heads import FIELDS, URGENCIES
from triage.labels import SupportField, Urgency
from triage.language import LanguageGuess

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

EMERGENCY = URGENCIES.index(Urgency.EMERGENCY)
# urgency_score is the probability-weighted level of these (0..1, higher is more urgent).
URGENCY_LEVEL = np.array(
    [{"EMERGENCY": 1.0, "HIGH": 2 / 3, "NORMAL": 1 / 3, "LOW": 0.0}[u.value] for u in URGENCIES]
)
# EMERGENCY at this probability already (recall first); other urgencies go by argmax.
EMERGENCY_THRESHOLD = 0.3
# With emergency cues the emergency probability is raised to at least this.
CUE_PROBABILITY = 0.9
UNSURE_MARGIN = 0.15  # top two fields closer than this: say so to staff
# Reviewed examples reported as similar: at most this many, from this cosine (unrelated texts
# sit near 0.8 with e5, requests about the same matter above 0.9).
SIMILAR_COUNT = 5
SIMILAR_COSINE = 0.9
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
    # 0..1, how sure the triage is of field and urgency together (geometric mean of both).
    confidence: float
    # Short reasons: emergency cues, curated topics of the nearest bundled examples, doubts.
    # Made only of the project's own words (cue names, topics, labels), never an example's text.
    signals: tuple[str, ...]
    model: str  # embedding model and triage version
    # (source_id, cosine) of the nearest examples learned from staff reviews, nearest first.
    # For staff only (links to requests they may read anyway); never turned into text here.
    similar_examples: tuple[tuple[int, float], ...] = ()
    # 0..1, the probability of EMERGENCY after the emergency cues are taken into account.
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
        }


def decide(
    p_field: F64,
    p_urg: F64,
    *,
    cues: CueScan,
    language: LanguageGuess,
    neighbour_signal: str | None,
    similar_examples: tuple[tuple[int, float], ...],
    model: str,
) -> TriageResult:
    """The triage of one text from its field and urgency probabilities and what else was found."""
    # "mentions: fire" for firm cues, "mentions (past): seizure" for qualified ones.
    signals: list[str] = cues.signals()
    if cues.firm and p_urg[EMERGENCY] < CUE_PROBABILITY:
        others = 1.0 - p_urg[EMERGENCY]
        p_urg = p_urg * ((1.0 - CUE_PROBABILITY) / others if others > 0 else 0.0)
        p_urg[EMERGENCY] = CUE_PROBABILITY
    if p_urg[EMERGENCY] >= EMERGENCY_THRESHOLD:
        urgency = EMERGENCY
    else:
        urgency = int(np.argmax(np.where(np.arange(len(p_urg)) == EMERGENCY, -1.0, p_urg)))

    order = np.argsort(-p_field, kind="stable")
    field_scores = tuple((FIELDS[i], float(p_field[i])) for i in order)
    if neighbour_signal:
        signals.append(neighbour_signal)
    if field_scores[0][1] - field_scores[1][1] < UNSURE_MARGIN:
        signals.append(f"unsure: {field_scores[0][0].value} or {field_scores[1][0].value}")
    return TriageResult(
        language=language.code,
        language_confidence=float(language.confidence),
        field=field_scores[0][0],
        field_scores=field_scores,
        urgency=URGENCIES[urgency],
        urgency_score=float(p_urg @ URGENCY_LEVEL),
        confidence=float(math.sqrt(field_scores[0][1] * p_urg[urgency])),
        signals=tuple(signals),
        model=model,
        similar_examples=similar_examples,
        emergency_probability=float(p_urg[EMERGENCY]),
    )


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
    examples: Sequence[LabelledExample], nearest: I64, near_sims: F64
) -> tuple[tuple[int, float], ...]:
    """(source_id, cosine) of the nearest staff-reviewed examples close enough to link."""
    return tuple(
        (int(examples[int(j)].source_id or 0), float(c))
        for j, c in zip(nearest, near_sims, strict=True)
        if c >= SIMILAR_COSINE
    )
