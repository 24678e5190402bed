"""Background loops stop when asked, however the request reaches them (service/stopping.py; small
fakes, no database)."""

import asyncio
import time

from service.stopping import pause


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
