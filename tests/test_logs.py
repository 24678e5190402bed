"""service.logs: what the service's log lines look like."""

import logging
from collections.abc import Iterator

import pytest

from service import logs


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    pool = logging.getLogger("asyncpg.pool")
    filters = pool.filters[:]
    yield None
    root.handlers[:], root.level = handlers, level
    pool.filters[:] = filters


def test_asyncpg_pool_floor_retries_are_said_without_a_traceback(
    restored_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    logs.configure("text")
    logs.configure("text")  # configuring twice adds the filter once
    assert (
        sum(isinstance(f, logs.PoolFloorWithoutTraceback) for f in logging.getLogger("asyncpg.pool").filters)
        == 1
    )
    try:
        raise ConnectionRefusedError(111, "Connect call failed")
    except ConnectionRefusedError:
        logging.getLogger("asyncpg.pool").warning(
            "Failed to restore the pool connection floor; retrying", exc_info=True
        )
        logging.getLogger("asyncpg.pool").warning("another pool problem", exc_info=True)
    err = capsys.readouterr().err.splitlines()
    floor = [line for line in err if "Failed to restore the pool connection floor" in line]
    assert len(floor) == 1 and "ConnectionRefusedError: [Errno 111] Connect call failed" in floor[0]
    assert "Traceback (most recent call last):" in err  # once: the other warning keeps its traceback
    assert err.count("Traceback (most recent call last):") == 1
