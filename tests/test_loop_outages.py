"""The background loops that retry every few seconds (the triage worker, offer expiry, the
notification lanes, the retention sweep while it fails) say a database outage once, then its end
(service/outage_log.py), not a warning per retry: a real PostgreSQL database goes away for a
second while each retries every 50 ms, then comes back. An outage when a loop starts is one like
any other, and after one the notification lanes listen again."""

import asyncio
import contextlib
import logging
import re
from collections import Counter
from collections.abc import AsyncIterator, Callable, Collection, Coroutine, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import replace
from types import SimpleNamespace
from typing import Any, cast

import asyncpg
import pytest

from service import erasure, worker
from service.config import Settings
from service.context import AppState
from service.erasure import RetentionOutcome
from service.notifications import delivery
from service.notifications.delivery import NotificationDelivery
from service.pipeline import ExampleSync, TriageOutcome, TriageWorker
from tests.support import database_away, eventually, free_port
from triage.labels import SupportField, Urgency

RETRY_SECONDS = 0.05  # the loops' retry interval here (seconds in production)
OUTAGE_SECONDS = 1.0  # some twenty retries of each loop, or a few on a loaded machine
RECONNECTED = re.compile(r"reconnected after \d+ s \((\d+) retries\)")


class IdleEngine:
    """An engine for a worker with no jobs: only the staff examples' bookkeeping is called."""

    unfitted_count = 0

    def triage_many(self, texts: Sequence[str]) -> Sequence[TriageOutcome]:
        raise AssertionError("no request was submitted")

    def add_examples(
        self, examples: Sequence[tuple[str, SupportField, Urgency, int]], *, refit: bool = True
    ) -> None:
        pass

    def remove_examples(self, source_ids: Collection[int]) -> None:
        pass

    def refit_heads(self) -> int:
        return 0


@pytest.fixture
async def pool(db_url: str) -> AsyncIterator[asyncpg.Pool]:
    """conftest's pool, but terminated after the test, not closed."""
    pool = await asyncpg.create_pool(db_url, min_size=1, max_size=4)
    try:
        yield pool
    finally:
        pool.terminate()  # the outage left it nothing worth closing gracefully


async def outage_said_once(
    loop: Callable[[], Coroutine[Any, Any, None]],
    logger: str,
    what: str,
    server_url: str,
    db_url: str,
    caplog: pytest.LogCaptureFixture,
    *,
    started_during: bool = False,
    away: Callable[[str, str], AbstractAsyncContextManager[None]] = database_away,
) -> None:
    """Run `loop` through an outage of its database (or, `started_during`, start it while the
    database is away); it says the outage, then its end, and nothing else, though it retried many
    times. `away` is the outage: the database away while its block runs, and back after it."""
    caplog.set_level(logging.WARNING, logger=logger)
    task: asyncio.Task[None] | None = None
    try:
        if not started_during:
            task = asyncio.create_task(loop())
            await asyncio.sleep(0.3)  # at work, before the outage
            assert not task.done(), task
        async with away(server_url, db_url):
            if started_during:
                task = asyncio.create_task(loop())
            await asyncio.sleep(OUTAGE_SECONDS)
            assert task is not None and not task.done(), task  # it waits for the database

        async def reconnected() -> bool:
            assert task is not None and not task.done(), task
            return any(RECONNECTED.search(r.getMessage()) for r in caplog.records if r.name == logger)

        try:
            await eventually(reconnected, timeout=10)
        except AssertionError:
            raise AssertionError(f"no reconnection said: {said(caplog, logger)}") from None
        await asyncio.sleep(0.2)  # a retry still logging would show now
    finally:
        if task is not None:
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
    records = [r for r in caplog.records if r.name == logger]
    lines = said(caplog, logger)
    assert len(lines) == 2, lines
    assert lines[0].startswith(f"{what}: database unavailable ("), lines
    assert lines[0].endswith("); reconnecting"), lines
    assert lines[1].startswith(f"{what}: reconnected after "), lines
    retries = RECONNECTED.search(lines[1])
    assert retries is not None and int(retries.group(1)) >= 3, lines  # one line, many retries
    assert all(r.levelno == logging.WARNING and r.exc_info is None for r in records), records


