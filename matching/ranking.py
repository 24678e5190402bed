"""VolunteerPool: the volunteers in columnar numpy arrays, ranked per request in milliseconds.

rank() = hard filters as vectorised masks (active & verified, field, free capacity, a shared
language, not excluded) -> a matrix-vector product over the survivors' stored skill vectors
only -> per-part scores as array arithmetic -> argpartition for the top k -> exact order by
(score desc, volunteer_id).  Nothing is approximate: it returns the same list as scoring every
volunteer one by one (matching.reference), which the tests check on random pools.

Vectors are computed once per volunteer (register/update) and stored; rank() never embeds.
"""

import threading
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from matching import weights as W
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
from matching.rules import normalise_language, remote_capable, volunteer_languages
from triage.labels import SupportField

_FIELD_BIT: Mapping[SupportField, int] = MappingProxyType({f: 1 << i for i, f in enumerate(SupportField)})

F64 = NDArray[np.float64]


def _popcount32(x: NDArray[np.int64]) -> NDArray[np.int64]:
    """Bits set per element (SWAR; the slot masks use 21 bits).  Works on any numpy version."""
    x = x - ((x >> 1) & 0x55555555)
    x = (x & 0x33333333) + ((x >> 2) & 0x33333333)
    x = (x + (x >> 4)) & 0x0F0F0F0F
    out: NDArray[np.int64] = ((x * 0x01010101) & 0xFFFFFFFF) >> 24
    return out


_CHUNK = 1024  # rows per gathered block: 1.5 MB of float32 x 384, stays in cache


def survivor_cosines(
    matrix: NDArray[np.float32], rows: NDArray[np.intp], q: NDArray[np.float32]
) -> NDArray[np.float32]:
    """matrix[rows] @ q, in cache-sized gathered blocks.

    einsum, not BLAS: a single-threaded SIMD loop is steady when the process also runs torch
    or other BLAS threads on 2 cores (threaded sgemv on small blocks was 10x slower under
    load), and each row's dot product is computed the same way whatever the block, so the
    result is bit-identical to einsum over the full matrix (what matching.reference does).
    """
    out = np.empty(rows.size, dtype=np.float32)
    for start in range(0, rows.size, _CHUNK):
        block = matrix[rows[start : start + _CHUNK]]
        out[start : start + block.shape[0]] = np.einsum("ij,j->i", block, q)
    return out


def _hop_scores() -> F64:
    """Area score indexed by hop count (uint8); UNREACHABLE / unknown -> AREA_UNKNOWN."""
    table = np.full(256, W.AREA_FAR, dtype=np.float64)
    table[: len(W.AREA_BY_HOPS)] = W.AREA_BY_HOPS
    table[UNREACHABLE] = W.AREA_UNKNOWN
    return table


