"""Shared by the benches: a fresh embedded database, real server subprocesses, CPU accounting.

The bench process itself uses the embedded PostgreSQL (db.embedded counts the processes using a
data directory), so the database outlives every server subprocess, and the bench stops it and
deletes the directory at the end whatever happened to the servers.
"""

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from db.embedded import embedded_database_url, embedded_postmaster_pid, stop_embedded_database

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # benches never listen or connect anywhere else
START_TIMEOUT = 300.0  # a fresh data dir converts the model first: allow for a slow first start
_CLK_TCK = os.sysconf("SC_CLK_TCK")

# What the API benches send: residents register, then submit realistic requests in their own
# languages (none is an emergency).
REGISTER = """mutation($input: RegisterResidentInput!) {
  registerResident(input: $input) { token errors { path message code } }
}"""
SUBMIT = """mutation($input: SubmitRequestInput!) {
  submitRequest(input: $input) { request { id status } errors { path message code } }
}"""
TEXTS = (
    "Tôi cần người đi cùng đến bệnh viện để phiên dịch",
    "我收到了保育园的信，但是看不懂，请帮帮我",
    "Necesito ayuda para llenar el formulario del seguro de salud",
    "집주인이 다음 달에 나가라고 합니다. 어떻게 해야 하나요?",
    "Please help me understand the garbage sorting calendar for my building",
    "Preciso de ajuda para abrir uma conta no banco e entender os documentos",
    "Kailangan ko ng tulong sa pagsagot ng form mula sa city hall",
    "I got a letter from the ward office about my tax and cannot read it",
)


def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def server_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    """This process's environment for a server on the embedded database under data_dir."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        OTONARI_DATA_DIR=str(data_dir),
        OTONARI_HOST=HOST,
        OTONARI_GRAPHIQL="false",
    )
    env.update(overrides)
    return env


@dataclass
class ServerProcess:
    name: str
    base_url: str
    process: "subprocess.Popen[bytes]"
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""


def api_client(server: ServerProcess, token: str | None = None, connections: int = 10) -> httpx.AsyncClient:
    """An HTTP client of `server`'s API, as `token` if given, with up to `connections` at once."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(
        base_url=server.base_url,
        headers=headers,
        timeout=60,
        trust_env=False,
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
    )


