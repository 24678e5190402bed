"""The database schema is built from the append-only migrations alone."""

import asyncpg
import pytest

from db.errors import DatabaseSetupError
from db.migrate import load_migrations, migrate


async def test_template_has_every_migration_and_rerun_is_a_no_op(db: asyncpg.Connection) -> None:
    applied = [r["name"] for r in await db.fetch("SELECT name FROM schema_migrations ORDER BY name")]
    assert applied == [m.name for m in load_migrations()]
    assert await migrate(db) == []
    tables = {
        r["tablename"] for r in await db.fetch("SELECT tablename FROM pg_tables WHERE schemaname='public'")
    }
    assert {"requests", "triage_jobs", "offers", "events", "volunteers", "residents", "tokens"} <= tables


async def test_an_edited_migration_is_refused(db: asyncpg.Connection) -> None:
    first = load_migrations()[0].name
    await db.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE name = $1", first)
    with pytest.raises(DatabaseSetupError, match="append-only"):
        await migrate(db)


async def test_invalid_status_transition_is_refused_by_the_database(db: asyncpg.Connection) -> None:
    account = await db.fetchval(
        "INSERT INTO accounts (role, display_name) VALUES ('RESIDENT', 'x') RETURNING id"
    )
    resident = await db.fetchval(
        "INSERT INTO residents (account_id, languages, area, contact) VALUES ($1, '{en}', 'Meguro', 'c') RETURNING id",
        account,
    )
    request = await db.fetchval(
        "INSERT INTO requests (resident_id, text, area) VALUES ($1, 'help', 'Meguro') RETURNING id", resident
    )
    with pytest.raises(asyncpg.CheckViolationError, match="invalid request status transition"):
        await db.execute("UPDATE requests SET status = 'COMPLETED' WHERE id = $1", request)
    with pytest.raises(asyncpg.CheckViolationError):
        await db.execute("INSERT INTO requests (resident_id, text, area) VALUES ($1, '', 'Meguro')", resident)


def test_two_processes_given_one_data_directory_share_one_database(server_url: str) -> None:
    """The embedded server is shared: another process joins it instead of starting its own."""
    import os
    import subprocess
    import sys

    if os.environ.get("DATABASE_URL"):
        pytest.skip("runs against the embedded server only")
    from tests.conftest import DATA_DIR, REPO

    code = (
        "import asyncio, asyncpg, sys; from pathlib import Path; from db.embedded import embedded_database_url;"
        "url = embedded_database_url(Path(sys.argv[1]));"
        "print(url); print(asyncio.run(asyncpg.connect(url)).__class__.__name__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(DATA_DIR / "test")],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == [server_url, "Connection"]


async def test_triages_stored_before_emergency_probability_get_a_lower_bound(
    server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Migration 0011: old rows get the smallest P(EMERGENCY) their urgency score allows
    (3 * score - 2, at least 0.3 for a row triaged EMERGENCY); the view and new rows carry it."""
    import os

    from db import migrate as migrations
    from tests.support import with_database

    name = f"otonari_emprob_{os.getpid()}"
    admin = await asyncpg.connect(server_url)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{name}"')
    conn = await asyncpg.connect(with_database(server_url, name))
    try:
        everything = migrations.load_migrations()
        before = [m for m in everything if m.name < "0011"]
        monkeypatch.setattr(migrations, "load_migrations", lambda: before)
        await migrations.migrate(conn)
        resident = await conn.fetchval(
            """WITH a AS (INSERT INTO accounts (role, display_name) VALUES ('RESIDENT', 'Li') RETURNING id)
               INSERT INTO residents (account_id, languages, area, contact)
               SELECT id, '{en}', 'Shinjuku', 'li@example.org' FROM a RETURNING id"""
        )
        stored = [("EMERGENCY", 0.95), ("EMERGENCY", 0.5), ("HIGH", 0.7), ("NORMAL", 0.3)]
        ids = []
        for urgency, score in stored:
            request = await conn.fetchval(
                "INSERT INTO requests (resident_id, text, area) VALUES ($1, 'help', 'Shinjuku') RETURNING id",
                resident,
            )
            await conn.execute(
                """INSERT INTO triage_results (request_id, language, language_confidence, field, field_scores,
                       urgency, urgency_score, confidence, signals, model)
                   VALUES ($1, 'en', 1, 'MEDICAL', '[]', $2, $3, 0.5, '{}', 'm')""",
                request,
                urgency,
                score,
            )
            ids.append(request)
        monkeypatch.setattr(migrations, "load_migrations", lambda: everything)
        assert "0011_triage_emergency_probability.sql" in await migrations.migrate(conn)
        got = [
            await conn.fetchval("SELECT t_emergency_probability FROM request_details WHERE id = $1", i)
            for i in ids
        ]
        assert got == pytest.approx([0.85, 0.3, 0.1, 0.0], abs=1e-6)
        fresh = await conn.fetchval(
            "INSERT INTO requests (resident_id, text, area) VALUES ($1, 'help', 'Shinjuku') RETURNING id",
            resident,
        )
        with pytest.raises(asyncpg.NotNullViolationError):  # new rows must say it
            await conn.execute(
                """INSERT INTO triage_results (request_id, language, language_confidence, field, field_scores,
                       urgency, urgency_score, confidence, signals, model)
                   VALUES ($1, 'en', 1, 'MEDICAL', '[]', 'LOW', 0, 1, '{}', 'm')""",
                fresh,
            )
    finally:
        await conn.close()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
