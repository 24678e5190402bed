"""Shared fixtures: the real model once per session; a real PostgreSQL built once from the
migrations as a template database and copied per test; the real app served by uvicorn."""

import contextlib
import itertools
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg
import pytest
import uvicorn

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


from db.embedded import embedded_database_url
from db.migrate import migrate
from service.config import Settings
from tests.support import SERVER_STOP_SECONDS, Api, free_port, uvicorn_running, with_database

if TYPE_CHECKING:
    from tests.mailsink import MailSink
    from triage.engine import Triage

REPO = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("OTONARI_DATA_DIR", REPO / "var"))
_names = itertools.count()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA_DIR


@pytest.fixture(scope="session")
def triage_engine(data_dir: Path) -> "Triage":
    """The real multilingual model, loaded once per test session."""
    from triage.engine import Triage

    return Triage.load(data_dir, os.environ.get("OTONARI_EMBEDDING_MODEL"))


@pytest.fixture(scope="session")
def embedder(triage_engine: "Triage") -> object:
    return triage_engine.embedder


@pytest.fixture(scope="session")
def server_url() -> str:
    """The PostgreSQL server: DATABASE_URL when set (e.g. the machine's PostgreSQL 15), else embedded."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    # Stopped when the session ends (the last user leaves), unless OTONARI_KEEP_EMBEDDED_DB is set.
    return embedded_database_url(DATA_DIR / "test", keep_running=Settings.from_env().keep_embedded_db)


@pytest.fixture(scope="session")
async def template_db(server_url: str) -> AsyncIterator[str]:
    """Built once from the migrations; every test database is a copy of it."""
    name = f"otonari_tpl_{os.getpid()}"
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}"')
        conn = await asyncpg.connect(with_database(server_url, name))
        try:
            await migrate(conn)
        finally:
            await conn.close()
        yield name
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def db_url(server_url: str, template_db: str) -> AsyncIterator[str]:
    name = f"otonari_t_{os.getpid()}_{next(_names)}"
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
        yield with_database(server_url, name)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(db_url)
    try:
        yield conn
    finally:
        await conn.close()


@pytest.fixture
async def pool(db_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A small pool on the test's database, closed gracefully after it."""
    pool = await asyncpg.create_pool(db_url, min_size=1, max_size=4)
    try:
        yield pool
    finally:
        await pool.close()


@pytest.fixture
def settings(db_url: str, data_dir: Path) -> Settings:
    return replace(Settings(), database_url=db_url, data_dir=data_dir, port=free_port(), graphiql=False)


@contextlib.asynccontextmanager
async def serve(
    settings: Settings, engine: "Triage", *, workers: bool = True, stop_within: float = SERVER_STOP_SECONDS
) -> AsyncIterator[str]:
    """The real app under uvicorn, in this event loop, on a free port; stopped within `stop_within`
    seconds (or the test fails with where its tasks were)."""
    from app.server import create_app

    # Each server learns staff reviews on its own copy of the engine, as a real process does:
    # examples from one test's database never reach another test.
    app = create_app(settings, engine=engine.fork(), run_workers_inside=workers)
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=settings.port,
        log_level="warning",
        lifespan="on",
        timeout_graceful_shutdown=5,
        proxy_headers=False,  # as main.py serves: the app decides which header to trust
    )
    async with uvicorn_running(config, stop_within):
        yield f"http://127.0.0.1:{settings.port}"


@pytest.fixture
async def counting_api(settings: Settings, triage_engine: "Triage") -> AsyncIterator[Api]:
    """A client of a server that reports each response's SQL statement count in its extensions."""
    async with (
        serve(replace(settings, count_statements=True), triage_engine, workers=False) as url,
        Api(url) as api,
    ):
        yield api


@pytest.fixture
def mail() -> Iterator["MailSink"]:
    """A real SMTP server (aiosmtpd) in this process, for the notification tests."""
    from tests.mailsink import MailSink  # it imports free_port from here

    sink = MailSink()
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
async def api(settings: Settings, triage_engine: "Triage") -> AsyncIterator[Api]:
    async with serve(settings, triage_engine) as base_url:
        client = Api(base_url)
        try:
            yield client
        finally:
            await client.close()


@pytest.fixture
async def staff_token(db_url: str) -> str:
    from service.accounts import create_staff

    pool = await asyncpg.create_pool(db_url, min_size=1, max_size=2)
    try:
        return await create_staff(pool, "Staff Tanaka")
    finally:
        await pool.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Tests that touch PostgreSQL also run against the machine's server in CI (`make test-external`).
    for item in items:
        if "db_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)
