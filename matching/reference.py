"""Brute-force ranking: the rules applied to every volunteer one by one, then a full sort.

The yardstick for VolunteerPool: the tests compare both on random pools (exactness), and
`python -m bench match` times both in the same run.  Like the pool, it works from data that
would be stored (vectors stacked once, availability parsed once); per request it does one
product over the full matrix and then filters and scores every volunteer in Python.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from matching import rules
from matching.areas import UNREACHABLE, area_index, hop_matrix
from matching.availability import parse_slots
from matching.profiles import (
    EMBEDDING_DIM,
    Breakdown,
    Candidate,
    RequestProfile,
    VolunteerProfile,
    unit_vector,
)
from matching.weights import DEFAULT_WEIGHTS, Weights


@dataclass(frozen=True, slots=True)
class _Stored:
    profile: VolunteerProfile
    languages: frozenset[str]
    slots: int | None
    area: int | None


class BruteForceRanker:
    def __init__(
        self,
        volunteers: Sequence[VolunteerProfile],
        weights: Weights = DEFAULT_WEIGHTS,
        dim: int = EMBEDDING_DIM,
    ) -> None:
        self.weights = weights
        self.dim = dim
        self._stored = [
            _Stored(
                v,
                rules.volunteer_languages(v.languages),
                parse_slots(v.availability),
                area_index(v.area),
            )
            for v in volunteers
        ]
        self._matrix: NDArray[np.float32] = (
            np.stack([unit_vector(v.vector, dim) for v in volunteers])
            if volunteers
            else np.zeros((0, dim), dtype=np.float32)
        )

    def score_one(
        self,
        request: RequestProfile,
        stored: _Stored,
        cosine: float,
        *,
        remote_task: bool,
        request_area: int | None,
        request_slots: int | None,
    ) -> Candidate | None:
        v = stored.profile
        if not (v.active and v.verified) or v.volunteer_id in request.exclude:
            return None
        if request.field not in v.fields:
            return None
        if not rules.has_capacity(v.active_requests, v.max_active_requests):
            return None
        lang = rules.language_score(request.language, request.languages, stored.languages)
        if lang <= 0.0:
            return None
        hop: int | None = None
        if request_area is not None and stored.area is not None:
            hop = int(hop_matrix()[request_area, stored.area])
            hop = None if hop == UNREACHABLE else hop
        parts = Breakdown(
            skill=rules.skill_score(cosine),
            language=lang,
            area=rules.area_score(hop, remote_task, v.remote_ok),
            availability=rules.availability_score(request_slots, stored.slots),
            load=rules.load_score(v.active_requests, v.max_active_requests, v.recent_offers),
        )
        w = self.weights
        score = (
            w.skill * parts.skill
            + w.language * parts.language
            + w.area * parts.area
            + w.availability * parts.availability
            + w.load * parts.load
        )
        return Candidate(v.volunteer_id, score, parts)

    def rank(self, request: RequestProfile, first: int = 10) -> list[Candidate]:
        q = unit_vector(request.vector, self.dim)
        # The full matrix, whatever the filters will say (einsum like the pool: same bits).
        cosines = np.einsum("ij,j->i", self._matrix, q)
        remote_task = (
            request.remote
            if request.remote is not None
            else rules.remote_capable(request.field, request.text)
        )
        request_area = area_index(request.area)
        request_slots = parse_slots(request.preferred_times)
        found = []
        for stored, cos in zip(self._stored, cosines.tolist(), strict=True):
            cand = self.score_one(
                request,
                stored,
                cos,
                remote_task=remote_task,
                request_area=request_area,
                request_slots=request_slots,
            )
            if cand is not None:
                found.append(cand)
        found.sort(key=lambda c: (-c.score, c.volunteer_id))
        return found[:first]
