"""Spot Otonari-san command line: serve, worker, migrate, create-staff, staff-token, backup, restore,
seed-demo, triage."""

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Coroutine
from dataclasses import replace
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from service import logs, memory
from service.config import Settings

if TYPE_CHECKING:
    from service.context import AppState


def _serve(settings: Settings) -> int:
    import uvicorn

    from app.server import create_app
    from service.stopping import STOP_SECONDS

    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="info",
        # Logging is service.logs' (OTONARI_LOG_FORMAT); the request lines are service.observe's,
        # without the query string uvicorn's access log would print (a GET query holds the text).
        log_config=None,
        access_log=False,
        # Live updates are ~150-byte messages: compressing each costs more CPU than it saves.
        ws_per_message_deflate=False,
        # Which proxy header names the client is the app's setting (OTONARI_TRUSTED_PROXY_HEADER),
        # not uvicorn's: it would otherwise trust X-Forwarded-For from any local peer.
        proxy_headers=False,
        # A WebSocket message is refused beyond the body limit anyway (close 1009): no need to
        # buffer uvicorn's default 16 MiB first.
        ws_max_size=max(settings.max_body_bytes * 2, 1024 * 1024),
        # A stop gives requests still running this long, then cancels them (uvicorn logs how many):
        # without it uvicorn waits for them without a bound (README: stopping).
        timeout_graceful_shutdown=int(STOP_SECONDS),
    )
    return 0


async def _migrate(settings: Settings) -> int:
    from service.state import open_database

    _, pool = await open_database(settings)
    await pool.close()
    print("database is up to date")
    return 0


async def _worker(settings: Settings) -> int:
    from service.state import open_state

    # Background work alone in its process: its own, longer statement timeout.
    timeout = settings.db_worker_statement_timeout_ms
    async with open_state(replace(settings, db_statement_timeout_ms=timeout)) as state:
        logging.getLogger(__name__).info("worker started")
        await _worker_parts(state)
    return 0


async def _worker_parts(state: "AppState") -> None:
    """The background loops and, with OTONARI_METRICS_PORT, the ops server, until cancelled
    (SIGTERM). A task group, not gather: when one part fails the other is stopped (the loops
    within STOP_SECONDS, service.stopping) before the error ends the process (exit 1). gather
    raised the first error and left the other part running unsupervised: an ops server saying
    /livez ok for a worker whose loops had ended, or loops without their metrics."""
    from service.worker import run_workers

    workers = max(1, state.settings.workers)
    if state.settings.metrics_port is None:
        await run_workers(state, workers)
        return
    async with asyncio.TaskGroup() as parts:
        parts.create_task(run_workers(state, workers), name="background-work")
        parts.create_task(_serve_ops(state), name="ops-server")


async def _serve_ops(state: "AppState") -> None:
    """A worker's /metrics, /livez and /readyz (OTONARI_METRICS_PORT): its triage and offer
    figures are its own, Prometheus scrapes it as it scrapes the API processes."""
    import contextlib
    from collections.abc import AsyncIterator

    import uvicorn
    from starlette.applications import Starlette

    from service import ops
    from service.observe import RequestObserver
    from service.stopping import STOP_SECONDS

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, "AppState"]]:
        yield {"otonari": state}

    app = Starlette(routes=ops.routes(), lifespan=lifespan)
    app.add_middleware(RequestObserver)
    port = state.settings.metrics_port
    config = uvicorn.Config(
        app,
        host=state.settings.host,
        port=port or 0,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=int(STOP_SECONDS),  # a stop is bounded, as the API server's
    )
    server = uvicorn.Server(config)

    async def serve() -> None:
        try:
            await server.serve()
        except SystemExit as stopped:
            # uvicorn's way of saying it could not start (the port taken, say): an error of this
            # part, which stops the others (_worker_parts), not an exit out of the event loop.
            raise RuntimeError(f"the ops server could not start on port {port}") from stopped

    serving = asyncio.create_task(serve(), name="ops-server-uvicorn")
    try:
        await asyncio.shield(serving)
    except asyncio.CancelledError:
        # Stopped (SIGTERM, or the background work failed): uvicorn is asked to stop as it asks
        # itself, and shuts down (stops listening, ends requests in flight and the app's lifespan).
        # Cancelled inside, it skipped that, and its lifespan task, left waiting, was cancelled
        # when the event loop closed: a "failed shutdown" with a traceback at every SIGTERM.
        server.should_exit = True
        await serving
        raise
    finally:
        # Should uvicorn itself be cancelled (a second stop), still stop listening now.
        for listening in getattr(server, "servers", ()):
            listening.close()


