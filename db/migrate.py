"""Plain-SQL, append-only migrations in db/migrations, applied in name order and recorded."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from db.errors import DatabaseSetupError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Any constant works: it only serialises concurrent migrators (two processes starting at once).
_MIGRATION_LOCK = 727_001


@dataclass(frozen=True)
class Migration:
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def load_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    return [Migration(p.name, p.read_text()) for p in sorted(directory.glob("*.sql"))]


async def migrate(conn: asyncpg.Connection) -> list[str]:
    """Apply the migrations not yet applied; return their names. Safe to run concurrently."""
    applied_now: list[str] = []
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK)
        await conn.execute(
            """CREATE TABLE IF NOT EXISTS schema_migrations (
                   name text PRIMARY KEY,
                   checksum text NOT NULL,
                   applied_at timestamptz NOT NULL DEFAULT now())"""
        )
        done = {r["name"]: r["checksum"] for r in await conn.fetch("SELECT * FROM schema_migrations")}
        for migration in load_migrations():
            if migration.name in done:
                if done[migration.name] != migration.checksum:
                    raise DatabaseSetupError(
                        f"migration {migration.name} was changed after it was applied; "
                        "migrations are append-only: add a new file instead"
                    )
                continue
            await conn.execute(migration.sql)
            await conn.execute(
                "INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)",
                migration.name,
                migration.checksum,
            )
            applied_now.append(migration.name)
    return applied_now
