"""The embedded PostgreSQL: the default database when DATABASE_URL is unset.

pgserver supplies the PostgreSQL 16 binaries; this module owns the server's lifecycle. (pgserver's
own bookkeeping, a JSON list of pids pruned by atexit, never stops the server again once one user
was killed, and a SIGTERM-ed process never runs atexit.)

Beside the data directory DATA_DIR/pg:

- ``DATA_DIR/pg.lock``: held exclusively while a process starts, joins, leaves or stops the server;
- ``DATA_DIR/pg.users/<pid>``: one file per process using the server, flock-ed for as long as the
  process lives. The kernel drops the lock when the process dies, however it dies, so the live
  users are exactly the files whose lock is held.

A process joins with ``embedded_database_url``: it joins or adopts a running server, or starts one
after clearing what a killed server leaves behind (a stale postmaster.pid naming a dead or reused
pid, orphaned backends still holding its shared memory). It leaves at exit (``main.py`` turns
SIGTERM into a normal exit): the last user to leave stops the server unless it was asked to keep it
running. A process killed with SIGKILL cannot leave; its server runs on until the next process
adopts it, and that process's exit stops it.
"""

import atexit
import contextlib
import fcntl
import hashlib
import logging
import os
import shlex
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote

import psutil

from db.errors import DatabaseSetupError

log = logging.getLogger(__name__)

START_TIMEOUT = 60.0  # seconds; crash recovery after a kill can take a while
STOP_TIMEOUT = 30.0  # seconds of "fast" shutdown before "immediate", then SIGKILL
DB_USER = "postgres"
# PostgreSQL refuses to run as root: as root the server runs as this user (pgserver's choice, so
# data directories it created keep working).
SYSTEM_USER = "pgserver"
SOCKET_NAME = ".s.PGSQL.5432"
SOCKET_PATH_MAX = 103  # bytes of a Unix socket path (macOS; Linux allows 107)


@dataclass(frozen=True)
class _Paths:
    data_dir: Path  # resolved

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pg"

    @property
    def lock(self) -> Path:
        return self.data_dir / "pg.lock"

    @property
    def users(self) -> Path:
        return self.data_dir / "pg.users"

    @property
    def log(self) -> Path:
        return self.pgdata / "log"


@dataclass(frozen=True)
class _Postmaster:
    """What postmaster.pid says about the server."""

    pid: int
    socket_dir: Path | None
    status: str  # "starting", "ready" or "stopping"; "" while postgres is still writing the file

    @property
    def url(self) -> str:
        if self.socket_dir is None:
            raise DatabaseSetupError("the embedded PostgreSQL has no Unix socket (postmaster.pid)")
        return f"postgresql://{DB_USER}:@/{DB_USER}?host={quote(str(self.socket_dir), safe='/')}"


@dataclass
class _Membership:
    """This process's use of one data directory's server."""

    pid: int
    url: str
    keep_running: bool
    lock_file: BinaryIO  # flock-ed for as long as this process uses the server


_memberships: dict[Path, _Membership] = {}
_process_lock = threading.Lock()  # joins and leaves of this process's threads, one at a time


# --- public API ----------------------------------------------------------------------------