async def _staff_token(settings: Settings, name: str, *, create: bool) -> int:
    """create-staff / staff-token: the token alone on stdout, a refusal on stderr (exit 1)."""
    from service.accounts import create_staff, issue_staff_token
    from service.auth import Role
    from service.errors import UserErrors
    from service.state import open_database

    _, pool = await open_database(settings)
    lifetime = settings.token_lifetime(Role.STAFF)
    try:
        issue = create_staff if create else issue_staff_token
        print(await issue(pool, name, token_lifetime=lifetime))
    except UserErrors as refused:
        print(f"main.py: {name!r}: {refused}", file=sys.stderr)
        return 1
    finally:
        await pool.close()
    return 0


async def _seed_demo(settings: Settings, volunteers: int) -> int:
    from service.demo import seed_demo
    from service.state import open_state

    async with open_state(settings) as state:
        await seed_demo(state, volunteers)
    return 0


async def _backup(settings: Settings, path: Path) -> int:
    from db.backup import BackupError, backup
    from service.state import database_url

    dsn = await asyncio.to_thread(database_url, settings)
    try:
        size = await backup(dsn, path, bin_dir=settings.pg_bin)
    except BackupError as refused:
        print(f"main.py backup: {refused}", file=sys.stderr)
        return 1
    print(f"backed up to {path} ({size} bytes)")
    return 0


async def _restore(settings: Settings, path: Path, force: bool) -> int:
    from db.backup import BackupError, restore
    from service.state import database_url

    # The database as it is: no migration before the restore (the next start applies newer ones).
    dsn = await asyncio.to_thread(database_url, settings)
    try:
        await restore(dsn, path, force=force, bin_dir=settings.pg_bin)
    except BackupError as refused:
        print(f"main.py restore: {refused}", file=sys.stderr)
        return 1
    print(f"restored {path}")
    return 0


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    """SIGTERM ends the process as sys.exit does, so atexit handlers run: the last process using
    the embedded PostgreSQL stops it there. (`serve`: uvicorn shuts down gracefully on SIGTERM,
    then restores this handler and raises the signal again.)"""
    raise SystemExit(128 + signum)


def _run(command: Coroutine[Any, Any, int]) -> int:
    """asyncio.run, where SIGTERM cancels the command as Ctrl-C does: its `finally` blocks close
    the database pool, then the process exits normally."""

    async def cancellable() -> int:
        task = asyncio.current_task()
        terminated = False

        def terminate() -> None:
            nonlocal terminated
            terminated = True
            if task is not None:
                task.cancel()

        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, terminate)
        try:
            return await command
        except asyncio.CancelledError:
            if not terminated:
                raise
            return 128 + signal.SIGTERM

    return asyncio.run(cancellable())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="main.py", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="serve the GraphQL API (default)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    sub.add_parser("worker", help="run triage and offer-expiry workers only")
    sub.add_parser("migrate", help="apply database migrations")
    staff = sub.add_parser("create-staff", help="create a staff account; prints its token")
    staff.add_argument("name")
    staff_token = sub.add_parser(
        "staff-token", help="a fresh token for an active staff account (tokens expire); prints it"
    )
    staff_token.add_argument("name")
    backup = sub.add_parser("backup", help="back the database up to a file (pg_dump, custom format)")
    backup.add_argument("path", type=Path)
    restore = sub.add_parser("restore", help="restore a backup into an empty database")
    restore.add_argument("path", type=Path)
    restore.add_argument(
        "--force", action="store_true", help="replace everything in a database that is not empty"
    )
    demo = sub.add_parser("seed-demo", help="load demo volunteers and residents; prints tokens")
    demo.add_argument("--volunteers", type=int, default=220)
    triage = sub.add_parser("triage", help="triage one text and print the result as JSON")
    triage.add_argument("text")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    logs.configure(settings.log_format)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    command = args.command or "serve"
    if command in ("serve", "worker"):
        memory.limit_malloc_arenas()  # long-running: before the thread pools start
        memory.bound_native_caches()  # and before torch's first kernel
    if command == "serve":
        overrides = {
            k: v for k, v in (("host", args.__dict__.get("host")), ("port", args.__dict__.get("port"))) if v
        }
        return _serve(replace(settings, **overrides))
    if command == "worker":
        return _run(_worker(settings))
    if command == "migrate":
        return _run(_migrate(settings))
    if command in ("create-staff", "staff-token"):
        return _run(_staff_token(settings, args.name, create=command == "create-staff"))
    if command == "backup":
        return _run(_backup(settings, args.path))
    if command == "restore":
        return _run(_restore(settings, args.path, args.force))
    if command == "seed-demo":
        return _run(_seed_demo(settings, args.volunteers))
    from triage.cli import main as triage_main

    return int(triage_main([args.text]))


if __name__ == "__main__":
    sys.exit(main())