async def gql(http: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """The data of a GraphQL call; any error (HTTP or GraphQL) raises."""
    response = await http.post("/graphql", json={"query": query, "variables": variables or {}})
    body: dict[str, Any] = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise RuntimeError(f"GraphQL call failed ({response.status_code}): {str(body)[:500]}")
    data: dict[str, Any] = body["data"]
    return data


async def cancel_all(tasks: Sequence[asyncio.Task[Any]]) -> None:
    """Cancel the tasks and wait until each has stopped."""
    for task in tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _healthy(client: httpx.AsyncClient, url: str) -> bool:
    try:
        return (await client.get(url + "/healthz")).status_code == 200
    except httpx.HTTPError:
        return False


def _spawn(env: Mapping[str, str], log_path: Path, *args: str) -> "subprocess.Popen[bytes]":
    """`python main.py ARGS` in the repository, output to log_path."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "main.py", *args], cwd=REPO, env=dict(env), stdout=log, stderr=subprocess.STDOUT
        )


async def start_server(name: str, env: Mapping[str, str], log_dir: Path) -> ServerProcess:
    """`python main.py serve` on a free port; returns once /healthz answers."""
    port = free_port()
    log_path = log_dir / f"{name}.log"
    process = _spawn(env, log_path, "serve", "--host", HOST, "--port", str(port))
    server = ServerProcess(name, f"http://{HOST}:{port}", process, log_path)
    deadline = time.monotonic() + START_TIMEOUT
    async with httpx.AsyncClient(timeout=5) as client:
        while not await _healthy(client, server.base_url):
            if process.poll() is not None or time.monotonic() > deadline:
                stop_server(server)
                raise RuntimeError(f"server {name} did not start:\n{server.log_tail()}")
            await asyncio.sleep(0.25)
    return server


def stop_server(server: ServerProcess, timeout: float = 30.0) -> None:
    """SIGTERM (uvicorn shuts down cleanly and the process leaves the database), SIGKILL if stuck."""
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout)


@contextlib.asynccontextmanager
async def running_server(name: str, env: Mapping[str, str], log_dir: Path) -> AsyncIterator[ServerProcess]:
    server = await start_server(name, env, log_dir)
    try:
        yield server
    finally:
        await asyncio.to_thread(stop_server, server)


async def wait_until(check: Callable[[], Awaitable[bool]], what: str, seconds: float) -> None:
    """Poll check() until it is true; a bounded wait."""
    deadline = time.monotonic() + seconds
    while not await check():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {seconds:.0f}s waiting for {what}")
        await asyncio.sleep(0.5)


def run_command(env: Mapping[str, str], *args: str, timeout: float = START_TIMEOUT) -> str:
    """`python main.py ARGS` with the same environment; its stdout."""
    done = subprocess.run(
        [sys.executable, "main.py", *args],
        cwd=REPO,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"main.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def create_staff(env: Mapping[str, str], name: str) -> str:
    """A staff token through the real command (it prints the token alone on stdout)."""
    return run_command(env, "create-staff", name).strip().splitlines()[-1]


@contextlib.contextmanager
def background_command(name: str, env: Mapping[str, str], log_dir: Path, *args: str) -> Iterator[None]:
    """`python main.py ARGS` running while the block runs (e.g. a worker), then stopped."""
    process = _spawn(env, log_dir / f"{name}.log", *args)
    try:
        yield
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(30)


@dataclass(frozen=True)
class Database:
    data_dir: Path
    url: str

    @property
    def pgdata(self) -> Path:
        return (self.data_dir / "pg").resolve()

    @property
    def postmaster_pid(self) -> int | None:
        return embedded_postmaster_pid(self.data_dir)


# What a fresh data directory may borrow from the default one (var/), if it has them: the
# converted model and the triage examples' vectors (else a first start spends minutes on them).
REUSABLE = ("models", "cache")


def _empty_dir(data_dir: Path) -> None:
    if data_dir.exists():
        stop_embedded_database(data_dir)  # left running by an interrupted run
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    for name in REUSABLE:
        source = REPO / "var" / name
        if source.is_dir() and source.resolve() != (data_dir / name).resolve():
            shutil.copytree(source, data_dir / name)


def _remove_database(data_dir: Path) -> None:
    stop_embedded_database(data_dir)
    shutil.rmtree(data_dir, ignore_errors=True)


@contextlib.asynccontextmanager
async def fresh_database(data_dir: Path) -> AsyncIterator[Database]:
    """A new embedded PostgreSQL under data_dir (emptied first, then given var/'s model and
    example vectors when there are any), stopped and deleted at the end."""
    data_dir = REPO / data_dir if not data_dir.is_absolute() else data_dir
    await asyncio.to_thread(_empty_dir, data_dir)
    try:
        url = await asyncio.to_thread(embedded_database_url, data_dir)
        yield Database(data_dir, url)
    finally:
        await asyncio.to_thread(_remove_database, data_dir)


# --- CPU accounting (Linux /proc): where the time of a phase went -------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (0 when it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLK_TCK  # utime, stime


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def busy_seconds() -> float:
    """CPU time the whole machine has spent busy (all cores, all processes) since boot."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / _CLK_TCK


class CpuMeter:
    """CPU seconds used by named process groups between start() and stop(), and by everything
    else on the machine under "other": other users' processes, and kernel time no process is
    charged for (part of the loopback networking). A large "other" means a noisy run."""

    def __init__(self, groups: Mapping[str, list[int]]) -> None:
        self.groups = {name: list(pids) for name, pids in groups.items()}
        self._start: dict[int, float] = {}
        self._busy = 0.0
        self.used: dict[str, float] = {}

    def start(self) -> None:
        self._start = {pid: cpu_seconds(pid) for pids in self.groups.values() for pid in pids}
        self._busy = busy_seconds()

    def stop(self) -> dict[str, float]:
        busy = busy_seconds() - self._busy
        self.used = {
            name: sum(max(0.0, cpu_seconds(pid) - self._start.get(pid, 0.0)) for pid in pids)
            for name, pids in self.groups.items()
        }
        self.used["other"] = max(0.0, busy - sum(self.used.values()))
        return self.used


def database_pids(db: Database) -> list[int]:
    """The postmaster and its children (backends, WAL writer, ...), as they are now."""
    pid = db.postmaster_pid
    return [] if pid is None else [pid, *children_of(pid)]
