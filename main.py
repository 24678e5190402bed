"""Spot Otonari-san command line: serve, worker, migrate, create-staff, seed-demo, triage."""

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Coroutine
from dataclasses import replace
from types import FrameType
from typing import Any

from service.config import Settings


def _serve(settings: Settings) -> int:
    import uvicorn

    from service.app import create_app

    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="info",
        # Live updates are ~150-byte messages: compressing each costs more CPU than it saves.
        ws_per_message_deflate=False,
        # Which proxy header names the client is the app's setting (OTONARI_TRUSTED_PROXY_HEADER),
        # not uvicorn's: it would otherwise trust X-Forwarded-For from any local peer.
        proxy_headers=False,
        # A WebSocket message is refused beyond the body limit anyway (close 1009): no need to
        # buffer uvicorn's default 16 MiB first.
        ws_max_size=max(settings.max_body_bytes * 2, 1024 * 1024),
    )
    return 0


async def _migrate(settings: Settings) -> int:
    from service.app import open_database

    _, pool = await open_database(settings)
    await pool.close()
    print("database is up to date")
    return 0


async def _worker(settings: Settings) -> int:
    from service.app import open_state
    from service.worker import run_workers

    async with open_state(settings) as state:
        logging.getLogger(__name__).info("worker started")
        await run_workers(state, max(1, settings.workers))
    return 0


async def _create_staff(settings: Settings, name: str) -> int:
    from service.accounts import create_staff
    from service.app import open_database

    _, pool = await open_database(settings)
    try:
        print(await create_staff(pool, name))
    finally:
        await pool.close()
    return 0


async def _seed_demo(settings: Settings, volunteers: int) -> int:
    from service.app import open_state
    from service.demo import seed_demo

    async with open_state(settings) as state:
        await seed_demo(state, volunteers)
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
    demo = sub.add_parser("seed-demo", help="load demo volunteers and residents; prints tokens")
    demo.add_argument("--volunteers", type=int, default=220)
    triage = sub.add_parser("triage", help="triage one text and print the result as JSON")
    triage.add_argument("text")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    command = args.command or "serve"
    if command == "serve":
        overrides = {
            k: v for k, v in (("host", args.__dict__.get("host")), ("port", args.__dict__.get("port"))) if v
        }
        return _serve(replace(settings, **overrides))
    if command == "worker":
        return _run(_worker(settings))
    if command == "migrate":
        return _run(_migrate(settings))
    if command == "create-staff":
        return _run(_create_staff(settings, args.name))
    if command == "seed-demo":
        return _run(_seed_demo(settings, args.volunteers))
    from triage.cli import main as triage_main

    return int(triage_main([args.text]))


if __name__ == "__main__":
    sys.exit(main())
