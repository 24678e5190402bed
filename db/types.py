"""Connection types as asyncpg's stubs spell them: a pooled connection is a proxy."""

from typing import TYPE_CHECKING, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

if TYPE_CHECKING:
    Connection: TypeAlias = asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]
    Pool: TypeAlias = asyncpg.Pool[asyncpg.Record]
else:  # asyncpg's classes are generic only in its stubs
    Connection = asyncpg.Connection | PoolConnectionProxy
    Pool = asyncpg.Pool
# Anything that runs a query: a connection, or the pool (one statement on any free connection).
Executor: TypeAlias = Connection | Pool
