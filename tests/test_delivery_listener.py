"""The notification lanes' listening connection (small fakes, no database): the lanes, running
concurrently, take one at a time; a lost one is replaced once, not once per lane, and the
suspect one is terminated, never left held."""

import asyncio
from dataclasses import replace

import pytest

from service.config import Settings
from service.notifications import delivery
from service.notifications.delivery import Lane, NotificationDelivery
from tests.test_worker_listener import FakeConnection, FakePool


class SlowPool(FakePool):
    """A pool whose connections take a while to open: the moment other lanes come round."""

    async def acquire(self) -> FakeConnection:
        await asyncio.sleep(0.05)
        return await super().acquire()


async def test_the_lanes_take_one_listening_connection_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    async def nothing_due(self: NotificationDelivery, lane: Lane) -> bool:
        return False

    async def idle(self: NotificationDelivery) -> float:
        return 0.01

    monkeypatch.setattr(NotificationDelivery, "deliver_one", nothing_due)
    monkeypatch.setattr(NotificationDelivery, "_idle_delay", idle)
    monkeypatch.setattr(delivery, "POLL_SECONDS", 0.01)
    first, second, spare = FakeConnection("first"), FakeConnection("second"), FakeConnection("spare")
    pool = SlowPool([first, second, spare])
    notifications = NotificationDelivery(pool, replace(Settings(), notify_concurrency=4))  # type: ignore[arg-type]
    task = asyncio.create_task(notifications.run())
    try:
        for _ in range(100):  # the lanes go round every 10 ms while the connection opens
            await asyncio.sleep(0.01)
            if first.listening and notifications.listener is first:
                break
        await asyncio.sleep(0.1)
        assert pool.acquired == [first] and notifications.listener is first, pool.acquired
        first.closed = True  # the database restarts under the lanes
        for _ in range(100):
            await asyncio.sleep(0.01)
            if second.listening and notifications.listener is second:
                break
        await asyncio.sleep(0.1)
        assert pool.acquired == [first, second] and notifications.listener is second, pool.acquired
        assert first.terminated and not second.terminated
        assert not task.done(), task
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert notifications.listener is None and not second.listening  # given back at the stop
