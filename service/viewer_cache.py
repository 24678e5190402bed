"""Token -> viewer for a few seconds, per process, forgotten at once when a token is revoked.

Every API call names its viewer by bearer token; without a cache each one spends a database
round trip (and a pool checkout) on that before any work. An entry lives TTL_SECONDS at most,
and never past its token's expiry. A revocation (rotateToken, revokeToken, a deactivated or
erased account) is NOTIFY'd at commit by a trigger on `tokens` (migration 0006); each process
listens (RevocationListener) and drops the entry, and tells whoever registered for that token
(an open WebSocket closes). While the listening connection is down, notices may be lost: the
cache is emptied when it reconnects, and nothing is cached while it is down.

Unknown tokens are not cached: a token issued a moment ago (in this or another process) works
at once.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field

import asyncpg

from db.availability import CONNECTION_BROKEN
from db.errors import OtonariError
from db.types import Connection, Executor
from service.auth import Viewer, hash_token, sign_in
from service.outage_log import OutageLog
from service.stopping import CLOSE_SECONDS, pause, stop_tasks

log = logging.getLogger(__name__)

TTL_SECONDS = 5.0
MAX_ENTRIES = 10_000
TOKENS_CHANNEL = "otonari_tokens"
RECONNECT_SECONDS = 0.5
# A connection that died without a word (a network partition) is found by a query this often.
KEEPALIVE_SECONDS = 15.0

# Called with the hash of a token that was revoked.
OnRevoked = Callable[[bytes], None]


@dataclass
class ViewerCache:
    ttl: float = TTL_SECONDS
    max_entries: int = MAX_ENTRIES
    # False while revocations cannot be heard (RevocationListener down): nothing is cached then.
    listening: bool = True
    # Keyed by the token's hash, as in the database, so raw tokens are not kept; insertion order
    # is (roughly) expiry order, so the first entry is the next to go when the cache is full.
    _entries: dict[bytes, tuple[float, Viewer]] = field(default_factory=dict)
    _watchers: dict[bytes, set[OnRevoked]] = field(default_factory=dict)

    async def viewer(self, db: Executor, token: str | None) -> Viewer | None:
        if not token:
            return None
        key = hash_token(token)
        now = time.monotonic()
        hit = self._entries.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        found = await sign_in(db, token)
        self._entries.pop(key, None)
        if found is None:
            return None
        if self.listening:
            while len(self._entries) >= self.max_entries:
                del self._entries[next(iter(self._entries))]
            self._entries[key] = (now + min(self.ttl, found.seconds_left), found.viewer)
        return found.viewer

    def revoked(self, token_hash: bytes) -> None:
        """A token was revoked (in any process): forget it and tell its watchers."""
        self._entries.pop(token_hash, None)
        for watcher in list(self._watchers.get(token_hash, ())):
            try:
                watcher(token_hash)
            except Exception:
                log.exception("a revocation watcher failed")

    def clear(self) -> None:
        self._entries.clear()

    @contextlib.contextmanager
    def watch(self, token_hash: bytes, on_revoked: OnRevoked) -> Iterator[None]:
        """Call on_revoked if this token is revoked while the block runs (e.g. a WebSocket)."""
        watchers = self._watchers.setdefault(token_hash, set())
        watchers.add(on_revoked)
        try:
            yield
        finally:
            watchers.discard(on_revoked)
            if not watchers:
                self._watchers.pop(token_hash, None)


class RevocationListener:
    """One LISTEN connection per process feeding ViewerCache.revoked; reconnects by itself."""

    def __init__(self, cache: ViewerCache, connect: Callable[[], Awaitable[Connection]]) -> None:
        self.cache = cache
        self._connect = connect
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._lost = asyncio.Event()
        self._outage = OutageLog(log, "token revocation listener")

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="token-revocations")
        async with asyncio.timeout(30):
            await self._ready.wait()

    async def stop(self) -> None:
        if self._task is not None:
            await stop_tasks([self._task], "token revocation listener")

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        try:
            token_hash = bytes.fromhex(str(payload))
        except ValueError:
            log.warning("ignoring a malformed token revocation notice")
            return
        self.cache.revoked(token_hash)

    def _on_terminate(self, _conn: object) -> None:
        self._lost.set()

    async def _run(self) -> None:
        while True:
            try:
                conn = await self._connect()
                try:
                    self._lost.clear()
                    conn.add_termination_listener(self._on_terminate)
                    await conn.add_listener(TOKENS_CHANNEL, self._on_notify)
                    # Whatever was revoked while nobody listened is forgotten with everything else.
                    self.cache.clear()
                    self.cache.listening = True
                    self._ready.set()
                    self._outage.recovered()
                    while not self._lost.is_set():
                        await pause(KEEPALIVE_SECONDS, self._lost)
                        if not self._lost.is_set():
                            async with asyncio.timeout(KEEPALIVE_SECONDS):
                                await conn.fetchval("SELECT 1")
                finally:
                    self.cache.listening = False
                    self.cache.clear()
                    with contextlib.suppress(Exception):
                        await conn.close(timeout=CLOSE_SECONDS)
                log.warning("token revocation listener lost its connection; reconnecting")
            except asyncio.CancelledError:
                raise
            except (OSError, TimeoutError, asyncpg.PostgresError, OtonariError, *CONNECTION_BROKEN) as error:
                self._outage.failed(error)
            await pause(RECONNECT_SECONDS)
