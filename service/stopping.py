"""How background loops stop, and how long a process waits for them.

A loop's stop signal is its task's cancellation. Python 3.11's asyncio.wait_for loses a
cancellation that lands in the moment the thing it waits for is done (cpython gh-86296; 3.12
rewrote wait_for on asyncio.timeout): the loop goes round again as if nobody had asked it to stop,
and a shutdown that waits for it waits for ever (a test server in CI, until pytest-timeout; a burst
of notices to the event listener does it at will, tests/test_shutdown.py). Hence:

- loops wait with ``pause`` (or ``asyncio.timeout``), never with ``asyncio.wait_for``;
- ``pause`` also stops a loop whose cancellation reached it as another error (a ROLLBACK that
  failed as the database went away) that its retry path caught;
- ``stop_tasks`` waits a bounded time for the tasks it stops and logs any it abandons, so that a
  shutdown (a deploy's rolling restart, a test's teardown) ends whatever a loop is doing.
"""

import asyncio
import contextlib
import io
import logging
from collections.abc import Collection
from typing import Any

log = logging.getLogger(__name__)

# The longest a process waits for its background tasks to stop; then it goes on without them.
STOP_SECONDS = 10.0
# The longest a listening connection's goodbye may take (a server that is gone never answers it).
CLOSE_SECONDS = 2.0


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


async def stop_tasks(tasks: Collection["asyncio.Task[Any]"], what: str, within: float = STOP_SECONDS) -> None:
    """Cancel `tasks` and wait at most `within` seconds for them to end. One still running then
    is abandoned, logged with where it is stuck; one that ended with an error is logged too."""
    for task in tasks:
        task.cancel()
    if not tasks:
        return
    _, stuck = await asyncio.wait(tasks, timeout=within)
    for task in tasks:
        if task.done() and not task.cancelled() and task.exception() is not None:
            log.warning("%s: %s ended with an error: %r", what, task.get_name(), task.exception())
    for task in stuck:
        where = io.StringIO()
        task.print_stack(limit=5, file=where)
        log.error(
            "%s: %s did not stop within %.0f s; going on without it. It was at:\n%s",
            what,
            task.get_name(),
            within,
            where.getvalue(),
        )
