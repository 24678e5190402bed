"""Background loops stop when asked, however the request reaches them, and whoever stops them waits
a bounded time (service/stopping.py; small fakes, no database; tests/test_shutdown.py runs the
real server)."""

import asyncio
import contextlib
import logging
import time
from dataclasses import replace

import pytest

from service.config import Settings
from service.notifications.delivery import NotificationDelivery
from service.stopping import pause, stop_tasks


async def test_a_stop_that_lands_with_a_wake_up_is_not_lost() -> None:
    # Python 3.11's asyncio.wait_for returned the wake-up and dropped the cancellation here: the
    # loop went on, and its server's shutdown waited for it for ever.
    wake = asyncio.Event()

    async def loop() -> None:
        while True:
            wake.clear()
            await pause(60, wake)

    task = asyncio.create_task(loop())
    await asyncio.sleep(0.01)
    wake.set()  # a notice arrives ...
    task.cancel()  # ... in the moment the process stops
    done, _ = await asyncio.wait({task}, timeout=5)
    assert done and task.cancelled()


async def test_a_stop_that_reached_a_loop_as_another_error_ends_it_at_its_next_pause() -> None:
    rounds = 0

    async def loop() -> None:
        nonlocal rounds
        while True:
            rounds += 1
            try:
                try:
                    await asyncio.sleep(60)
                except asyncio.CancelledError:
                    # As a ROLLBACK on a connection the database just cut raises in its place.
                    raise OSError("connection lost") from None
            except OSError:
                pass  # the loop's retry path: the database will be back
            await pause(0.01)

    task = asyncio.create_task(loop())
    await asyncio.sleep(0.01)
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=5)
    assert done and task.cancelled() and rounds == 1


async def test_pause_waits_its_time_or_until_woken() -> None:
    started = time.monotonic()
    await pause(0.05)
    assert time.monotonic() - started >= 0.05
    wake = asyncio.Event()
    wake.set()
    started = time.monotonic()
    await pause(60, wake)
    assert time.monotonic() - started < 5


async def test_a_task_that_will_not_stop_is_abandoned_in_time_and_reported(
    caplog: pytest.LogCaptureFixture,
) -> None:
    done = False

    async def stubborn_loop() -> None:
        while not done:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.sleep(0.01)

    quick = asyncio.create_task(asyncio.sleep(60), name="quick")
    stubborn = asyncio.create_task(stubborn_loop(), name="stubborn")
    await asyncio.sleep(0)
    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="service.stopping"):
        await stop_tasks([quick, stubborn], "test loops", within=0.2)
    try:
        assert time.monotonic() - started < 5
        assert quick.cancelled() and not stubborn.done()
        [record] = caplog.records
        message = record.getMessage()
        assert "test loops: stubborn did not stop" in message and "stubborn_loop" in message
    finally:
        done = True
        await stubborn


class _Listener:
    def is_closed(self) -> bool:
        return False

    async def add_listener(self, channel: str, callback: object) -> None:
        pass

    async def remove_listener(self, channel: str, callback: object) -> None:
        pass


class _Pool:
    async def acquire(self) -> _Listener:
        return _Listener()

    async def release(self, conn: _Listener) -> None:
        pass


async def test_the_delivery_lanes_end_with_their_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    lanes: list[asyncio.Task[None]] = []

    async def lane(_: object) -> None:
        lanes.append(asyncio.current_task())  # type: ignore[arg-type]
        if len(lanes) == 1:
            await asyncio.sleep(0.01)
            raise RuntimeError("a lane's bug")
        await asyncio.Event().wait()

    delivery = NotificationDelivery(_Pool(), replace(Settings(), notify_concurrency=3))  # type: ignore[arg-type]
    monkeypatch.setattr(delivery, "_run_lane", lane)
    # A lane that fails ends the loop (supervised starts it again), and the other lanes with it.
    with pytest.raises(ExceptionGroup) as failed:
        await delivery.run()
    assert failed.group_contains(RuntimeError, match="a lane's bug")
    assert len(lanes) == 3 and all(task.done() for task in lanes)
    # Stopped: every lane ends too.
    lanes.clear()
    running = asyncio.create_task(delivery.run())
    await asyncio.sleep(0.05)
    running.cancel()
    done, _ = await asyncio.wait({running}, timeout=5)
    assert done and len(lanes) == 3 and all(task.done() for task in lanes)
