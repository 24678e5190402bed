"""Backups of the service's database: custom-format pg_dump, and pg_restore into an empty one.

The same for the embedded PostgreSQL and an external one (DATABASE_URL): both are reached by
URL. PostgreSQL's client programs are taken from, in order: OTONARI_PG_BIN, pgserver's
bundled PostgreSQL 16, the system's /usr/lib/postgresql/*/bin, then PATH; the one of the
server's major version when there is one, else the oldest newer one (pg_dump must be at least
as new as the server; pg_restore at least as new as the pg_dump that made the archive).
"""

import asyncio
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from db.embedded import bundled_bin_dir
from db.errors import OtonariError

TIMEOUT_SECONDS = 3600.0
_VERSION = re.compile(r"\(PostgreSQL\) (\d+)")


class BackupError(OtonariError):
    """A backup or restore that could not be done; the message says why."""


def _candidates(name: str, bin_dir: Path | None) -> list[Path]:
    found: list[Path] = []
    if bin_dir is not None:
        found.append(bin_dir / name)
    found.append(bundled_bin_dir() / name)
    found.extend(sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}")))
    on_path = shutil.which(name)
    if on_path:
        found.append(Path(on_path))
    return [p for p in dict.fromkeys(found) if p.is_file() and os.access(p, os.X_OK)]


def _major(program: Path) -> int | None:
    try:
        out = subprocess.run(  # noqa: S603 - PostgreSQL's own program, asked its version
            [str(program), "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = _VERSION.search(out)
    return int(match.group(1)) if match else None


def find_tool(name: str, server_major: int, bin_dir: Path | None = None) -> Path:
    """pg_dump or pg_restore for a server of this major version."""
    versions = {p: v for p in _candidates(name, bin_dir) if (v := _major(p)) is not None}
    if bin_dir is not None and (bin_dir / name) in versions:
        return bin_dir / name  # the operator's choice
    usable = sorted((v, i, p) for i, (p, v) in enumerate(versions.items()) if v >= server_major)
    if not usable:
        seen = ", ".join(f"{p} ({v})" for p, v in versions.items()) or "none"
        raise BackupError(
            f"no {name} of PostgreSQL {server_major} or newer (found: {seen}); set OTONARI_PG_BIN "
            "to the bin directory of a matching PostgreSQL"
        )
    return usable[0][2]


@dataclass(frozen=True)
class DatabaseFacts:
    server_major: int
    tables: int  # in the public schema
    other_sessions: int  # client connections to this database besides ours


async def database_facts(dsn: str) -> DatabaseFacts:
    conn = await asyncpg.connect(dsn)
    try:
        major = int(await conn.fetchval("SHOW server_version_num")) // 10000
        tables = await conn.fetchval(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')"
        )
        others = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
    finally:
        await conn.close()
    return DatabaseFacts(major, int(tables), int(others))


def _run(command: list[str]) -> None:
    try:
        subprocess.run(  # noqa: S603 - PostgreSQL's own programs, arguments built here
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=True,
            timeout=TIMEOUT_SECONDS,
        )
    except subprocess.CalledProcessError as exc:
        program = Path(command[0]).name
        raise BackupError(f"{program} failed: {(exc.stderr or exc.stdout or '').strip()}") from exc
    except subprocess.TimeoutExpired as exc:
        raise BackupError(f"{Path(command[0]).name} did not finish in {TIMEOUT_SECONDS:.0f} s") from exc


async def backup(dsn: str, path: Path, *, bin_dir: Path | None = None) -> int:
    """Dump the database to `path` (custom format); returns its size in bytes. Written beside
    it first and renamed: `path` is either the old file or the whole new one."""
    facts = await database_facts(dsn)
    if facts.tables == 0:
        raise BackupError("the database is empty: nothing to back up")
    return await asyncio.to_thread(_dump, dsn, path, facts.server_major, bin_dir)


def _dump(dsn: str, path: Path, server_major: int, bin_dir: Path | None) -> int:
    pg_dump = find_tool("pg_dump", server_major, bin_dir)
    path = path.resolve()
    if path.is_dir():
        raise BackupError(f"{path} is a directory: give the backup file's path")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    try:
        _run([str(pg_dump), "--format=custom", f"--file={partial}", dsn])
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path.stat().st_size


async def restore(dsn: str, path: Path, *, force: bool = False, bin_dir: Path | None = None) -> None:
    """Restore a backup into the database, which must be empty unless `force` (then everything
    in its public schema is dropped first). Refused while other clients are connected to it (stop
    the service first). All or nothing: one transaction."""
    facts = await database_facts(dsn)
    if facts.other_sessions:
        raise BackupError(
            f"{facts.other_sessions} other connection(s) to this database: stop every serve and "
            "worker process using it first"
        )
    pg_restore = await asyncio.to_thread(_readable_archive, path, facts.server_major, bin_dir)
    if facts.tables and not force:
        raise BackupError(
            f"the database is not empty ({facts.tables} tables): restore into an empty database, "
            "or pass --force to replace everything in it"
        )
    if facts.tables:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        finally:
            await conn.close()
    await asyncio.to_thread(
        _run,
        [
            str(pg_restore),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={dsn}",
            str(path),
        ],
    )


def _readable_archive(path: Path, server_major: int, bin_dir: Path | None) -> Path:
    """The pg_restore to use, once it has read the archive's table of contents: a file that is
    not a custom-format archive is refused before anything is touched."""
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")
    pg_restore = find_tool("pg_restore", server_major, bin_dir)
    _run([str(pg_restore), "--list", str(path)])
    return pg_restore
