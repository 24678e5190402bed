"""Counting the SQL statements one GraphQL operation runs (OTONARI_COUNT_STATEMENTS, for tests
and benchmarks): the count goes out as the response's `extensions.statements`.

Each pooled connection gets asyncpg's query logger (`watch`); the logger adds one to the counter
of the operation whose task ran the statement, found through a context variable that resolver
tasks and DataLoader batches inherit. Counted: the named queries of db/queries (all the SQL the
application runs).
"""

import asyncio
from collections.abc import AsyncIterator
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import Any

import asyncpg
from asyncpg.connection import LoggedQuery
from strawberry.extensions import SchemaExtension

from db.queries import queries


@dataclass
class Counter:
    statements: int = 0


_current: ContextVar[Counter | None] = ContextVar("otonari_statement_counter", default=None)


def _count(record: LoggedQuery) -> None:
    counter = _current.get()
    # The application's statements, all named queries; asyncpg's own (type introspection on a
    # fresh connection, once per type) would make a first request look costlier than the next.
    if counter is not None and record.query in _named():
        counter.statements += 1


@cache
def _named() -> frozenset[str]:
    return frozenset(queries().values())


async def watch(conn: asyncpg.Connection) -> None:
    """Pool `init`: count every statement this connection runs."""
    conn.add_query_logger(_count)


class CountStatements(SchemaExtension):
    """One counter per operation, reported in the response's extensions."""

    def __init__(self) -> None:
        super().__init__()
        self.counter = Counter()

    async def on_operation(self) -> AsyncIterator[None]:
        token = _current.set(self.counter)
        try:
            yield
            # asyncpg calls the logger soon after each statement, not within it: let the last
            # statement's call run before the count is read.
            await asyncio.sleep(0)
        finally:
            _current.reset(token)

    def get_results(self) -> dict[str, Any]:
        return {"statements": self.counter.statements}
