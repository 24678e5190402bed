"""Live updates across processes: events are rows written with the change, fanned out by LISTEN/NOTIFY.

Each server process holds one listening connection. A notification carries only the event id;
the broker reads the row once and hands it to every local subscriber, each of which filters it
and checks what its viewer may see. After a lost connection it catches up from the table.
"""

import asyncio
import contextlib
import logging
from array import array
from collections import OrderedDict, deque
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import asyncpg

from db.availability import CONNECTION_BROKEN, database_unavailable
from db.errors import OtonariError
from db.queries import q
from db.types import Connection, Executor
from service import metrics
from service.outage_log import OutageLog
from service.stopping import CLOSE_SECONDS, pause, stop_tasks

log = logging.getLogger(__name__)

EVENTS_CHANNEL = "otonari_events"
# A resumed subscription replays at most this many missed events; further behind, the client
# reads the current state by query and subscribes afresh.
REPLAY_LIMIT = 500
# The events of one request's timeline (SupportRequest.events) at most.
TIMELINE_LIMIT = 500
MAX_EVENT_ID = 2**63 - 1  # PostgreSQL bigint
# A subscriber this many events behind stops receiving live ones; it reads what it missed from
# the table once it catches up (see live_events), so a slow subscriber costs bounded memory.
QUEUE_LIMIT = 1000
# Shared reads kept for the most recent events; a subscriber further behind reads again itself.
SNAPSHOT_LIMIT = 1000
# Ids of recently published events, so an event is published once however it was found.
RECENT_IDS = 10_000
# After a reconnect the table is read again from this many ids before the newest one seen:
# an event that took an id earlier but committed while nobody listened is not lost.
LATE_COMMIT_WINDOW = 1000
# A quiet listening connection is checked this often (a dead one gives no notices).
KEEPALIVE_SECONDS = 15.0
RECONNECT_SECONDS = 0.5

T = TypeVar("T")


@dataclass(frozen=True)
class EventRecord:
    id: int
    request_id: int
    kind: str
    offer_id: int | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> "EventRecord":
        return cls(row["id"], row["request_id"], row["kind"], row["offer_id"], row["created_at"])


async def events_for_requests(db: Executor, request_ids: Sequence[int]) -> dict[int, list[EventRecord]]:
    """Each request's timeline, oldest first (at most TIMELINE_LIMIT events each)."""
    found: dict[int, list[EventRecord]] = {pk: [] for pk in request_ids}
    for row in await db.fetch(q("events_for_requests"), list(request_ids), TIMELINE_LIMIT):
        found[row["request_id"]].append(EventRecord.from_row(row))
    return found


async def last_event_ids(
    db: Executor, reads: Sequence[tuple[int, datetime]]
) -> dict[tuple[int, datetime], int]:
    """For each (request, updated_at as read): the event to resume requestUpdated after without
    missing a change that read lacks (see the named query). Absent: no event to resume after."""
    rows = await db.fetch(
        q("last_event_ids_of_requests"), [pk for pk, _ in reads], [read_at for _, read_at in reads]
    )
    by_request = {row["request_id"]: row["last_id"] for row in rows}
    found: dict[tuple[int, datetime], int] = {}
    for pk, read_at in reads:
        last = by_request.get(pk)
        if last is not None:
            found[(pk, read_at)] = int(last)
    return found


class Subscription:
    """One subscriber's share of the live stream: a bounded queue, and where it overflowed.

    An event that finds the queue full is not kept; `dropped_after` then holds the id just below
    the oldest such event, so the subscriber can read every event it missed from the table.
    """

    def __init__(self) -> None:
        self.queue: asyncio.Queue[EventRecord] = asyncio.Queue(maxsize=QUEUE_LIMIT)
        self.dropped_after: int | None = None

    def offer(self, event: EventRecord) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            metrics.EVENTS_OVERFLOWED.inc()
            below = event.id - 1
            self.dropped_after = below if self.dropped_after is None else min(self.dropped_after, below)

    def take_backlog(self) -> list[EventRecord]:
        """Everything queued now, without waiting."""
        taken: list[EventRecord] = []
        while not self.queue.empty():
            taken.append(self.queue.get_nowait())
        return taken


