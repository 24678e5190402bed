"""Markers of a light tone: laughter and jokes, adverts (data: ``triage/words/tone.toml``).

They feed the emergency model (``triage.calibration``): "this will kill me 😂" and an advert
are not emergencies, and the weight of a marker is fitted on cross-validation. Emoji alone are
no advert: people report real fires with 🔥🔥 (docs/benchmarks.md, triage step 24).
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from triage.wordlists import Markers, fold, markers

_TONE_FILE = Path(__file__).with_name("words") / "tone.toml"


@cache
def _tone() -> tuple[Markers, Markers]:
    data = tomllib.loads(_TONE_FILE.read_text(encoding="utf-8"))
    return markers(data["laughter"]), markers(data["advert"])


def tone_markers(text: str) -> tuple[bool, bool]:
    """(laughter or a joke, advert) markers found in the text."""
    folded = fold(text)
    laughter, advert = _tone()
    return laughter.found(folded), advert.found(folded)
