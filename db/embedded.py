"""The embedded PostgreSQL (pgserver): the default database when DATABASE_URL is unset."""

import warnings
from pathlib import Path

from db.errors import DatabaseSetupError


def embedded_database_url(data_dir: Path) -> str:
    """Start (or join) the PostgreSQL kept under data_dir/pg and return its URL.

    pgserver counts the processes using a data directory: two processes given the same
    directory share one server, and it keeps running while any of them is alive.
    """
    with warnings.catch_warnings():
        # pgserver asks platformdirs for a runtime dir; without XDG_RUNTIME_DIR (containers, CI)
        # platformdirs warns and falls back to /tmp, which is fine here.
        warnings.simplefilter("ignore")
        import pgserver

    pgdata = (data_dir / "pg").resolve()
    pgdata.mkdir(parents=True, exist_ok=True)
    try:
        server = pgserver.get_server(pgdata)  # type: ignore[attr-defined]
    except Exception as exc:
        raise DatabaseSetupError(f"could not start the embedded PostgreSQL in {pgdata}: {exc}") from exc
    return str(server.get_uri())
