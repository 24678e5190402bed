"""The triage worker's loop (small fakes, no database): a broken listening connection makes it
listen again on a fresh one; it never ends the worker (CI caught asyncpg's "another operation is
in progress" on LISTEN during a PostgreSQL restart, which used to kill the worker task)."""

import asyncio
from typing import Any

import asyncpg
import pytest

from service import pipeline
from service.pipeline import TriageWorker


class FakeConnection:
    def __init__(self, name: str, *, closed: bool = False, fails: bool = False) -> None:
        self.name, self.closed, self.fails = name, closed, fails
        self.listening = self.terminated = False

    def is_closed(self) -> bool:
        return self.closed

    async def add_listener(self, channel: str, callback: Any) -> None:
        if self.fails:
            raise asyncpg.InternalClientError(
                "cannot switch to state 11; another operation (2) is in progress"
            )
        self.listening = True

    async def remove_listener(self, channel: str, callback: Any) -> None:
        self.listening = False

    def terminate(self) -> None:  # as asyncpg's: drops the listeners, back to the pool
        self.closed, self.listening, self.terminated = True, False, True


class FakePool:
    def __init__(self, connections: list[FakeConnection]) -> None:
        self.connections = connections
        self.acquired: list[FakeConnection] = []

    async def acquire(self) -> FakeConnection:
        conn = self.connections.pop(0)
        self.acquired.append(conn)
        return conn

    async def release(self, conn: FakeConnection) -> None:
        pass


class NoExamples:
    async def sync(self, conn: object) -> int:
        return 0


async def test_a_broken_listening_connection_is_replaced_and_the_worker_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    batches = 0

    async def triage_batch(*args: object) -> int:
        nonlocal batches
        batches += 1
        return 0

    monkeypatch.setattr(pipeline, "triage_batch", triage_batch)
    # The first connection is lost (a restart); LISTEN on the next one fails client-side.
    lost, broken, fresh = (
        FakeConnection("lost"),
        FakeConnection("broken", fails=True),
        FakeConnection("fresh"),
    )
    pool = FakePool([lost, broken, fresh])
    worker = TriageWorker(pool, object(), NoExamples(), poll_seconds=0.01)  # type: ignore[arg-type]
    task = asyncio.create_task(worker.run())
    try:
        for _ in range(200):
            await asyncio.sleep(0.01)
            if lost.listening:
                lost.closed = True  # the database restarts under the worker
            if fresh.listening:
                break
        assert not task.done(), task.exception() if task.done() else None
        assert pool.acquired == [lost, broken, fresh] and fresh.listening
        # The suspect connections were terminated, not released with a listener on them.
        assert lost.terminated and broken.terminated and not fresh.terminated
        seen = batches
        await asyncio.sleep(0.1)
        assert batches > seen  # still triaging
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
