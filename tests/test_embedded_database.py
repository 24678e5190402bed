"""The embedded PostgreSQL lives exactly as long as the processes using it, with real processes.

`main.py serve`, `worker` and `migrate` run as subprocesses on one temporary data directory
(initdb once for the module; its model and example cache link to the session's, so no process
converts or embeds anything). Each test starts with no server running and ends with none.
"""

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg
import httpx
import psutil
import pytest

from db.embedded import embedded_postmaster_pid, stop_embedded_database
from service.config import Settings
from tests.conftest import REPO, free_port
from tests.flows import register_resident
from tests.support import Api, eventually

if TYPE_CHECKING:
    from triage.engine import Triage

TERMINATED = 128 + signal.SIGTERM  # exit status after a graceful SIGTERM


class Processes:
    """`python main.py ...` on one data directory; whatever is left is killed at the end."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.pgdata = data_dir / "pg"
        self.logs = data_dir.parent / "logs"
        self.logs.mkdir(exist_ok=True)
        self.started: list[subprocess.Popen[bytes]] = []
        self.log_paths: dict[int, Path] = {}

    def env(self, **overrides: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "OTONARI_KEEP_EMBEDDED_DB")}
        env.update(HF_HUB_OFFLINE="1", OTONARI_DATA_DIR=str(self.data_dir), OTONARI_GRAPHIQL="false")
        env.update(overrides)
        return env

    def start(self, *args: str, **env: str) -> subprocess.Popen[bytes]:
        log = self.logs / f"{len(self.started)}-{args[0]}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "main.py", *args], cwd=REPO, env=self.env(**env), stdout=out, stderr=out
            )
        self.started.append(process)
        self.log_paths[process.pid] = log
        return process

    def serve(self, **env: str) -> tuple[subprocess.Popen[bytes], str]:
        port = free_port()
        return self.start("serve", "--port", str(port), **env), f"http://127.0.0.1:{port}"

    async def run(self, *args: str, **env: str) -> str:
        """A command to its end; its log."""
        process = self.start(*args, **env)
        code = await asyncio.to_thread(process.wait, 120)
        assert code == 0, self.log(process)
        return self.log(process)

    def log(self, process: subprocess.Popen[bytes]) -> str:
        return self.log_paths[process.pid].read_text(errors="replace")

    async def joined(self, process: subprocess.Popen[bytes]) -> int:
        """Waits until the process uses the server; the server's pid."""

        async def check() -> int | None:
            assert process.poll() is None, self.log(process)
            return embedded_postmaster_pid(self.data_dir) if process.pid in self.users() else None

        pid: int = await eventually(check, timeout=120, interval=0.1)
        return pid

    async def healthy(self, process: subprocess.Popen[bytes], base_url: str) -> None:
        async with httpx.AsyncClient(timeout=5) as client:

            async def check() -> bool:
                assert process.poll() is None, self.log(process)
                with contextlib.suppress(httpx.HTTPError):
                    return (await client.get(base_url + "/healthz")).status_code == 200
                return False

            await eventually(check, timeout=180, interval=0.2)

    async def terminate(self, process: subprocess.Popen[bytes]) -> int:
        process.send_signal(signal.SIGTERM)
        return await asyncio.to_thread(process.wait, 60)

    def users(self) -> list[int]:
        """The registered users (a killed process's file stays until the next start prunes it)."""
        users = self.data_dir / "pg.users"
        return sorted(int(p.name) for p in users.iterdir()) if users.is_dir() else []

    def url(self) -> str:
        return f"postgresql://postgres@/postgres?host={self.pgdata}"

    def kill_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
                process.wait(30)