def said(caplog: pytest.LogCaptureFixture, logger: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == logger]


# started_during: it used to fail at its first LISTEN, and its supervisor logged a traceback per
# restart.
@pytest.mark.parametrize("started_during", [False, True], ids=["outage-at-work", "started-during-outage"])
async def test_the_triage_worker_says_an_outage_once_then_its_end(
    pool: asyncpg.Pool, server_url: str, db_url: str, caplog: pytest.LogCaptureFixture, started_during: bool
) -> None:
    engine = IdleEngine()
    triage = TriageWorker(pool, engine, ExampleSync(engine), poll_seconds=RETRY_SECONDS)
    await outage_said_once(
        triage.run,
        "service.pipeline",
        "triage worker",
        server_url,
        db_url,
        caplog,
        started_during=started_during,
    )


@pytest.mark.parametrize(
    ("workers", "names"),
    [(1, ["triage worker"]), (2, ["triage worker 1 of 2", "triage worker 2 of 2"])],
    ids=["one-worker", "two-workers"],
)
async def test_each_triage_worker_of_a_process_says_its_own_outage(
    caplog: pytest.LogCaptureFixture, workers: int, names: list[str]
) -> None:
    """With OTONARI_WORKERS above 1 an operator can tell which triage worker a line is about; one
    alone keeps its name. The process's background work against a database that never answers."""
    caplog.set_level(logging.WARNING, logger="service.pipeline")
    nowhere = await asyncpg.create_pool(f"postgresql://postgres@127.0.0.1:{free_port()}/none", min_size=0)
    engine = IdleEngine()
    state = cast(AppState, SimpleNamespace(pool=nowhere, engine=engine, settings=Settings()))
    try:
        async with worker.background_work(state, workers):

            async def all_said() -> bool:
                return len(said(caplog, "service.pipeline")) >= workers

            await eventually(all_said, timeout=10)
            await asyncio.sleep(0.2)  # a worker saying more would show now
    finally:
        nowhere.terminate()
    lines = said(caplog, "service.pipeline")
    assert sorted(line.split(": database unavailable (")[0] for line in lines) == names, lines
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # no loop failed


