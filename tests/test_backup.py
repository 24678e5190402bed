"""`main.py backup` and `main.py restore`: a backup of the test database (an external one to the
commands, by DATABASE_URL) restored into the embedded PostgreSQL of a fresh data directory holds
every request, offer, event and example, and the service serves from it."""

import asyncio
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from db.embedded import embedded_database_url, stop_embedded_database
from service.config import Settings
from tests.conftest import REPO, free_port, serve
from tests.flows import REQUEST
from tests.security.scenario import approved_with_offers
from tests.support import Api, with_database
from triage.engine import Triage

TABLES = ("requests", "offers", "events", "triage_examples", "tokens", "audit_log", "residents", "volunteers")


def main_py(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment.update({"HF_HUB_OFFLINE": "1", **env})
    return subprocess.run(
        [sys.executable, "main.py", *args],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


async def contents(url: str) -> dict[str, Any]:
    conn = await asyncpg.connect(url)
    try:
        return {t: [tuple(r) for r in await conn.fetch(f"SELECT * FROM {t} ORDER BY 1")] for t in TABLES}  # noqa: S608
    finally:
        await conn.close()


@pytest.fixture
def fresh_data_dir(tmp_path: Path, data_dir: Path) -> Any:
    """A data directory with no database yet (the converted model is shared, read-only)."""
    fresh = tmp_path / "restored"
    fresh.mkdir()
    for shared in ("models", "cache"):
        (fresh / shared).symlink_to((data_dir / shared).resolve(), target_is_directory=True)
    yield fresh
    stop_embedded_database(fresh)


async def test_backup_then_restore_into_a_fresh_data_directory(
    api: Api,
    staff_token: str,
    db_url: str,
    tmp_path: Path,
    fresh_data_dir: Path,
    settings: Settings,
    triage_engine: Triage,
) -> None:
    offered = await approved_with_offers(api, staff_token, 2)
    original = await contents(db_url)
    assert all(original[t] for t in ("requests", "offers", "events", "triage_examples")), original

    backup_file = tmp_path / "backups" / "otonari.dump"
    made = await asyncio.to_thread(main_py, "backup", str(backup_file), DATABASE_URL=db_url)
    assert made.returncode == 0, made.stderr
    assert backup_file.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    restored = await asyncio.to_thread(
        main_py, "restore", str(backup_file), OTONARI_DATA_DIR=str(fresh_data_dir)
    )
    assert restored.returncode == 0, restored.stderr
    url = await asyncio.to_thread(embedded_database_url, fresh_data_dir)
    assert await contents(url) == original

    # A second restore into the now non-empty database is refused and changes nothing ...
    again = await asyncio.to_thread(
        main_py, "restore", str(backup_file), OTONARI_DATA_DIR=str(fresh_data_dir)
    )
    assert again.returncode == 1 and "not empty" in again.stderr and "--force" in again.stderr
    # ... so is a file that is not a backup ...
    junk = tmp_path / "junk.dump"
    junk.write_bytes(b"not a backup")
    refused = await asyncio.to_thread(
        main_py, "restore", str(junk), "--force", OTONARI_DATA_DIR=str(fresh_data_dir)
    )
    assert refused.returncode == 1 and "pg_restore failed" in refused.stderr
    assert await contents(url) == original

    # ... and the service serves from the restored database, tokens included.
    restored_settings = replace(settings, database_url=url, port=free_port())
    async with serve(restored_settings, triage_engine, workers=False) as base_url:
        client = Api(base_url)
        try:
            request = (await client.gql(REQUEST, {"id": offered.request}, staff_token))["request"]
            assert request["status"] == "OPEN" and request["field"] == "MEDICAL"
            listed = await client.gql("{ requests(first: 10) { totalCount } }", token=staff_token)
            assert listed["requests"]["totalCount"] == len(original["requests"])
        finally:
            await client.close()


async def test_restore_force_replaces_a_database_and_refuses_while_clients_are_connected(
    api: Api, staff_token: str, db_url: str, server_url: str, tmp_path: Path
) -> None:
    await approved_with_offers(api, staff_token, 1)
    backup_file = tmp_path / "otonari.dump"
    made = await asyncio.to_thread(main_py, "backup", str(backup_file), DATABASE_URL=db_url)
    assert made.returncode == 0, made.stderr
    original = await contents(db_url)

    # An external database: restored into once, then changed (a newer table, one more row).
    target = f"otonari_restore_{os.getpid()}"
    target_url = with_database(server_url, target)
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'CREATE DATABASE "{target}"')
        first = await asyncio.to_thread(main_py, "restore", str(backup_file), DATABASE_URL=target_url)
        assert first.returncode == 0, first.stderr
        conn = await asyncpg.connect(target_url)
        await conn.execute("CREATE TABLE left_over (id int)")
        await conn.execute(
            "INSERT INTO requests (resident_id, text, area) SELECT resident_id, 'x', 'y' FROM requests LIMIT 1"
        )
        # A client still connected (a service not stopped): refused, even with --force.
        busy = await asyncio.to_thread(
            main_py, "restore", str(backup_file), "--force", DATABASE_URL=target_url
        )
        assert busy.returncode == 1 and "other connection" in busy.stderr
        await conn.close()
        plain = await asyncio.to_thread(main_py, "restore", str(backup_file), DATABASE_URL=target_url)
        assert plain.returncode == 1 and "not empty" in plain.stderr

        forced = await asyncio.to_thread(
            main_py, "restore", str(backup_file), "--force", DATABASE_URL=target_url
        )
        assert forced.returncode == 0, forced.stderr
        assert await contents(target_url) == original
        check = await asyncpg.connect(target_url)
        try:
            assert await check.fetchval("SELECT to_regclass('left_over')") is None
        finally:
            await check.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        await admin.close()


async def test_backup_of_an_empty_database_fails_clearly(tmp_path: Path, server_url: str) -> None:
    empty = f"otonari_empty_{os.getpid()}"
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'CREATE DATABASE "{empty}"')
        done = await asyncio.to_thread(
            main_py, "backup", str(tmp_path / "b.dump"), DATABASE_URL=with_database(server_url, empty)
        )
        assert done.returncode == 1 and "empty" in done.stderr
        assert not (tmp_path / "b.dump").exists()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{empty}" WITH (FORCE)')
        await admin.close()