class VolunteerPool:
    """All rankable volunteers of one process.  Thread-safe (one lock; rank holds it briefly).

    The caller keeps it in sync with the database: upsert on register/update (with the stored
    vector), update_status when active/verified/load counters change, remove on deletion.
    """

    def __init__(
        self,
        dim: int = EMBEDDING_DIM,
        weights: W.Weights = W.DEFAULT_WEIGHTS,
        capacity: int = 1024,
    ) -> None:
        self.dim = dim
        self.weights = weights
        self._lock = threading.Lock()
        self._n = 0
        self._ids: list[str] = []
        self._rows: dict[str, int] = {}
        self._lang_cols: dict[str, int] = {}
        self._hop_score = _hop_scores()
        self._alloc(max(16, capacity), 8)

    # --- storage -------------------------------------------------------------------------
    def _alloc(self, cap: int, lang_cap: int) -> None:
        n = self._n
        old: dict[str, Any] = getattr(self, "_cols", {})
        cols: dict[str, Any] = {
            "vec": np.zeros((cap, self.dim), dtype=np.float32),
            # One row per language code, one column per volunteer: a language's speakers are
            # then a contiguous boolean row, cheap to read for any pool size.
            "lang": np.zeros((lang_cap, cap), dtype=np.bool_),
            "fields": np.zeros(cap, dtype=np.uint8),
            "area": np.full(cap, -1, dtype=np.int16),
            "remote": np.zeros(cap, dtype=np.bool_),
            "slots": np.full(cap, -1, dtype=np.int64),  # -1: no parseable availability
            "active_req": np.zeros(cap, dtype=np.int64),
            "max_req": np.zeros(cap, dtype=np.int64),
            "recent": np.zeros(cap, dtype=np.int64),
            "ok": np.zeros(cap, dtype=np.bool_),  # active and verified
            "active": np.zeros(cap, dtype=np.bool_),
            "verified": np.zeros(cap, dtype=np.bool_),
        }
        for name, arr in old.items():
            if name == "lang":
                cols[name][: arr.shape[0], :n] = arr[:, :n]
            else:
                cols[name][:n] = arr[:n]
        self._cols = cols
        self._vec: NDArray[np.float32] = cols["vec"]
        self._lang: NDArray[np.bool_] = cols["lang"]
        self._fields: NDArray[np.uint8] = cols["fields"]
        self._area: NDArray[np.int16] = cols["area"]
        self._remote: NDArray[np.bool_] = cols["remote"]
        self._slots: NDArray[np.int64] = cols["slots"]
        self._active_req: NDArray[np.int64] = cols["active_req"]
        self._max_req: NDArray[np.int64] = cols["max_req"]
        self._recent: NDArray[np.int64] = cols["recent"]
        self._ok: NDArray[np.bool_] = cols["ok"]
        self._active: NDArray[np.bool_] = cols["active"]
        self._verified: NDArray[np.bool_] = cols["verified"]

    def _lang_col(self, code: str) -> int:
        col = self._lang_cols.get(code)
        if col is None:
            col = len(self._lang_cols)
            if col == self._lang.shape[0]:
                self._alloc(self._vec.shape[0], 2 * self._lang.shape[0])
            self._lang_cols[code] = col
        return col

    def __len__(self) -> int:
        return self._n

    def __contains__(self, volunteer_id: object) -> bool:
        return volunteer_id in self._rows

    def ids(self) -> list[str]:
        with self._lock:
            return list(self._ids)

    # --- writes --------------------------------------------------------------------------
    def upsert(self, profile: VolunteerProfile) -> None:
        """Add or replace one volunteer.  ValueError (pool unchanged) on an invalid profile."""
        self.upsert_many((profile,))

    def upsert_many(self, profiles: Iterable[VolunteerProfile]) -> None:
        """Add or replace many (e.g. the whole table at start-up).  All-or-nothing validation."""
        prepared = [self._prepare(p) for p in profiles]  # validate everything before writing
        with self._lock:
            for row_values in prepared:
                self._write(*row_values)

    def _prepare(self, p: VolunteerProfile) -> tuple[Any, ...]:
        if not isinstance(p.volunteer_id, str) or not p.volunteer_id:
            raise ValueError("volunteer_id must be a non-empty string")
        vec = unit_vector(p.vector, self.dim)
        if p.max_active_requests < 0 or p.active_requests < 0 or p.recent_offers < 0:
            raise ValueError(f"{p.volunteer_id}: load counters must be >= 0")
        fields = 0
        for f in p.fields:
            fields |= _FIELD_BIT[SupportField(f)]
        area = area_index(p.area)
        slots = parse_slots(p.availability)
        langs = sorted(volunteer_languages(p.languages))
        return (
            p.volunteer_id,
            vec,
            langs,
            fields,
            -1 if area is None else area,
            bool(p.remote_ok),
            -1 if slots is None else slots,
            int(p.active_requests),
            int(p.max_active_requests),
            int(p.recent_offers),
            bool(p.active),
            bool(p.verified),
        )

    def _write(
        self,
        vid: str,
        vec: NDArray[np.float32],
        langs: list[str],
        fields: int,
        area: int,
        remote: bool,
        slots: int,
        active_req: int,
        max_req: int,
        recent: int,
        active: bool,
        verified: bool,
    ) -> None:
        row = self._rows.get(vid)
        if row is None:
            if self._n == self._vec.shape[0]:
                self._alloc(2 * self._vec.shape[0], self._lang.shape[0])
            row = self._n
            self._n += 1
            self._rows[vid] = row
            self._ids.append(vid)
        cols = [self._lang_col(code) for code in langs]  # may reallocate: index after this
        self._vec[row] = vec
        self._lang[:, row] = False
        self._lang[cols, row] = True
        self._fields[row] = fields
        self._area[row] = area
        self._remote[row] = remote
        self._slots[row] = slots
        self._active_req[row] = active_req
        self._max_req[row] = max_req
        self._recent[row] = recent
        self._active[row] = active
        self._verified[row] = verified
        self._ok[row] = active and verified

    def remove(self, volunteer_id: str) -> bool:
        """Drop a volunteer; False if unknown.  O(1): the last row moves into the gap."""
        with self._lock:
            row = self._rows.pop(volunteer_id, None)
            if row is None:
                return False
            last = self._n - 1
            if row != last:
                for name, arr in self._cols.items():
                    if name == "lang":
                        arr[:, row] = arr[:, last]
                    else:
                        arr[row] = arr[last]
                moved = self._ids[last]
                self._ids[row] = moved
                self._rows[moved] = row
            self._ids.pop()
            self._n = last
            return True

    def update_status(
        self,
        volunteer_id: str,
        *,
        active: bool | None = None,
        verified: bool | None = None,
        active_requests: int | None = None,
        max_active_requests: int | None = None,
        recent_offers: int | None = None,
    ) -> bool:
        """Change flags or load counters without resending the vector; False if unknown."""
        for name, value in (
            ("active_requests", active_requests),
            ("max_active_requests", max_active_requests),
            ("recent_offers", recent_offers),
        ):
            if value is not None and value < 0:
                raise ValueError(f"{name} must be >= 0")
        with self._lock:
            row = self._rows.get(volunteer_id)
            if row is None:
                return False
            if active is not None:
                self._active[row] = active
            if verified is not None:
                self._verified[row] = verified
            if active_requests is not None:
                self._active_req[row] = active_requests
            if max_active_requests is not None:
                self._max_req[row] = max_active_requests
            if recent_offers is not None:
                self._recent[row] = recent_offers
            self._ok[row] = self._active[row] and self._verified[row]
            return True

    # --- ranking -------------------------------------------------------------------------
    def _language_scores(self, request: RequestProfile) -> F64:
        """Per volunteer (all n rows): 1.0 / 0.8 / 0.5 / 0.0, as rules.language_score."""
        n = self._n
        out = np.zeros(n, dtype=np.float64)
        # Assign in increasing value so the best applicable level wins (a max without maxing).
        bridge = self._lang_cols.get(W.BRIDGE_LANGUAGE)
        if bridge is not None:
            out[self._lang[bridge, :n]] = W.LANG_BRIDGE
        for code in request.languages:
            col = self._lang_cols.get(normalise_language(code))
            if col is not None:
                out[self._lang[col, :n]] = W.LANG_LISTED
        col = self._lang_cols.get(normalise_language(request.language))
        if col is not None:
            out[self._lang[col, :n]] = W.LANG_DETECTED
        return out

    def rank(self, request: RequestProfile, first: int = 10) -> list[Candidate]:
        """The best `first` eligible volunteers, best first, each with its score breakdown.

        Eligible: active and verified, the request's field among theirs, below their
        max_active_requests, a shared language (or English as a bridge; Japanese text reaches
        everyone), not in request.exclude.  Ties are broken by volunteer_id.
        """
        if first < 0:
            raise ValueError("first must be >= 0")
        q = unit_vector(request.vector, self.dim)
        field_bit = _FIELD_BIT[SupportField(request.field)]
        remote_task = (
            request.remote if request.remote is not None else remote_capable(request.field, request.text)
        )
        req_area = area_index(request.area)
        req_slots = parse_slots(request.preferred_times)
        w = self.weights
        with self._lock:
            n = self._n
            if first == 0 or n == 0:
                return []
            lang_all = self._language_scores(request)
            mask = (
                self._ok[:n]
                & ((self._fields[:n] & field_bit) != 0)
                & (self._active_req[:n] < self._max_req[:n])
                & (lang_all > 0.0)
            )
            for vid in request.exclude:
                row = self._rows.get(vid)
                if row is not None:
                    mask[row] = False
            idx = np.flatnonzero(mask)
            if idx.size == 0:
                return []
            sims = survivor_cosines(self._vec, idx, q)
            skill = np.clip(
                (sims.astype(np.float64) - W.SKILL_COS_FLOOR) / (W.SKILL_COS_CEIL - W.SKILL_COS_FLOOR),
                0.0,
                1.0,
            )
            lang = lang_all[idx]
            # Area: hop table lookup; unknown areas read as UNREACHABLE.
            vol_area = self._area[idx]
            if req_area is None:
                area = np.full(idx.size, W.AREA_UNKNOWN, dtype=np.float64)
            else:
                h = hop_matrix()[req_area, np.maximum(vol_area, 0)]
                h = np.where(vol_area < 0, UNREACHABLE, h)
                area = self._hop_score[h]
            if remote_task:
                area = np.where(self._remote[idx], W.AREA_REMOTE, area)
            # Availability: share of the resident's slots the volunteer covers.
            if req_slots is None:
                avail = np.full(idx.size, W.AVAILABILITY_NEUTRAL, dtype=np.float64)
            else:
                vs = self._slots[idx]
                covered = _popcount32(np.where(vs >= 0, vs, 0) & req_slots)
                avail = np.where(vs >= 0, covered / float(req_slots.bit_count()), W.AVAILABILITY_NEUTRAL)
            # Load: free capacity share, damped by recent offers.
            act = self._active_req[idx]
            free = 1.0 - np.maximum(act, 0) / self._max_req[idx]
            load = free / (1.0 + np.maximum(self._recent[idx], 0) / W.LOAD_RECENT_HALF)
            score = (
                w.skill * skill + w.language * lang + w.area * area + w.availability * avail + w.load * load
            )
            top = self._top(score, idx, first)
            ids = self._ids
            return [
                Candidate(
                    volunteer_id=ids[idx[i]],
                    score=float(score[i]),
                    breakdown=Breakdown(
                        skill=float(skill[i]),
                        language=float(lang[i]),
                        area=float(area[i]),
                        availability=float(avail[i]),
                        load=float(load[i]),
                    ),
                )
                for i in top
            ]

    def _top(self, score: F64, idx: NDArray[np.intp], k: int) -> list[int]:
        """Positions of the k best scores, ordered by (score desc, volunteer_id) exactly."""
        m = score.size
        if k < m:
            part = np.argpartition(-score, k - 1)[:k]
            # Everything tied with the k-th score must compete on id, not on partition luck.
            cut = score[part].min()
            pool = np.flatnonzero(score >= cut)
        else:
            pool = np.arange(m)
        ids = self._ids
        ordered = sorted(pool.tolist(), key=lambda i: (-score[i], ids[idx[i]]))
        return ordered[:k]
