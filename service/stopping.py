"""How background loops stop.

A loop's stop signal is its task's cancellation. Python 3.11's asyncio.wait_for loses a
cancellation that lands in the moment the thing it waits for is done (cpython gh-86296; 3.12
rewrote wait_for on asyncio.timeout): the loop goes round again as if nobody had asked it to stop,
and a shutdown that waits for it waits for ever (a test server in CI, until pytest-timeout; a burst
of notices to the event listener does it at will, tests/test_shutdown.py). Hence:

- loops wait with ``pause`` (or ``asyncio.timeout``), never with ``asyncio.wait_for``;
- ``pause`` also stops a loop whose cancellation reached it as another error (a ROLLBACK that
  failed as the database went away) that its retry path caught;
"""

import asyncio
import contextlib


def stop_requested() -> bool:
    """Whether the running task has been cancelled, even if the CancelledError itself was lost or
    turned into another error on its way up (3.11's wait_for leaves the request counted)."""
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


async def pause(seconds: float, wake: asyncio.Event | None = None) -> None:
    """A loop's wait between rounds: `seconds`, or until `wake` is set. Raises CancelledError at
    once when the task has been asked to stop."""
    if stop_requested():
        raise asyncio.CancelledError
    if wake is None:
        await asyncio.sleep(seconds)
        return
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(seconds):
            await wake.wait()