class EventBroker:
    def __init__(self, connect: Callable[[], Awaitable[Connection]]) -> None:
        self._connect = connect
        self._subscribers: set[Subscription] = set()
        self._conn: Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self._last_id = 0
        self._first_id: int | None = None  # the newest event when this process began to listen
        self._recent: deque[int] = deque()
        self._recent_ids: set[int] = set()
        self._pending: asyncio.Queue[int] = asyncio.Queue()
        self._ready = asyncio.Event()
        self._snapshots: OrderedDict[tuple[int, str], asyncio.Task[Any]] = OrderedDict()
        self._outage = OutageLog(log, "event listener")

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="event-broker")
        async with asyncio.timeout(30):
            await self._ready.wait()

    async def stop(self) -> None:
        if self._task is not None:
            await stop_tasks([self._task], "event listener")
        for task in self._snapshots.values():
            task.cancel()
        self._snapshots.clear()

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        with contextlib.suppress(ValueError, TypeError):
            self._pending.put_nowait(int(str(payload)))

    async def _run(self) -> None:
        generation = 0
        while True:
            try:
                conn = await self._connect()
                generation += 1
                lost_marker = -generation  # queued when this connection dies (ids are positive)
                try:
                    conn.add_termination_listener(lambda _c, m=lost_marker: self._pending.put_nowait(m))
                    await conn.add_listener(EVENTS_CHANNEL, self._on_notify)
                    if self._first_id is None:
                        self._first_id = self._last_id = await conn.fetchval(q("last_event_id"))
                    else:
                        # While nobody listened, notices were lost: read the table again, a
                        # little before the newest id seen (commits land out of id order).
                        await self._catch_up(conn, max(self._first_id, self._last_id - LATE_COMMIT_WINDOW))
                    self._ready.set()
                    self._outage.recovered()
                    while True:
                        try:
                            async with asyncio.timeout(KEEPALIVE_SECONDS):
                                event_id = await self._pending.get()
                        except TimeoutError:
                            # Quiet for a while: make sure the connection is still there.
                            async with asyncio.timeout(KEEPALIVE_SECONDS):
                                await conn.fetchval("SELECT 1")
                            continue
                        if event_id == lost_marker:
                            break
                        if event_id < 0 or event_id in self._recent_ids:
                            continue  # an earlier connection's marker; an event already out
                        if event_id > self._last_id:
                            # Read every row up to this id: none is skipped if notifications raced.
                            await self._catch_up(conn, self._last_id)
                        else:
                            # Ids are taken at insert, commits land in any order: this one committed
                            # after a higher id had been read, so the catch-up could not see it.
                            row = await conn.fetchrow(q("event_by_id"), event_id)
                            if row is not None:
                                self.publish(EventRecord.from_row(row))
                finally:
                    with contextlib.suppress(Exception):
                        await conn.close(timeout=CLOSE_SECONDS)
                log.warning("event listener lost its connection; reconnecting")
            except asyncio.CancelledError:
                raise
            except Exception as error:
                # A broken listening connection is no reason to stop every live update of this
                # process: drop it and catch up from the table.
                if not isinstance(
                    error, (asyncpg.PostgresError, OtonariError, *CONNECTION_BROKEN)
                ) and not database_unavailable(error):
                    raise
                self._outage.failed(error)
            await pause(RECONNECT_SECONDS)

    async def _catch_up(self, conn: Connection, after: int) -> None:
        """Publish every event after `after` not published yet, oldest first."""
        while True:
            rows = await conn.fetch(q("events_after"), after)
            for row in rows:
                self.publish(EventRecord.from_row(row))
            if len(rows) < 1000:
                return
            after = rows[-1]["id"]

    def publish(self, event: EventRecord) -> None:
        if event.id in self._recent_ids:
            return
        self._recent.append(event.id)
        self._recent_ids.add(event.id)
        if len(self._recent) > RECENT_IDS:
            self._recent_ids.discard(self._recent.popleft())
        self._last_id = max(self._last_id, event.id)
        for subscriber in self._subscribers:
            subscriber.offer(event)

    async def shared(self, event: EventRecord, key: str, load: Callable[[], Awaitable[T]]) -> T:
        """load() once per event and key in this process, whoever asks first; every local
        subscriber gets that same result. Fan-out then costs one read per event, not one per
        subscriber; what each viewer may see of the result is still checked by each subscriber."""
        slot = (event.id, key)
        task = self._snapshots.get(slot)
        if task is None:
            task = asyncio.ensure_future(load())
            task.add_done_callback(lambda done: self._forget_failed(slot, done))
            self._snapshots[slot] = task
            while len(self._snapshots) > SNAPSHOT_LIMIT:
                self._snapshots.popitem(last=False)
        # Shielded: a subscriber that goes away must not cancel the read the others wait for.
        result: T = await asyncio.shield(task)
        return result

    def _forget_failed(self, slot: tuple[int, str], task: "asyncio.Task[Any]") -> None:
        # A failed read is not shared with later askers: they try again.
        if (task.cancelled() or task.exception() is not None) and self._snapshots.get(slot) is task:
            del self._snapshots[slot]

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[Subscription]:
        subscription = Subscription()
        self._subscribers.add(subscription)
        try:
            yield subscription
        finally:
            self._subscribers.discard(subscription)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)