def embedded_database_url(data_dir: Path, *, keep_running: bool = False) -> str:
    """Start or join the PostgreSQL kept under data_dir/pg and return its URL.

    This process counts as a user of the server until it exits (or calls
    ``leave_embedded_database``); the last user to leave stops the server, unless it was asked
    to keep it running. Processes given the same directory share one server.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    paths = _Paths(data_dir.resolve())
    with _process_lock:
        current = _memberships.get(paths.data_dir)
        if current is not None and current.pid == os.getpid():
            current.keep_running |= keep_running
            return current.url
        try:
            with _lifecycle_lock(paths):
                server = _ensure_running(paths)
                lock_file = _register(paths)
        except DatabaseSetupError:
            raise
        except (OSError, subprocess.SubprocessError, psutil.Error) as exc:
            raise DatabaseSetupError(
                f"could not start the embedded PostgreSQL in {paths.pgdata}: {exc}"
            ) from exc
        _memberships[paths.data_dir] = _Membership(os.getpid(), server.url, keep_running, lock_file)
        return server.url


def leave_embedded_database(data_dir: Path) -> None:
    """This process stops using the server; if it was the last user, the server stops (unless
    kept running). Called for every joined directory at exit."""
    paths = _Paths(data_dir.resolve())
    with _process_lock:
        membership = _memberships.pop(paths.data_dir, None)
        if membership is None or membership.pid != os.getpid():
            return  # never joined, or joined by the parent of this forked process
        with _lifecycle_lock(paths):
            (paths.users / str(membership.pid)).unlink(missing_ok=True)
            membership.lock_file.close()
            others = _live_users(paths)
            if others:
                log.info(
                    "embedded PostgreSQL in %s stays up for %d other process(es): %s",
                    paths.pgdata,
                    len(others),
                    ", ".join(map(str, others)),
                )
            elif membership.keep_running:
                log.info("embedded PostgreSQL in %s left running (OTONARI_KEEP_EMBEDDED_DB)", paths.pgdata)
            else:
                _stop(paths)


def stop_embedded_database(data_dir: Path) -> None:
    """Stop the server now, whoever still uses it (for tools about to delete the directory)."""
    paths = _Paths(data_dir.resolve())
    if not paths.data_dir.is_dir():
        return
    with _process_lock:
        membership = _memberships.pop(paths.data_dir, None)
        with _lifecycle_lock(paths):
            if membership is not None and membership.pid == os.getpid():
                (paths.users / str(membership.pid)).unlink(missing_ok=True)
                membership.lock_file.close()
            _stop(paths)
            _kill_strays(paths.pgdata)


def embedded_postmaster_pid(data_dir: Path) -> int | None:
    """The pid of the server running for data_dir, if one is."""
    pgdata = (data_dir / "pg").resolve()
    server = _read_postmaster_file(pgdata)
    return server.pid if server is not None and _is_server_process(server.pid, pgdata) else None


@atexit.register
def _leave_all() -> None:
    for data_dir in list(_memberships):
        try:
            leave_embedded_database(data_dir)
        except Exception:
            log.exception("could not leave the embedded PostgreSQL in %s", data_dir)


# --- users of a data directory -------------------------------------------------------------


@contextlib.contextmanager
def _lifecycle_lock(paths: _Paths) -> Iterator[None]:
    with paths.lock.open("ab") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield  # closing the file releases the lock


def _register(paths: _Paths) -> BinaryIO:
    """This process's user file, locked until the process leaves or dies."""
    paths.users.mkdir(exist_ok=True)
    lock_file = (paths.users / str(os.getpid())).open("wb")  # a dead process's file with our pid is stale
    try:
        fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        lock_file.write(shlex.join([sys.executable, *sys.argv]).encode() + b"\n")  # for humans
        lock_file.flush()
    except BaseException:
        lock_file.close()
        raise
    return lock_file


