"""`main.py worker` with OTONARI_METRICS_PORT runs two parts, the background loops and the ops
server (/metrics, /livez, /readyz): when one fails the other is stopped and the process ends with
an error, and SIGTERM stops both within the bounded stop time. The loops are fakes here (no
database, no model); the ops server is the real one."""

import asyncio
import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import httpx
import pytest

import main
import service.worker
from service.config import Settings
from service.context import AppState
from tests.conftest import REPO
from tests.support import eventually, free_port

# A stop takes well under a second; generous for a loaded 2-core machine (the loops' own bound
# is service.stopping.STOP_SECONDS).
STOP_SECONDS = 20.0


def worker_state(port: int) -> AppState:
    settings = replace(Settings(), host="127.0.0.1", metrics_port=port)
    return cast(AppState, SimpleNamespace(settings=settings))  # all the ops server reads for /livez


class FakeLoops:
    """run_workers' stand-in: runs until cancelled, and says so."""

    def __init__(self) -> None:
        self.running = asyncio.Event()
        self.stopped = False

    async def run(self, state: AppState, workers: int) -> None:
        self.running.set()
        try:
            await asyncio.Event().wait()
        finally:
            self.stopped = True


async def answers(url: str) -> bool:
    try:
        async with httpx.AsyncClient() as client:
            return (await client.get(url)).status_code == 200
    except httpx.HTTPError:
        return False


async def test_a_failing_ops_server_stops_the_background_loops(monkeypatch: pytest.MonkeyPatch) -> None:
    loops = FakeLoops()

    async def failing_ops_server(state: AppState) -> None:
        await loops.running.wait()
        raise RuntimeError("the ops server broke")

    monkeypatch.setattr(service.worker, "run_workers", loops.run)
    monkeypatch.setattr(main, "_serve_ops", failing_ops_server)
    with pytest.raises(ExceptionGroup) as failed:
        async with asyncio.timeout(STOP_SECONDS):
            await main._worker_parts(worker_state(free_port()))
    assert failed.group_contains(RuntimeError, match="the ops server broke")
    assert loops.stopped  # before the error ended the worker, not left running


async def test_failing_background_loops_stop_the_ops_server(monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    livez = f"http://127.0.0.1:{port}/livez"

    async def failing_loops(state: AppState, workers: int) -> None:
        await eventually(lambda: answers(livez), timeout=30)
        raise RuntimeError("the background loops broke")

    monkeypatch.setattr(service.worker, "run_workers", failing_loops)
    with pytest.raises(ExceptionGroup) as failed:
        async with asyncio.timeout(60):
            await main._worker_parts(worker_state(port))
    assert failed.group_contains(RuntimeError, match="the background loops broke")
    # No /livez "ok" from a worker whose loops are gone: its ops server stopped listening.
    assert not await answers(livez)


async def test_a_cancelled_ops_server_shuts_down_as_uvicorn_does(caplog: pytest.LogCaptureFixture) -> None:
    """Cancelled (SIGTERM, or the background loops failed), the ops server goes through uvicorn's
    own shutdown: it stops listening and ends its app's lifespan. Cancelled inside uvicorn, it
    skipped that, and the lifespan task it left waiting was cancelled when the process's event
    loop closed, which uvicorn logged as a failed shutdown with a traceback at every SIGTERM."""
    caplog.set_level(logging.INFO, logger="uvicorn.error")
    port = free_port()
    livez = f"http://127.0.0.1:{port}/livez"
    ops = asyncio.create_task(main._serve_ops(worker_state(port)))
    try:
        await eventually(lambda: answers(livez), timeout=30)
    finally:
        ops.cancel()
        with pytest.raises(asyncio.CancelledError):
            async with asyncio.timeout(STOP_SECONDS):
                await ops
    said = [r.getMessage() for r in caplog.records if r.name == "uvicorn.error"]
    assert "Application shutdown complete." in said, said
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], said
    lifespans = [t for t in asyncio.all_tasks() if "LifespanOn.main" in repr(t.get_coro())]
    assert lifespans == []  # not left waiting for a shutdown that never comes
    assert not await answers(livez)


# `main.py worker` as a process, its database and model replaced by fakes: the real _run (SIGTERM)
# and _worker, the real ops server.
FAKE_WORKER = """
import asyncio, contextlib, sys
from dataclasses import replace
from types import SimpleNamespace

import main
import service.state
import service.worker
from service.config import Settings


@contextlib.asynccontextmanager
async def open_state(settings):
    yield SimpleNamespace(settings=settings)


async def run_workers(state, workers):
    print("loops running", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        print("loops stopped", flush=True)


service.state.open_state = open_state
service.worker.run_workers = run_workers
settings = replace(Settings(), host="127.0.0.1", metrics_port=int(sys.argv[1]))
sys.exit(main._run(main._worker(settings)))
"""


def start_fake_worker(tmp_path: Path, port: int) -> "subprocess.Popen[str]":
    script = tmp_path / "fake_worker.py"
    script.write_text(FAKE_WORKER)
    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    return subprocess.Popen(
        [sys.executable, str(script), str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


async def ended(process: "subprocess.Popen[str]") -> tuple[int, str, str]:
    try:
        out, err = await asyncio.to_thread(process.communicate, timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            await asyncio.to_thread(process.wait)
    return process.returncode, out, err


async def test_a_taken_metrics_port_ends_the_worker_process_with_an_error(tmp_path: Path) -> None:
    with contextlib.closing(socket.socket()) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out, err = await ended(start_fake_worker(tmp_path, port))
    assert code == 1, (out, err)
    assert "the ops server could not start on port" in err, err
    assert out.splitlines() == ["loops running", "loops stopped"], out


async def test_sigterm_stops_the_worker_process_and_both_its_parts(tmp_path: Path) -> None:
    port = free_port()
    process = start_fake_worker(tmp_path, port)
    try:

        async def serving() -> bool:
            assert process.poll() is None, process.communicate()
            return await answers(f"http://127.0.0.1:{port}/livez")

        await eventually(serving, timeout=60, interval=0.1)
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
    finally:
        code, out, err = await ended(process)
    assert time.monotonic() - started < STOP_SECONDS
    assert code == 128 + signal.SIGTERM, (out, err)
    assert out.splitlines() == ["loops running", "loops stopped"], (out, err)
