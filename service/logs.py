"""Log lines as text for a terminal or as one JSON object per line for a collector
(OTONARI_LOG_FORMAT). Structured fields (`extra={"fields": {...}}`, service.observe) become keys
in JSON and `key=value` pairs in text; every line written during a request carries its id."""

import json
import logging
import os
from datetime import UTC, datetime
from typing import Any

from service.observe import current_request

LOG_FORMATS = ("text", "json")


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields: dict[str, Any] = dict(getattr(record, "fields", None) or {})
    if "request_id" not in fields:
        entry = current_request.get()
        if entry is not None:
            fields["request_id"] = entry.request_id
    return fields


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = _fields(record)
        if not fields:
            return text
        pairs = " ".join(f"{k}={v}" for k, v in fields.items() if v is not None)
        head, newline, rest = text.partition("\n")  # a traceback stays below the line
        return f"{head} {pairs}{newline}{rest}"


class PoolFloorWithoutTraceback(logging.Filter):
    """asyncpg's pool says "Failed to restore the pool connection floor; retrying" with a full
    traceback each time it retries (1 s, 2 s, ... up to 60 s) while the database is away: a known
    condition, which the service's own loops already say once (service.outage_log). Keep the line
    and its error, drop the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.getMessage().startswith("Failed to restore the pool connection floor"):
            error = record.exc_info[1]
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {error})"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True


def configure(log_format: str, level: int = logging.INFO) -> None:
    """The root logger's one handler (stderr) in this format; uvicorn's loggers propagate to it."""
    if log_format == "json":
        # Progress bars (the model loading) would be lines a collector cannot parse.
        os.environ.setdefault("TQDM_DISABLE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    pool = logging.getLogger("asyncpg.pool")
    if not any(isinstance(f, PoolFloorWithoutTraceback) for f in pool.filters):
        pool.addFilter(PoolFloorWithoutTraceback())
