"""Matching wired to the database: keeps the in-memory VolunteerPool in sync and ranks requests."""

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

import numpy as np

from db.queries import q
from db.types import Connection, Executor, Pool
from matching.embedding import request_text
from matching.profiles import RequestProfile, VolunteerProfile
from matching.ranking import VolunteerPool
from service.accounts import get_volunteers
from service.records import RequestRecord, VolunteerRecord
from triage.labels import SupportField

# Re-read this much before the watermark: a transaction that committed late is still seen.
_WATERMARK_OVERLAP = timedelta(seconds=30)
_REQUEST_VECTOR_CACHE = 2048


class QueryEmbedder(Protocol):
    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class CandidateView:
    volunteer: VolunteerRecord
    score: float
    skill: float
    language: float
    area: float
    availability: float
    load: float


class Matcher:
    def __init__(self, engine: QueryEmbedder) -> None:
        self.engine = engine
        self.pool = VolunteerPool()
        self._watermark = datetime(1970, 1, 1, tzinfo=UTC)
        self._refresh_lock = asyncio.Lock()
        self._vectors: OrderedDict[tuple[int, str], np.ndarray] = OrderedDict()
        self._vectors_lock = threading.Lock()
        self._loaded: set[int] = set()

    async def refresh(self, db: Executor) -> None:
        """Load volunteers changed since the last refresh (this or another process changed them)."""
        async with self._refresh_lock:
            rows = await db.fetch(q("volunteers_changed_since"), self._watermark - _WATERMARK_OVERLAP)
            for row in rows:
                if row["skill_vector"] is None:
                    continue
                self.pool.upsert(
                    VolunteerProfile(
                        volunteer_id=str(row["id"]),
                        vector=np.frombuffer(row["skill_vector"], dtype="<f4"),
                        languages=frozenset(row["languages"]),
                        fields=frozenset(SupportField(f) for f in row["fields"]),
                        area=row["area"],
                        availability=row["availability"],
                        remote_ok=row["remote_ok"],
                        max_active_requests=row["max_active_requests"],
                        active=row["active"],
                        verified=row["verified"],
                    )
                )
                self._watermark = max(self._watermark, row["updated_at"])

    async def _refresh_loads(self, db: Executor) -> None:
        # Loads change with every match and offer, in any process: read them fresh per ranking.
        # Those loaded last time are asked again, so a load that fell to zero is seen too.
        rows = await db.fetch(q("volunteer_loads"), sorted(self._loaded))
        self._loaded = {row["id"] for row in rows if row["active_requests"] or row["recent_offers"]}
        for row in rows:
            self.pool.update_status(
                str(row["id"]),
                active_requests=row["active_requests"],
                recent_offers=row["recent_offers"],
            )

    def _request_vector(self, request_id: int, text: str, field: SupportField) -> np.ndarray:
        key = (request_id, field.value)
        with self._vectors_lock:
            if key in self._vectors:
                self._vectors.move_to_end(key)
                return self._vectors[key]
        vector: np.ndarray = np.asarray(self.engine.embed_queries([request_text(text, field)])[0])
        with self._vectors_lock:
            self._vectors[key] = vector
            while len(self._vectors) > _REQUEST_VECTOR_CACHE:
                self._vectors.popitem(last=False)
        return vector

    async def _profile(
        self, db: Executor, request_id: int, exclude: Collection[int]
    ) -> RequestProfile | None:
        row = await db.fetchrow(q("request_match_profile"), request_id)
        if row is None or row["field"] is None:
            return None
        field = SupportField(row["field"])
        vector = await asyncio.to_thread(self._request_vector, request_id, row["text"], field)
        return RequestProfile(
            vector=vector,
            field=field,
            language=row["language"],
            languages=tuple(row["resident_languages"]),
            area=row["area"],
            preferred_times=row["preferred_times"],
            text=row["text"],
            exclude=frozenset(str(v) for v in exclude),
        )

    async def rank(
        self,
        db: Executor,
        request_id: int,
        first: int,
        exclude: Collection[int] = (),
    ) -> list[tuple[int, float, dict[str, float]]]:
        await self.refresh(db)
        await self._refresh_loads(db)
        profile = await self._profile(db, request_id, exclude)
        if profile is None:
            return []
        ranked = self.pool.rank(profile, first)
        return [(int(c.volunteer_id), c.score, c.breakdown.as_dict()) for c in ranked]

    async def rank_for_offers(
        self, conn: Connection, request_id: int, count: int, *, exclude: Collection[int]
    ) -> list[int]:
        return [vid for vid, _, _ in await self.rank(conn, request_id, count, exclude)]

    async def candidates(self, db: Pool, record: RequestRecord, first: int) -> list[CandidateView]:
        ranked = await self.rank(db, record.id, first)
        volunteers = await get_volunteers(db, [vid for vid, _, _ in ranked])
        return [
            CandidateView(
                volunteers[vid],
                score,
                b["skill"],
                b["language"],
                b["area"],
                b["availability"],
                b["load"],
            )
            for vid, score, b in ranked
            if vid in volunteers
        ]
