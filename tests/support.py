"""Test helpers: database URLs, a GraphQL client over real HTTP, and polling."""

import asyncio
import contextlib
import io
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import uvicorn


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


class Api:
    """A GraphQL client over real HTTP, as a browser or app would call the service."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.client = httpx.AsyncClient(base_url=base_url, timeout=60)

    async def raw(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code in (200, 400), response.text
        body: dict[str, Any] = response.json()
        return body

    async def gql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Data of a query that must not fail at the GraphQL level."""
        body = await self.raw(query, variables, token, headers)
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    async def close(self) -> None:
        await self.client.aclose()

    async def __aenter__(self) -> "Api":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


async def eventually(
    check: Callable[[], Awaitable[Any]], timeout: float = 30.0, interval: float = 0.05
) -> Any:
    """Poll until check() returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s (last value {value!r})")
        await asyncio.sleep(interval)


# Ports handed to servers come from below the kernel's ephemeral range (32768-60999 on Linux):
# between the check here and the server's bind, an outgoing connection (the database pool, an
# HTTP client) may take any free ephemeral port, which failed a test with "address already in use".
_PORTS = range(20000, 32768)
_port_choice = random.Random()


def free_port() -> int:
    """A localhost port that was free a moment ago, outside the ephemeral range."""
    for _ in range(200):
        port = _port_choice.choice(_PORTS)
        with contextlib.closing(socket.socket()) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError(f"no free port in {_PORTS.start}-{_PORTS.stop - 1}")


# A test server still stopping after this is stuck: the test fails with its tasks' stacks instead
# of waiting for pytest-timeout, whose dump shows only the event loop's select() (CI once waited
# 300 s on a server whose event listener had lost its cancellation).
SERVER_STOP_SECONDS = 120.0


def task_stacks() -> str:
    """Where every task of this event loop is, for a failure message."""
    out = io.StringIO()
    for task in asyncio.all_tasks():
        print(f"--- {task.get_name()}", file=out)
        task.print_stack(limit=8, file=out)
    return out.getvalue()


@contextlib.asynccontextmanager
async def uvicorn_running(
    config: uvicorn.Config, stop_within: float = SERVER_STOP_SECONDS
) -> AsyncIterator[None]:
    """Serve `config` with uvicorn in this event loop until the block ends; its shutdown must
    end within `stop_within` seconds."""
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # it failed to start: raise why
        await asyncio.sleep(0.02)
    try:
        yield
    finally:
        server.should_exit = True
        done, _ = await asyncio.wait({task}, timeout=stop_within)
        if not done:
            stacks = task_stacks()
            task.cancel()
            raise AssertionError(f"the server did not stop within {stop_within} s; its tasks:\n{stacks}")
        task.result()


async def triage_job_held(db: Any) -> bool:
    """Whether the one pending triage job is held by a worker (taken, its transaction open)."""
    async with db.transaction():
        free = await db.fetch(
            "SELECT request_id FROM triage_jobs WHERE done_at IS NULL FOR UPDATE SKIP LOCKED"
        )
    pending = await db.fetchval("SELECT count(*) FROM triage_jobs WHERE done_at IS NULL")
    return bool(pending == 1 and not free)


@contextlib.asynccontextmanager
async def database_away(server_url: str, db_url: str) -> AsyncIterator[None]:
    """The test's database is away while the block runs, as in a PostgreSQL restart but without
    stopping the server other tests share: its sessions are ended and new ones refused ("not
    currently accepting connections"); then it accepts them again."""
    import asyncpg

    name = urlsplit(db_url).path.lstrip("/")
    admin = await asyncpg.connect(server_url)
    try:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name)
        try:
            yield
        finally:
            await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    finally:
        await admin.close()


async def kill_worker_when(
    check: Callable[[], Awaitable[Any]], cwd: Path, env: dict[str, str], timeout: float, interval: float = 0.1
) -> None:
    """Start `main.py worker`, wait until check() holds, then `kill -9` it (a crash at that moment)."""
    worker = subprocess.Popen([sys.executable, "main.py", "worker"], cwd=cwd, env=env)  # noqa: ASYNC220
    try:
        await eventually(check, timeout=timeout, interval=interval)
        os.kill(worker.pid, signal.SIGKILL)
        await asyncio.to_thread(worker.wait, 30)
    finally:
        if worker.poll() is None:
            worker.kill()


def count_embeddings(engine: Any, monkeypatch: Any) -> list[int]:
    """Record the batch size of every passage embedding the engine computes from now on."""
    calls: list[int] = []
    real = engine.embed_passages

    def counted(texts: Any) -> Any:
        calls.append(len(texts))
        return real(texts)

    monkeypatch.setattr(engine, "embed_passages", counted)
    return calls


class LiveClient:
    """A real graphql-transport-ws client (the only protocol the server speaks)."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self._ids = 0

    @classmethod
    async def connect(cls, base_url: str, token: str | None) -> "LiveClient":
        import websockets

        ws = await websockets.connect(
            base_url.replace("http", "ws", 1) + "/graphql", subprotocols=["graphql-transport-ws"]
        )
        payload = {"authorization": f"Bearer {token}"} if token else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert ack["type"] == "connection_ack", ack
        return cls(ws)

    async def subscribe(self, query: str, variables: dict[str, Any] | None = None) -> str:
        self._ids += 1
        sub_id = str(self._ids)
        message = {
            "id": sub_id,
            "type": "subscribe",
            "payload": {"query": query, "variables": variables or {}},
        }
        await self.ws.send(json.dumps(message))
        return sub_id

    async def next(self, timeout: float = 30.0) -> dict[str, Any]:
        while True:
            message: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
            if message["type"] == "ping":
                await self.ws.send(json.dumps({"type": "pong"}))
                continue
            return message

    async def close(self) -> None:
        await self.ws.close()


REPO = Path(__file__).resolve().parent.parent


async def _healthy(base_url: str) -> bool:
    try:
        async with httpx.AsyncClient() as client:
            return (await client.get(base_url + "/healthz")).status_code == 200
    except httpx.HTTPError:
        return False


@contextlib.asynccontextmanager
async def server_process(
    db_url: str, data_dir: Path, log_file: Path | None = None, **env: str
) -> AsyncIterator[str]:
    """Another `main.py serve` process on the same database (no workers of its own), answering;
    its log (stderr) goes to `log_file` when given."""
    port = free_port()
    environ = {
        **os.environ,
        "DATABASE_URL": db_url,
        "OTONARI_DATA_DIR": str(data_dir),
        "OTONARI_WORKERS": "0",
        "HF_HUB_OFFLINE": "1",
        **env,
    }
    log = log_file.open("wb") if log_file else None
    process = subprocess.Popen(  # noqa: ASYNC220 - started once, waited for below
        [sys.executable, "main.py", "serve", "--port", str(port)],
        cwd=REPO,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=log if log is not None else subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"

    async def answering() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"the second server exited with {process.returncode}")
        return await _healthy(base_url)

    try:
        await eventually(answering, timeout=180, interval=0.3)
        yield base_url
    finally:
        process.terminate()
        try:
            await asyncio.to_thread(process.wait, 20)
        except subprocess.TimeoutExpired:
            process.kill()
        if log is not None:
            log.close()
