"""What a background connection says while the database is away: enough for an operator, not a
line twice a second.

The event and token revocation listeners retry every half second while PostgreSQL is down or
restarting. Each retry logged a line (the revocation listener a full traceback), so a one-minute
outage wrote hundreds of lines and buried everything else. ``OutageLog`` says the first failure,
then at most one line every ``every`` seconds with how long and how many retries, then the
recovery.
"""

import logging
import time
from collections.abc import Callable

# How often a continuing outage is said again.
REPEAT_SECONDS = 30.0


class OutageLog:
    """The log of one reconnecting loop's outages (not thread-safe: one event loop's task)."""

    def __init__(
        self,
        log: logging.Logger,
        what: str,
        every: float = REPEAT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._log = log
        self._what = what
        self._every = every
        self._clock = clock
        self._since: float | None = None  # when the current outage began
        self._said = 0.0  # when it was last said
        self._retries = 0

    def failed(self, error: BaseException) -> None:
        """A connection attempt (or the connection) failed with `error`."""
        now = self._clock()
        self._retries += 1
        if self._since is None:
            self._since = self._said = now
            self._log.warning("%s: database unavailable (%s); reconnecting", self._what, error)
        elif now - self._said >= self._every:
            self._said = now
            self._log.warning(
                "%s: database still unavailable after %.0f s (%d retries; last error: %s)",
                self._what,
                now - self._since,
                self._retries,
                error,
            )

    def recovered(self) -> None:
        """Connected and listening again: says how long the outage lasted, once."""
        if self._since is None:
            return
        self._log.warning(
            "%s: reconnected after %.0f s (%d retries)",
            self._what,
            self._clock() - self._since,
            self._retries,
        )
        self._since, self._retries = None, 0