def gone(pid: int) -> bool:
    """Exited (a zombie waiting for init to reap it counts as exited)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


async def exited(pid: int) -> bool:
    return gone(pid)


def assert_stopped(procs: Processes, postmaster: int) -> None:
    assert gone(postmaster)
    assert embedded_postmaster_pid(procs.data_dir) is None
    assert not (procs.pgdata / "postmaster.pid").exists()


@pytest.fixture(scope="module")
def shared_data_dir(tmp_path_factory: pytest.TempPathFactory, triage_engine: "Triage") -> Iterator[Path]:
    """One data directory for the module (initdb once), sharing the session's converted model and
    example cache (warm: triage_engine loaded them)."""
    from tests.conftest import DATA_DIR

    data = tmp_path_factory.mktemp("embedded") / "data"
    data.mkdir()
    for shared in ("models", "cache"):
        (data / shared).symlink_to((DATA_DIR / shared).resolve(), target_is_directory=True)
    yield data
    stop_embedded_database(data)


@pytest.fixture
async def procs(shared_data_dir: Path) -> AsyncIterator[Processes]:
    processes = Processes(shared_data_dir)
    assert embedded_postmaster_pid(shared_data_dir) is None  # the previous test stopped it
    try:
        yield processes
    finally:
        processes.kill_all()
        stop_embedded_database(shared_data_dir)


async def test_the_server_stays_up_until_the_last_user_leaves(procs: Processes) -> None:
    serve, base_url = procs.serve()
    worker = procs.start("worker")
    await procs.healthy(serve, base_url)
    postmaster = await procs.joined(worker)
    assert procs.users() == sorted([serve.pid, worker.pid])

    assert await procs.terminate(serve) == TERMINATED
    assert embedded_postmaster_pid(procs.data_dir) == postmaster
    assert procs.users() == [worker.pid]
    conn = await asyncpg.connect(procs.url())
    try:  # still serving: the migrations the server applied are there
        assert await conn.fetchval("SELECT count(*) FROM schema_migrations") > 0
    finally:
        await conn.close()
    assert "stays up for 1 other process(es)" in procs.log(serve)

    assert await procs.terminate(worker) == TERMINATED
    assert_stopped(procs, postmaster)


async def test_a_server_left_by_kill_9_is_adopted_and_stopped_by_sigterm_of_its_only_user(
    procs: Processes,
) -> None:
    """A user killed with SIGKILL leaves the server running; the next `serve` adopts it and
    serves; a graceful SIGTERM of that serve, the only user, stops the server."""
    worker = procs.start("worker")
    postmaster = await procs.joined(worker)
    worker.send_signal(signal.SIGKILL)
    await asyncio.to_thread(worker.wait, 30)
    assert embedded_postmaster_pid(procs.data_dir) == postmaster  # nobody left to stop it
    assert procs.users() == [worker.pid]  # its registration outlives it: its lock does not

    serve, base_url = procs.serve()
    await procs.healthy(serve, base_url)
    assert embedded_postmaster_pid(procs.data_dir) == postmaster  # adopted, not a second server
    assert procs.users() == [serve.pid]
    api = Api(base_url)
    try:  # it serves: an account written, then read back with its token
        token, _ = await register_resident(api, "Minh")
        assert (await api.gql("{ viewer { role } }", token=token))["viewer"]["role"] == "RESIDENT"
    finally:
        await api.close()
    assert "adopted the embedded PostgreSQL" in procs.log(serve)

    assert await procs.terminate(serve) == TERMINATED
    assert_stopped(procs, postmaster)
    assert procs.users() == []
    assert "stopped the embedded PostgreSQL" in procs.log(serve)


async def test_a_crashed_server_is_cleared_and_restarted(procs: Processes) -> None:
    """The postmaster killed, one of its backends orphaned (stopped, so it cannot notice and exit;
    it holds the shared memory), and its pid file naming a pid now used by another process:
    PostgreSQL alone refuses to start on any of these."""
    await procs.run("migrate", OTONARI_KEEP_EMBEDDED_DB="1")
    postmaster = embedded_postmaster_pid(procs.data_dir)
    assert postmaster is not None
    conn = await asyncpg.connect(procs.url())
    backend = await conn.fetchval("SELECT pg_backend_pid()")
    os.kill(backend, signal.SIGSTOP)
    os.kill(postmaster, signal.SIGKILL)
    await eventually(lambda: exited(postmaster), timeout=10)
    unrelated = await asyncio.create_subprocess_exec("sleep", "120")
    try:
        pid_file = procs.pgdata / "postmaster.pid"
        pid_file.write_text("\n".join([str(unrelated.pid), *pid_file.read_text().splitlines()[1:]]) + "\n")

        log = await procs.run("migrate")
        assert "database is up to date" in log
        assert "killing a leftover PostgreSQL process" in log
        assert gone(backend)
        assert unrelated.returncode is None  # the process named by the stale file is left alone
        assert embedded_postmaster_pid(procs.data_dir) is None  # started, then stopped at exit
    finally:
        conn.terminate()
        unrelated.kill()
        await unrelated.wait()


async def test_the_keep_setting_leaves_the_server_running(procs: Processes) -> None:
    await procs.run("migrate", OTONARI_KEEP_EMBEDDED_DB="1")
    postmaster = embedded_postmaster_pid(procs.data_dir)
    assert postmaster is not None and procs.users() == []

    log = await procs.run("migrate")  # without the setting: adopts it, and stops it at exit
    assert "adopted the embedded PostgreSQL" in log
    assert_stopped(procs, postmaster)


def test_the_keep_setting_is_a_boolean() -> None:
    assert Settings.from_env({"OTONARI_KEEP_EMBEDDED_DB": "1"}).keep_embedded_db
    assert not Settings.from_env({}).keep_embedded_db
    with pytest.raises(ValueError, match="OTONARI_KEEP_EMBEDDED_DB"):
        Settings.from_env({"OTONARI_KEEP_EMBEDDED_DB": "sometimes"})
