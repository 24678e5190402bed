"""What matching reads (volunteer and request profiles) and what it returns (candidates)."""

import dataclasses
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from triage.labels import SupportField

EMBEDDING_DIM = 384  # multilingual-e5-small

F32Vector = NDArray[np.float32]


def unit_vector(vector: object, dim: int = EMBEDDING_DIM) -> F32Vector:
    """A finite (dim,) float32 copy scaled to length 1; ValueError for anything else.

    Stored vectors come from the same model with normalize_embeddings=True, so this only
    rescales rounding noise, and it refuses zero/NaN/wrong-shape vectors loudly.
    """
    arr = np.asarray(vector, dtype=np.float32)
    if arr.shape != (dim,):
        raise ValueError(f"embedding must have shape ({dim},), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("embedding contains NaN or infinity")
    norm = float(np.linalg.norm(arr))
    if norm < 1e-6:
        raise ValueError("embedding is all zeros")
    out: F32Vector = (arr / norm).astype(np.float32)
    return out


@dataclass(frozen=True, slots=True, eq=False)
class VolunteerProfile:
    """One volunteer as matching sees it (the DB row plus the stored skills embedding)."""

    volunteer_id: str
    # "passage: " + skills, from the same e5 model as requests; computed on register/update.
    vector: F32Vector
    languages: frozenset[str]
    fields: frozenset[SupportField]
    area: str
    availability: str = ""
    remote_ok: bool = False
    max_active_requests: int = 2
    active_requests: int = 0
    # Offers made in the recent window (e.g. the last 7 days): spreads work (see weights).
    recent_offers: int = 0
    active: bool = True
    verified: bool = False


@dataclass(frozen=True, slots=True, eq=False)
class RequestProfile:
    """A triaged (or staff-corrected) request as matching sees it."""

    # "query: " + request_text(text, field), same model as the volunteers' vectors.
    vector: F32Vector
    field: SupportField
    # Detected language of the text (ISO 639-1, or "und"; None is read as "und").
    language: str | None
    # The resident's profile languages, preferred first.
    languages: tuple[str, ...] = ()
    area: str = ""
    preferred_times: str | None = None
    # The request text: read by the phone/video rule (matching.rules.remote_capable).
    text: str = ""
    # Staff override of that rule: None = decide from field and text.
    remote: bool | None = None
    # Never rank these (already offered, declined, or the resident's own volunteer account).
    exclude: frozenset[str] = dataclasses.field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class Breakdown:
    """Each part 0..1; the score is their weighted sum (weights in matching.weights)."""

    skill: float
    language: float
    area: float
    availability: float
    load: float

    def as_dict(self) -> dict[str, float]:
        return {
            "skill": self.skill,
            "language": self.language,
            "area": self.area,
            "availability": self.availability,
            "load": self.load,
        }


@dataclass(frozen=True, slots=True)
class Candidate:
    volunteer_id: str
    score: float
    breakdown: Breakdown