def _live_users(paths: _Paths) -> list[int]:
    """Pids of the processes using the server; files left by processes that died are removed."""
    live = []
    for entry in paths.users.glob("[0-9]*"):
        with contextlib.suppress(FileNotFoundError), entry.open("rb") as user:
            try:
                fcntl.flock(user, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                live.append(int(entry.name))
            else:
                entry.unlink()  # its process died without leaving (SIGKILL, a crash)
    return sorted(live)


# --- the server ----------------------------------------------------------------------------


def _ensure_running(paths: _Paths) -> _Postmaster:
    """Join or adopt the running server, or start one. Called under the lifecycle lock."""
    deadline = time.monotonic() + START_TIMEOUT
    while (server := _read_postmaster_file(paths.pgdata)) is not None and _is_server_process(
        server.pid, paths.pgdata
    ):
        if server.status == "ready":
            users = _live_users(paths)
            if users:
                log.info("joined the embedded PostgreSQL (pid %d), used by %s", server.pid, users)
            else:
                log.info(
                    "adopted the embedded PostgreSQL (pid %d) left running by an earlier process", server.pid
                )
            return server
        # Starting (crash recovery) or stopping, on its own: wait until it is ready or gone.
        if time.monotonic() > deadline:
            raise DatabaseSetupError(
                f"the embedded PostgreSQL in {paths.pgdata} (pid {server.pid}) stayed "
                f"{server.status or 'starting'} for {START_TIMEOUT:.0f} s\n{_log_tail(paths.log)}"
            )
        time.sleep(0.1)
    _clear_leftovers(paths, server)
    return _start(paths)


def _start(paths: _Paths) -> _Postmaster:
    system_user = _system_user()
    paths.pgdata.mkdir(exist_ok=True)
    if system_user is not None:
        _let_system_user_in(paths.pgdata, system_user)
    if not (paths.pgdata / "PG_VERSION").exists():
        _initdb(paths.pgdata, system_user)
    socket_dir = _socket_dir(paths.pgdata, system_user)
    options = f"-h '' -k {shlex.quote(str(socket_dir))}"  # Unix socket only: no TCP port to collide
    pg_ctl_args = ["-w", "-t", str(int(START_TIMEOUT)), "-l", str(paths.log), "-o", options, "start"]
    _run("pg_ctl", paths.pgdata, pg_ctl_args, system_user)
    server = _read_postmaster_file(paths.pgdata)
    if server is None or server.status != "ready" or not _is_server_process(server.pid, paths.pgdata):
        raise DatabaseSetupError(
            f"the embedded PostgreSQL in {paths.pgdata} did not start\n{_log_tail(paths.log)}"
        )
    log.info("started the embedded PostgreSQL (pid %d) in %s", server.pid, paths.pgdata)
    return server


def _initdb(pgdata: Path, system_user: str | None) -> None:
    if any(pgdata.iterdir()):
        raise DatabaseSetupError(
            f"{pgdata} is not empty but holds no PostgreSQL data (no PG_VERSION): "
            "move it away and start again"
        )
    log.info("creating the embedded PostgreSQL data directory %s", pgdata)
    args = ["--auth=trust", "--auth-local=trust", "--encoding=utf8", "-U", DB_USER]
    _run("initdb", pgdata, args, system_user)


def _stop(paths: _Paths) -> None:
    """Stop the running server, if any: fast shutdown (sessions ended, checkpoint), then harder."""
    server = _read_postmaster_file(paths.pgdata)
    if server is None or not _is_server_process(server.pid, paths.pgdata):
        return
    process = psutil.Process(server.pid)
    for sig, seconds in ((signal.SIGINT, STOP_TIMEOUT), (signal.SIGQUIT, 5.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(psutil.NoSuchProcess):
            process.send_signal(sig)
        if _gone_within(process, seconds):
            log.info("stopped the embedded PostgreSQL (pid %d) in %s", server.pid, paths.pgdata)
            return
        log.warning("the embedded PostgreSQL (pid %d) ignored %s for %.0f s", server.pid, sig.name, seconds)


def _clear_leftovers(paths: _Paths, stale: _Postmaster | None) -> None:
    """What a killed server leaves behind. Called only when no server of pgdata is running."""
    _kill_strays(paths.pgdata)
    # Its pid file and socket lock files name a dead pid, or one now reused by another process
    # (PostgreSQL would then refuse to start).
    socket_dirs = {paths.pgdata}
    if stale is not None and stale.socket_dir is not None:
        socket_dirs.add(stale.socket_dir)
    stale_files = [paths.pgdata / "postmaster.pid"]
    stale_files += [d / name for d in socket_dirs for name in (SOCKET_NAME, f"{SOCKET_NAME}.lock")]
    for path in stale_files:
        if path.exists():
            log.info("removing %s, left by a server that is gone", path)
            path.unlink(missing_ok=True)


def _kill_strays(pgdata: Path) -> None:
    """Backends orphaned by a killed postmaster hold its shared memory (PostgreSQL will not start
    while they do), and a server of a deleted and recreated directory runs on unseen: kill them."""
    strays = _server_processes(pgdata)
    for process in strays:
        log.warning("killing a leftover PostgreSQL process %d of %s", process.pid, pgdata)
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    for process in strays:
        _gone_within(process, 5.0)


# --- processes and files -------------------------------------------------------------------


def _read_postmaster_file(pgdata: Path) -> _Postmaster | None:
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
        pid = int(lines[0])
    except (FileNotFoundError, IndexError, ValueError):
        return None  # absent, or being written
    line = dict(enumerate(lines))
    socket_dir = line.get(4, "").strip()
    return _Postmaster(pid, Path(socket_dir) if socket_dir else None, line.get(7, "").strip())


def _is_server_process(pid: int, pgdata: Path) -> bool:
    """Whether pid is a live PostgreSQL process of pgdata (every one runs in its data directory)."""
    try:
        process = psutil.Process(pid)
        return _belongs_to(process, pgdata)
    except psutil.NoSuchProcess:
        return False


def _server_processes(pgdata: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter():
        with contextlib.suppress(psutil.Error):
            if _belongs_to(process, pgdata):
                found.append(process)
    return found


def _belongs_to(process: psutil.Process, pgdata: Path) -> bool:
    if process.name() != "postgres" or process.status() == psutil.STATUS_ZOMBIE:
        return False
    try:
        cwd = process.cwd()
    except psutil.AccessDenied:
        # Another user's PostgreSQL (a system one): ours run as this user, or as SYSTEM_USER
        # when this process is root and may inspect anything.
        return False
    return cwd in (str(pgdata), f"{pgdata} (deleted)")


def _gone_within(process: psutil.Process, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if not process.is_running() or process.status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)


def _socket_dir(pgdata: Path, system_user: str | None) -> Path:
    """pgdata, unless its path is too long for a Unix socket: then a directory of its own in /tmp."""
    if len(os.fsencode(pgdata / SOCKET_NAME)) <= SOCKET_PATH_MAX:
        return pgdata
    digest = hashlib.sha256(os.fsencode(pgdata)).hexdigest()[:16]
    short = Path(tempfile.gettempdir()) / f"otonari-pg-{digest}"
    short.mkdir(mode=0o700, exist_ok=True)
    if system_user is not None:
        _chown(short, system_user)
    return short


def _log_tail(log_path: Path, lines: int = 20) -> str:
    try:
        tail = log_path.read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return ""
    return f"--- last lines of {log_path} ---\n" + "\n".join(tail)


# --- running PostgreSQL's programs ---------------------------------------------------------


def _pgserver_utils() -> Any:
    with warnings.catch_warnings():
        # pgserver asks platformdirs for a runtime dir on import; without XDG_RUNTIME_DIR
        # (containers, CI) platformdirs warns and falls back to /tmp, which is fine here.
        warnings.simplefilter("ignore")
        import pgserver.utils

    return pgserver.utils


def _bin_dir() -> Path:
    return Path(_pgserver_utils().__file__).parent / "pginstall" / "bin"


def bundled_bin_dir() -> Path:
    """The bin directory of the PostgreSQL pgserver bundles (pg_dump, pg_restore, psql, ...)."""
    return _bin_dir()


def _run(program: str, pgdata: Path, args: list[str], system_user: str | None) -> None:
    """One of PostgreSQL's programs on pgdata, as the server's user; a clear error if it fails."""
    try:
        subprocess.run(  # noqa: S603 - PostgreSQL's own programs, arguments built here
            [str(_bin_dir() / program), "-D", str(pgdata), *args],
            cwd=pgdata,  # a directory the server's user may enter
            user=system_user,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=True,
            timeout=START_TIMEOUT + 30,
        )
    except subprocess.CalledProcessError as exc:
        output = (exc.stderr or exc.stdout or "").strip()
        tail = _log_tail(pgdata / "log")
        raise DatabaseSetupError(f"{program} failed for {pgdata}: {output}\n{tail}".rstrip()) from exc


def _system_user() -> str | None:
    """The user the server runs as when this process is root (None: this process's user)."""
    if os.geteuid() != 0:
        return None
    _pgserver_utils().ensure_user_exists(SYSTEM_USER)
    return SYSTEM_USER


def _let_system_user_in(pgdata: Path, system_user: str) -> None:
    """The server's user must reach the data directory and run the programs (as pgserver does)."""
    utils = _pgserver_utils()
    bin_dir = _bin_dir()
    utils.ensure_prefix_permissions(pgdata)
    utils.ensure_prefix_permissions(bin_dir)
    read = stat.S_IRGRP | stat.S_IROTH
    utils.ensure_folder_permissions(bin_dir, read | stat.S_IXGRP | stat.S_IXOTH)
    utils.ensure_folder_permissions(bin_dir.parent / "lib", read)
    _chown(pgdata, system_user)


def _chown(path: Path, user: str) -> None:
    import pwd

    entry = pwd.getpwnam(user)
    os.chown(path, entry.pw_uid, entry.pw_gid)
