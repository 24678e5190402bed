"""Connection types as asyncpg's stubs spell them: a pooled connection is a proxy."""

from typing import TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

Connection: TypeAlias = asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]
# Anything that runs a query: a connection, or the pool (one statement on any free connection).
Executor: TypeAlias = Connection | asyncpg.Pool[asyncpg.Record]
Pool: TypeAlias = asyncpg.Pool[asyncpg.Record]
