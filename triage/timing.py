"""Time and deadline words: today, soon, a date, ongoing, later (data: ``triage/words/time.toml``).

They feed the urgency map (``triage.calibration``): "tonight", "期限は明日", "tháng sau", "no
hurry" say how soon a matter bites, which the embedding of a long request can drown; each kind's
weights are fitted on grouped cross-validation over the examples.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from triage.wordlists import Markers, fold, markers

_TIME_FILE = Path(__file__).with_name("words") / "time.toml"

# The kinds of time words, in the order of time_markers' values (sections of time.toml).
TIME_KINDS = ("today", "soon", "date", "ongoing", "later")


@cache
def _time() -> tuple[Markers, ...]:
    data = tomllib.loads(_TIME_FILE.read_text(encoding="utf-8"))
    return tuple(markers(data[kind]) for kind in TIME_KINDS)


def time_markers(text: str) -> tuple[bool, ...]:
    """For each of TIME_KINDS: whether the text has a word of that kind."""
    folded = fold(text)
    return tuple(m.found(folded) for m in _time())
