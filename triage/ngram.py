"""The one scoring rule of the syllable models that choose how a text typed without its marks or
its script is read (``triage.vietnamese``'s marks, ``triage.romanised``'s Korean syllables)."""

from __future__ import annotations

import math


def interpolated_log_p(count: int, total: int, before: int, pair: int, weight: float) -> float:
    """log P(unit | the unit before it): ``weight`` of the pair's share of the unit before
    (``pair / before``) and the rest of the unit's own frequency (``(count + 0.1) / total``, so an
    unseen unit gets a small constant); the frequency alone where the unit before was never seen
    (``before`` 0)."""
    alone = (count + 0.1) / total
    if not before:
        return math.log(alone)
    return math.log(weight * (pair / before) + (1 - weight) * alone)
