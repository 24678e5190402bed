"""Which errors mean "the database cannot answer now" (db/availability.py), unit level."""

import asyncpg
import pytest

from db.availability import database_unavailable


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (ConnectionRefusedError(), True),
        (asyncpg.InterfaceError("connection is closed"), True),
        # A pooled connection cut mid-operation by a restart, before the pool noticed.
        (
            asyncpg.InternalClientError("cannot switch to state 11; another operation (2) is in progress"),
            True,
        ),
        (asyncpg.InternalClientError("unexpected state"), False),
        (asyncpg.InterfaceError("cannot perform operation: another operation is in progress"), False),
        (ValueError("bad input"), False),
        (None, False),
    ],
)
def test_database_unavailable(error: BaseException | None, unavailable: bool) -> None:
    assert database_unavailable(error) is unavailable
