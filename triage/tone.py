"""Markers of a light tone: laughter and jokes, adverts (data: ``triage/words/tone.toml``).

They feed the emergency model (``triage.calibration``): "this will kill me 😂" and an advert
with 🔥 are not emergencies, and the weight of a marker is fitted on cross-validation.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_TONE_FILE = Path(__file__).with_name("words") / "tone.toml"


@dataclass(frozen=True)
class _Markers:
    words: re.Pattern[str]
    strings: tuple[str, ...]

    def found(self, text: str) -> bool:
        return any(s in text for s in self.strings) or self.words.search(text) is not None


def _markers(section: dict[str, list[str]]) -> _Markers:
    words = sorted({w.lower() for w in section["words"]}, key=len, reverse=True)
    alternation = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)
    strings = tuple(sorted({unicodedata.normalize("NFKC", x).lower() for x in section["strings"]}))
    return _Markers(re.compile(rf"(?<!\w)(?:{alternation})(?!\w)"), strings)


@cache
def _tone() -> tuple[_Markers, _Markers]:
    data = tomllib.loads(_TONE_FILE.read_text(encoding="utf-8"))
    return _markers(data["laughter"]), _markers(data["advert"])


def tone_markers(text: str) -> tuple[bool, bool]:
    """(laughter or a joke, advert) markers found in the text."""
    folded = unicodedata.normalize("NFKC", text).lower()
    laughter, advert = _tone()
    return laughter.found(folded), advert.found(folded)
