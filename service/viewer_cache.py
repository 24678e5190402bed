"""Token -> viewer for a few seconds, per process.

Every API call names its viewer by bearer token; without a cache each one spends a database
round trip (and a pool checkout) on that before any work. A viewer's identity and role never
change after sign-up, so the only staleness is a token revoked less than TTL_SECONDS ago
still being accepted that long. Unknown tokens are not cached: a token issued a moment ago
(in this or another process) works at once.
"""

import time
from dataclasses import dataclass, field

from db.types import Executor
from service.auth import Viewer, hash_token, viewer_for_token

TTL_SECONDS = 5.0
MAX_ENTRIES = 10_000


@dataclass
class ViewerCache:
    ttl: float = TTL_SECONDS
    max_entries: int = MAX_ENTRIES
    # Keyed by the token's hash, as in the database, so raw tokens are not kept; insertion
    # order is expiry order, so the first entry is always the next to expire.
    _entries: dict[bytes, tuple[float, Viewer]] = field(default_factory=dict)

    async def viewer(self, db: Executor, token: str | None) -> Viewer | None:
        if not token:
            return None
        key = hash_token(token)
        now = time.monotonic()
        hit = self._entries.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        viewer = await viewer_for_token(db, token)
        self._entries.pop(key, None)
        if viewer is not None:
            while len(self._entries) >= self.max_entries:
                del self._entries[next(iter(self._entries))]
            self._entries[key] = (now + self.ttl, viewer)
        return viewer