class ReplayRefused(OtonariError):
    """A subscription's `after` cannot be resumed from: unknown, or too far behind."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def event_id_text(event_id: int) -> str:
    """Event ids as the API gives them out: the decimal id, increasing with time of writing."""
    return str(event_id)


def parse_event_id(raw: str) -> int:
    """The event id of `after`, only in the exact spelling event_id_text gives out."""
    if not (raw.isascii() and raw.isdigit() and raw == str(int(raw)) and 0 < int(raw) <= MAX_EVENT_ID):
        raise ReplayRefused("UNKNOWN_EVENT", "after: not an event id this API gave out")
    return int(raw)


Missed = Callable[[int], Awaitable[list[EventRecord]]]


class _RecentIds:
    """The last `limit` ids given to one subscriber, as a ring of int64 (8 bytes an id: a few
    kB per subscriber). Ids mostly arrive increasing, so the common check is one comparison."""

    def __init__(self, limit: int) -> None:
        self._ring = array("q", bytes(8 * limit))  # 0 is never an event id
        self._next = 0
        self._highest = 0

    def __contains__(self, event_id: int) -> bool:
        return event_id <= self._highest and event_id in self._ring

    def add(self, event_id: int) -> None:
        self._ring[self._next] = event_id
        self._next = (self._next + 1) % len(self._ring)
        self._highest = max(self._highest, event_id)


async def live_events(
    broker: EventBroker, after: int | None, missed: Missed
) -> AsyncGenerator[tuple[EventRecord, bool], None]:
    """(event, from_table): the events `missed` finds after `after`, then live ones, none twice.

    The live stream is joined before the table is read, so an event committed while the read
    runs is not lost in between. What a reconnecting client missed (after `after`), and what a
    subscriber that fell QUEUE_LIMIT behind and overflowed missed, are read the same way: from
    the table (the query filters it as the subscription does), merged in id order with what was
    still queued. More than REPLAY_LIMIT missed events raise ReplayRefused:
    the client reads the current state and subscribes again, as after a long disconnection.
    """
    async with broker.subscribe() as subscription:
        given = _RecentIds(QUEUE_LIMIT + REPLAY_LIMIT)
        if after is not None:  # a reconnecting client catches up as an overflowed one does
            subscription.dropped_after = after
        while True:
            if subscription.dropped_after is not None:
                start, subscription.dropped_after = subscription.dropped_after, None
                read = await missed(start)
                # Queued events are all kinds (the caller filters); the table's are this
                # subscription's. Both in id order, each once.
                merged = {event.id: (event, False) for event in subscription.take_backlog()}
                merged.update({event.id: (event, True) for event in read})
                for event_id in sorted(merged):
                    if event_id not in given:
                        given.add(event_id)
                        yield merged[event_id]
                continue
            event = await subscription.queue.get()
            if event.id not in given:
                given.add(event.id)
                yield event, False


async def missed_events(conn: Executor, after: int, query: str, *args: object) -> list[EventRecord]:
    """The events after `after` that a named query selects, oldest first, at most REPLAY_LIMIT.

    Refused when `after` is newer than every event (not one of ours) or when more than
    REPLAY_LIMIT events would have to be replayed.
    """
    await _check_known(conn, after)
    return await _page(conn, after, query, *args)


async def _check_known(conn: Executor, after: int) -> None:
    if after > await conn.fetchval(q("last_event_id")):
        raise ReplayRefused("UNKNOWN_EVENT", "after: no such event")


async def _page(conn: Executor, after: int, query: str, *args: object) -> list[EventRecord]:
    rows = await conn.fetch(q(query), *args, after, REPLAY_LIMIT + 1)
    if len(rows) > REPLAY_LIMIT:
        raise ReplayRefused(
            "REPLAY_TOO_LONG",
            f"more than {REPLAY_LIMIT} events since `after`: read the current state by query, "
            "then subscribe without `after`",
        )
    return [EventRecord.from_row(row) for row in rows]


async def missed_request_events(
    conn: Executor, after: int, request_id: int, volunteer_id: int | None
) -> list[EventRecord]:
    """A request's missed events. A volunteer's view starts at the offer that let them see the
    request: the events before it (the review, other volunteers' offers) were never theirs."""
    await _check_known(conn, after)
    if volunteer_id is not None:
        offered = await conn.fetchval(q("volunteer_offered_event"), request_id, volunteer_id)
        if offered is None:
            return []
        after = max(after, offered - 1)
    return await _page(conn, after, "missed_request_events", request_id)


async def missed_events_of_kinds(conn: Executor, after: int, kinds: frozenset[str]) -> list[EventRecord]:
    return await missed_events(conn, after, "missed_events_of_kinds", sorted(kinds))


async def missed_offer_events(conn: Executor, after: int, volunteer_id: int) -> list[EventRecord]:
    return await missed_events(conn, after, "missed_offer_events", volunteer_id)