async def test_offer_expiry_says_an_outage_once_then_its_end(
    pool: asyncpg.Pool,
    server_url: str,
    db_url: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(worker, "EXPIRY_POLL_SECONDS", RETRY_SECONDS)
    state = cast(AppState, SimpleNamespace(pool=pool))  # all the scheduler reads of the state

    async def expiry() -> None:
        await worker.expiry_scheduler(state)

    await outage_said_once(expiry, "service.worker", "offer expiry", server_url, db_url, caplog)


async def test_retention_says_an_outage_once_then_its_end(
    pool: asyncpg.Pool, server_url: str, db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def retention() -> None:
        await erasure.retention_scheduler(pool, 365, every=RETRY_SECONDS)

    await outage_said_once(retention, "service.erasure", "retention", server_url, db_url, caplog)


async def test_retention_retries_soon_while_the_database_fails_then_hourly(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failed sweep is tried again after 5 s, then 10, 20 ... at most 60 s, not an hour later;
    once one succeeds the outage is said over and the sweeps are hourly again. asyncpg's broken
    connection ("another operation is in progress") is an outage like a refused connection."""
    caplog.set_level(logging.WARNING, logger="service.erasure")
    outcomes: list[Exception | None] = [
        ConnectionRefusedError("refused"),
        *[asyncpg.InternalClientError("cannot switch to state 11; another operation (2) is in progress")] * 5,
        None,
        None,
        ConnectionRefusedError("refused again"),
        None,
    ]
    sweeps_left = iter(outcomes)

    async def sweep(pool: object, now: object, retention_days: int) -> RetentionOutcome:
        failure = next(sweeps_left)
        if failure is not None:
            raise failure
        return RetentionOutcome(0, 0)

    pauses: list[float] = []

    async def pause(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == len(outcomes):
            raise asyncio.CancelledError  # how a stop reaches the scheduler

    monkeypatch.setattr(erasure, "retention_sweep", sweep)
    monkeypatch.setattr(erasure, "pause", pause)
    with pytest.raises(asyncio.CancelledError):
        await erasure.retention_scheduler(cast(asyncpg.Pool, None), 365)
    hour = erasure.RETENTION_SWEEP_SECONDS
    assert pauses == [5, 10, 20, 40, 60, 60, hour, hour, 5, hour]
    assert said(caplog, "service.erasure") == [
        "retention: database unavailable (refused); reconnecting",
        "retention: reconnected after 0 s (6 retries)",
        "retention: database unavailable (refused again); reconnecting",
        "retention: reconnected after 0 s (1 retries)",
    ]


class LateLane(NotificationDelivery):
    """The lanes on a real database, but while `late` is set the first lane's rounds fail as if
    the database were still away for it (a lane slow to get its connection back); `rounds` counts
    each lane's rounds that took a message or found none due."""

    def __init__(self, pool: asyncpg.Pool, settings: Settings) -> None:
        super().__init__(pool, settings)
        self.late = False
        self.rounds: Counter[int] = Counter()

    async def deliver_one(self, lane: delivery.Lane) -> bool:
        number = self.lanes.index(lane) + 1
        if number == 1 and self.late:
            raise ConnectionRefusedError("lane 1 is late")
        done = await super().deliver_one(lane)
        self.rounds[number] += 1
        return done


@pytest.mark.parametrize("started_during", [False, True], ids=["outage-at-work", "started-during-outage"])
async def test_the_notification_lanes_say_an_outage_once_then_its_end(
    pool: asyncpg.Pool,
    settings: Settings,
    server_url: str,
    db_url: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    started_during: bool,
) -> None:
    """The lanes retry each on its own and say the outage together, once, then its end once the
    last of them is back: here the first lane fails on after the database is back, while the
    others already work, and the outage is not said over until it is back too."""
    monkeypatch.setattr(delivery, "POLL_SECONDS", RETRY_SECONDS)
    lanes = settings.notify_concurrency
    assert lanes > 1
    logger = "service.notifications.delivery"
    notifications = LateLane(pool, settings)

    @contextlib.asynccontextmanager
    async def away_then_one_lane_late(server_url: str, db_url: str) -> AsyncIterator[None]:
        async with database_away(server_url, db_url):
            notifications.late = True
            yield
        # Back, but not for the first lane: every other lane works again (a round done, and the
        # next begun), while the outage goes on for the first.
        notifications.rounds.clear()

        async def others_back() -> bool:
            return all(notifications.rounds[number] >= 2 for number in range(2, lanes + 1))

        await eventually(others_back, timeout=10)
        lines = said(caplog, logger)
        assert not [line for line in lines if RECONNECTED.search(line)], lines  # the first lane fails on
        notifications.late = False

    await outage_said_once(
        notifications.run,
        logger,
        "notification delivery",
        server_url,
        db_url,
        caplog,
        started_during=started_during,
        away=away_then_one_lane_late,
    )
    assert notifications.listener is None  # given back when it stopped
    assert pool.get_idle_size() == pool.get_size()  # and nothing else held


class FailingLanes(NotificationDelivery):
    """Lanes without a database: each lane's first rounds fail (as many as `failures` says for
    it), then it finds nothing due; the lane numbered `held` finds that only once `let_go` is set.
    `back` is the lanes that have done a round that did not fail."""

    def __init__(self, failures: Sequence[int], held: int) -> None:
        super().__init__(cast(asyncpg.Pool, None), replace(Settings(), notify_concurrency=len(failures)))
        self.failures_left = list(failures)
        self.held = held
        self.let_go = asyncio.Event()
        self.back: set[int] = set()

    async def _listen(self) -> None:
        pass

    async def deliver_one(self, lane: delivery.Lane) -> bool:
        number = self.lanes.index(lane) + 1
        if self.failures_left[number - 1]:
            self.failures_left[number - 1] -= 1
            raise ConnectionRefusedError(f"refused lane {number}")
        if number == self.held:
            await self.let_go.wait()
        self.back.add(number)  # the round's outage report follows before any other task runs
        return False

    async def _idle_delay(self) -> float:
        return 60.0


async def test_the_notification_lanes_say_an_outage_over_once_the_last_failing_lane_is_back(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lanes failing different numbers of times say one outage, from the first failure, with the
    failed rounds of all the lanes as its retries, and its end once the last of them is back: not
    a line per lane, nor "reconnected" from the first lane back while another still fails."""
    logger = "service.notifications.delivery"
    caplog.set_level(logging.WARNING, logger=logger)
    monkeypatch.setattr(delivery, "POLL_SECONDS", 0.01)
    lanes = FailingLanes([2, 5, 0], held=2)
    task = asyncio.create_task(lanes.run())
    try:

        async def all_but_the_held_lane_back() -> bool:
            assert not task.done(), task
            return lanes.back == {1, 3} and lanes.failures_left == [0, 0, 0]

        await eventually(all_but_the_held_lane_back, timeout=10)
        await asyncio.sleep(0.1)  # a line about lane 1 back would show now
        assert said(caplog, logger) == [
            "notification delivery: database unavailable (refused lane 1); reconnecting"
        ]
        lanes.let_go.set()  # the last failing lane is back

        async def said_over() -> bool:
            assert not task.done(), task
            return any(RECONNECTED.search(line) for line in said(caplog, logger))

        await eventually(said_over, timeout=10)
        await asyncio.sleep(0.1)  # a lane still logging would show now
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    lines = said(caplog, logger)
    assert len(lines) == 2, lines
    assert lines[0] == "notification delivery: database unavailable (refused lane 1); reconnecting", lines
    # The retries are the failed rounds of the lanes together: 2 of lane 1, 5 of lane 2.
    assert re.fullmatch(r"notification delivery: reconnected after \d+ s \(7 retries\)", lines[1]), lines


async def listeners(pool: asyncpg.Pool) -> int:
    """The database's sessions listening for notifications (their last statement a LISTEN)."""
    return int(
        await pool.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query = $1",
            f'LISTEN "{delivery.CHANNEL}"',
        )
    )


async def test_the_notification_lanes_listen_again_after_an_outage(
    pool: asyncpg.Pool,
    settings: Settings,
    server_url: str,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The lanes' listening connection is lost in the outage and cannot be replaced while it
    lasts; once the database is back the lanes listen again, on one connection, and a message is
    taken at its NOTIFY, not at the next poll."""
    monkeypatch.setattr(delivery, "POLL_SECONDS", RETRY_SECONDS)  # the lanes retry through it
    notifications = NotificationDelivery(pool, settings)
    task = asyncio.create_task(notifications.run())
    try:

        async def listening() -> bool:
            assert not task.done(), task
            listener = notifications.listener
            return listener is not None and not listener.is_closed()

        await eventually(listening, timeout=10)
        before = notifications.listener
        async with database_away(server_url, db_url):
            await asyncio.sleep(OUTAGE_SECONDS)  # each lane tries to listen again, and fails
        # Back. From now on an idle lane polls every minute: only a NOTIFY wakes it in time.
        monkeypatch.setattr(delivery, "POLL_SECONDS", 60.0)
        await eventually(listening, timeout=10)
        assert notifications.listener is not before
        await asyncio.sleep(1.0)  # every lane has been round once since: all wait for a minute
        assert await listeners(pool) == 1

        # A message to an endpoint since deleted: taken (and skipped) without sending anything.
        endpoint = await pool.fetchval(
            "INSERT INTO webhook_endpoints (url, kinds, secret, deleted_at)"
            " VALUES ('https://example.invalid/hook', '{REQUEST_TRIAGED}', 'whsec_x', now()) RETURNING id"
        )
        message = await pool.fetchval(
            "INSERT INTO notifications (kind, channel, webhook_endpoint_id, idempotency_key)"
            " VALUES ('REQUEST_TRIAGED', 'WEBHOOK', $1, 'relisten-test') RETURNING id",
            endpoint,
        )

        async def taken() -> bool:
            assert not task.done(), task
            status = await pool.fetchval("SELECT status FROM notifications WHERE id = $1", message)
            return bool(status != "PENDING")

        await eventually(taken, timeout=5)  # at once by NOTIFY; the poll would take a minute
        assert await listeners(pool) == 1
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert notifications.listener is None
    assert pool.get_idle_size() == pool.get_size()  # the listening connection was given back
