"""All configuration, read from the environment in this one place (documented in the README)."""

import os
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from triage.labels import Urgency


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None


def _positive(env: dict[str, str], name: str, default: int) -> int:
    value = _int(env, name, default)
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return value


def _seconds(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, got {raw!r}") from None
    if not 0 < value <= 3600:
        raise ValueError(f"{name} must be between 0 and 3600 seconds, got {raw!r}")
    return value


def _milliseconds(env: dict[str, str], name: str, default: int) -> int:
    value = _int(env, name, default)
    if not 100 <= value <= 3_600_000:
        raise ValueError(f"{name} must be between 100 and 3600000 milliseconds, got {value}")
    return value


def _header_name(env: dict[str, str], name: str) -> str | None:
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    if not all(c.isascii() and (c.isalnum() or c == "-") for c in raw):
        raise ValueError(f"{name} must be an HTTP header name such as X-Forwarded-For, got {raw!r}")
    return raw.lower()


def _origins(env: dict[str, str], name: str) -> frozenset[str]:
    """Comma-separated web origins (scheme://host[:port]), as browsers send them in Origin."""
    found = set()
    for raw in (env.get(name) or "").split(","):
        item = raw.strip()
        if not item:
            continue
        try:
            parts = urlsplit(item)
            port = parts.port
        except ValueError:
            parts, port = None, None
        if (
            parts is None
            or parts.scheme.lower() not in {"http", "https"}
            or not parts.hostname
            or parts.path not in {"", "/"}
            or parts.query
            or parts.fragment
            or parts.username is not None
        ):
            raise ValueError(
                f"{name} must list origins such as https://app.example.org or http://localhost:5173 "
                f"(scheme, host, optional port; no path, no '*'), got {item!r}"
            )
        scheme = parts.scheme.lower()
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        default_port = {"http": 80, "https": 443}[scheme]
        found.add(f"{scheme}://{host}" + (f":{port}" if port is not None and port != default_port else ""))
    return frozenset(found)


def _file(env: dict[str, str], name: str) -> Path | None:
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    path = Path(raw)
    if not path.is_file():
        raise ValueError(f"{name} must name an existing file, got {raw!r}")
    return path


def _secret(env: dict[str, str], name: str) -> str | None:
    """A bearer secret: at least 16 visible ASCII characters (no spaces), or unset."""
    raw = env.get(name) or ""
    if not raw:
        return None
    if len(raw) < 16 or not all("!" <= c <= "~" for c in raw):
        raise ValueError(f"{name} must be at least 16 visible ASCII characters without spaces")
    return raw


def _port(env: dict[str, str], name: str) -> int | None:
    if not env.get(name):
        return None
    value = _int(env, name, 0)
    if not 1 <= value <= 65535:
        raise ValueError(f"{name} must be a TCP port (1-65535), got {value}")
    return value


def _choice(env: dict[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    raw = (env.get(name) or "").strip().lower() or default
    if raw not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, got {raw!r}")
    return raw


def _bool(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be true or false (1/0, yes/no, on/off), got {raw!r}")


# Mutation families (service.rate_limits) and their default limits per account and hour: above
# what a busy person does by hand (a staff member reviewing all day, a volunteer answering
# offers), far below what a script does.
MUTATION_RATES_PER_HOUR = {"requests": 60, "offers": 120, "reviews": 600, "profile": 30, "accounts": 300}


# An address as the service accepts one (service/notifications/addresses.py uses the same rule).
EMAIL_PATTERN = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)


@dataclass(frozen=True)
class SmtpSettings:
    """OTONARI_SMTP_URL: smtp://user:pass@host:587?starttls=1, or smtps://host:465 (TLS at once)."""

    host: str
    port: int
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    tls: bool = False
    timeout_seconds: float = 20.0

    @classmethod
    def parse(cls, url: str, name: str = "OTONARI_SMTP_URL") -> "SmtpSettings":
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(f"{name} must look like smtp://user:pass@host:587?starttls=1, got {url!r}")
        try:
            port = parts.port or (465 if parts.scheme == "smtps" else 25)
        except ValueError:
            raise ValueError(f"{name} has an invalid port") from None
        query = parse_qs(parts.query)
        unknown = set(query) - {"starttls", "timeout"}
        if unknown:
            raise ValueError(f"{name}: unknown option(s) {', '.join(sorted(unknown))} (starttls, timeout)")
        starttls = _bool({"v": query.get("starttls", [""])[-1]}, "v", False) if "starttls" in query else False
        timeout = 20.0
        if "timeout" in query:
            try:
                timeout = float(query["timeout"][-1])
            except ValueError:
                raise ValueError(f"{name}: timeout must be a number of seconds") from None
            if not 0 < timeout <= 300:
                raise ValueError(f"{name}: timeout must be between 0 and 300 seconds")
        return cls(
            host=parts.hostname,
            port=port,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            starttls=starttls,
            tls=parts.scheme == "smtps",
            timeout_seconds=timeout,
        )


def _email(env: dict[str, str], name: str, default: str) -> str:
    raw = (env.get(name) or "").strip() or default
    # "Name <address>" or a bare address.
    match = re.fullmatch(r"(?:[^<>\r\n]*<)?([^<>\s]+)>?", raw)
    if match is None or not EMAIL_PATTERN.fullmatch(match.group(1)):
        raise ValueError(f"{name} must be an email address (optionally 'Name <address>'), got {raw!r}")
    return raw


def _emails(env: dict[str, str], name: str) -> tuple[str, ...]:
    found = tuple(part.strip() for part in (env.get(name) or "").split(",") if part.strip())
    for address in found:
        if not EMAIL_PATTERN.fullmatch(address):
            raise ValueError(f"{name} must be email addresses separated by commas, got {address!r}")
    return found


def _public_url(env: dict[str, str], name: str, default: str) -> str:
    raw = (env.get(name) or "").strip() or default
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(f"{name} must be a base URL such as https://otonari.example.org, got {raw!r}")
    return raw.rstrip("/")


def _served_at(env: dict[str, str], defaults: "Settings") -> str:
    host = env.get("OTONARI_HOST") or defaults.host
    return f"http://{host}:{_int(env, 'OTONARI_PORT', defaults.port)}"


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("var")
    # None: start the embedded PostgreSQL under data_dir/pg.
    database_url: str | None = None
    # Leave the embedded PostgreSQL running when this process is the last one to stop using it.
    keep_embedded_db: bool = False
    embedding_model: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    # Background workers inside the server process (0: run `python main.py worker` separately).
    workers: int = 1
    pool_size: int = 10
    # Server-side statement_timeout of every pooled connection: a stuck query is cut, its
    # caller answered SERVICE_UNAVAILABLE. Background work gets its own, longer one.
    db_statement_timeout_ms: int = 10_000
    db_worker_statement_timeout_ms: int = 60_000
    # How long a caller waits for a pooled connection (also for a new connection to open).
    db_acquire_timeout_seconds: float = 5.0
    submit_rate_per_minute: int = 10
    offers_per_request: int = 3
    offer_ttl: dict[Urgency, timedelta] = field(
        default_factory=lambda: {
            Urgency.EMERGENCY: timedelta(minutes=30),
            Urgency.HIGH: timedelta(minutes=30),
            Urgency.NORMAL: timedelta(hours=24),
            Urgency.LOW: timedelta(hours=72),
        }
    )
    max_query_depth: int = 10
    max_aliases: int = 15
    max_body_bytes: int = 64 * 1024
    # GraphQL documents: tokens counted while parsing, refused beyond (before any validation).
    max_query_tokens: int = 1000
    # The cost a query or mutation may have (service.cost, counted before it runs), as Shopify's.
    max_query_cost: int = 1000
    # WebSocket: open connections per account (per process), operations per connection.
    max_sockets_per_account: int = 5
    max_operations_per_socket: int = 20
    # Seconds between the server's graphql-transport-ws pings on each acknowledged connection.
    ws_ping_seconds: int = 20
    # Registrations (registerResident, registerVolunteer) per client IP address, all processes.
    register_rate_per_hour: int = 20
    # Mutations per account and hour, by family (service.rate_limits), all processes.
    mutation_rate_per_hour: dict[str, int] = field(default_factory=lambda: dict(MUTATION_RATES_PER_HOUR))
    # Lower-case name of the header a trusted reverse proxy sets to the client's address
    # (X-Forwarded-For: its last entry; X-Real-IP); None: the socket's peer address.
    trusted_proxy_header: str | None = None
    # Bearer tokens expire this long after they are issued; rotateToken issues a fresh one.
    staff_token_hours: int = 12
    resident_token_days: int = 180
    volunteer_token_days: int = 180
    # Texts and contacts of requests closed longer ago than this are erased (service.erasure).
    retention_days: int = 365
    # PostgreSQL's client programs for backup/restore (None: found as db/backup.py says).
    pg_bin: Path | None = None
    graphiql: bool = True
    # Web origins whose pages may call /graphql (CORS) and open its WebSocket (Origin check).
    cors_origins: frozenset[str] = frozenset()
    # A trusted-documents manifest ({sha256: document}): only those documents run. None: any.
    trusted_documents: Path | None = None
    # The built web app (`make web`: npm ci + vite build in web/): pages, assets, GraphiQL.
    web_dir: Path = field(default_factory=lambda: Path(__file__).resolve().parent.parent / "web" / "dist")
    # Notifications (service/notifications). None: email waits in the outbox until configured.
    smtp: SmtpSettings | None = None
    mail_from: str = "Spot Otonari-san <noreply@otonari.invalid>"
    # Where EMERGENCY and "back to staff" alerts go (empty: webhooks only).
    staff_alert_emails: tuple[str, ...] = ()
    # The base of the links in messages (the web app as people reach it).
    public_url: str = "http://127.0.0.1:8000"
    # A message that failed this many times is parked for staff (failedNotifications).
    notify_max_attempts: int = 8
    # Retry n waits base * 2^(n-1) seconds (at most an hour).
    notify_retry_seconds: float = 10.0
    # Messages sent at once by one process (each lane holds one SMTP connection).
    notify_concurrency: int = 4
    # Tests and development only: webhook endpoints at http://127.0.0.1 (else HTTPS only).
    webhook_allow_local_http: bool = False
    # Fault injection for the crash-recovery test: hold each taken triage job this long first.
    triage_hold_seconds: float = 0.0
    # bench/api.py only: serve a bare strawberry `{ hello }` at /_bench/hello as a baseline.
    bench_hello: bool = False
    # /metrics for callers not on loopback (Authorization: Bearer ...); None: loopback only.
    metrics_token: str | None = None
    # `main.py worker` serves /metrics, /livez and /readyz on this port (None: it serves nothing).
    metrics_port: int | None = None
    # Log lines: "text" (a terminal) or "json" (one object per line, for a collector).
    log_format: str = "text"
    # Tests and benchmarks: count each operation's SQL statements (extensions.statements).
    count_statements: bool = False

    def token_lifetime(self, role: str) -> timedelta:
        """How long a token issued now to an account of this role stays valid."""
        if role == "STAFF":
            return timedelta(hours=self.staff_token_hours)
        if role == "VOLUNTEER":
            return timedelta(days=self.volunteer_token_days)
        return timedelta(days=self.resident_token_days)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if environ is None else environ)
        defaults = cls()
        ttl = dict(defaults.offer_ttl)
        ttl[Urgency.HIGH] = timedelta(minutes=_int(env, "OTONARI_OFFER_TTL_HIGH_MINUTES", 30))
        ttl[Urgency.EMERGENCY] = ttl[Urgency.HIGH]
        ttl[Urgency.NORMAL] = timedelta(minutes=_int(env, "OTONARI_OFFER_TTL_NORMAL_MINUTES", 24 * 60))
        ttl[Urgency.LOW] = timedelta(minutes=_int(env, "OTONARI_OFFER_TTL_LOW_MINUTES", 72 * 60))
        return cls(
            data_dir=Path(env.get("OTONARI_DATA_DIR") or defaults.data_dir),
            database_url=env.get("DATABASE_URL") or None,
            keep_embedded_db=_bool(env, "OTONARI_KEEP_EMBEDDED_DB", defaults.keep_embedded_db),
            embedding_model=env.get("OTONARI_EMBEDDING_MODEL") or None,
            host=env.get("OTONARI_HOST") or defaults.host,
            port=_int(env, "OTONARI_PORT", defaults.port),
            workers=_int(env, "OTONARI_WORKERS", defaults.workers),
            pool_size=_int(env, "OTONARI_DB_POOL_SIZE", defaults.pool_size),
            db_statement_timeout_ms=_milliseconds(
                env, "OTONARI_DB_STATEMENT_TIMEOUT_MS", defaults.db_statement_timeout_ms
            ),
            db_worker_statement_timeout_ms=_milliseconds(
                env, "OTONARI_DB_WORKER_STATEMENT_TIMEOUT_MS", defaults.db_worker_statement_timeout_ms
            ),
            db_acquire_timeout_seconds=_seconds(
                env, "OTONARI_DB_ACQUIRE_TIMEOUT_SECONDS", defaults.db_acquire_timeout_seconds
            ),
            submit_rate_per_minute=_int(
                env, "OTONARI_SUBMIT_RATE_PER_MINUTE", defaults.submit_rate_per_minute
            ),
            offers_per_request=_int(env, "OTONARI_OFFERS_PER_REQUEST", defaults.offers_per_request),
            offer_ttl=ttl,
            max_query_depth=_int(env, "OTONARI_MAX_QUERY_DEPTH", defaults.max_query_depth),
            max_aliases=_int(env, "OTONARI_MAX_ALIASES", defaults.max_aliases),
            max_body_bytes=_positive(env, "OTONARI_MAX_BODY_BYTES", defaults.max_body_bytes),
            max_query_tokens=_positive(env, "OTONARI_MAX_QUERY_TOKENS", defaults.max_query_tokens),
            max_query_cost=_positive(env, "OTONARI_MAX_QUERY_COST", defaults.max_query_cost),
            max_sockets_per_account=_positive(
                env, "OTONARI_MAX_SOCKETS_PER_ACCOUNT", defaults.max_sockets_per_account
            ),
            max_operations_per_socket=_positive(
                env, "OTONARI_MAX_OPERATIONS_PER_SOCKET", defaults.max_operations_per_socket
            ),
            ws_ping_seconds=_positive(env, "OTONARI_WS_PING_SECONDS", defaults.ws_ping_seconds),
            mutation_rate_per_hour={
                family: _positive(env, f"OTONARI_{family.upper()}_RATE_PER_HOUR", default)
                for family, default in MUTATION_RATES_PER_HOUR.items()
            },
            register_rate_per_hour=_positive(
                env, "OTONARI_REGISTER_RATE_PER_HOUR", defaults.register_rate_per_hour
            ),
            trusted_proxy_header=_header_name(env, "OTONARI_TRUSTED_PROXY_HEADER"),
            staff_token_hours=_positive(env, "OTONARI_STAFF_TOKEN_HOURS", defaults.staff_token_hours),
            resident_token_days=_positive(env, "OTONARI_RESIDENT_TOKEN_DAYS", defaults.resident_token_days),
            volunteer_token_days=_positive(
                env, "OTONARI_VOLUNTEER_TOKEN_DAYS", defaults.volunteer_token_days
            ),
            retention_days=_positive(env, "OTONARI_RETENTION_DAYS", defaults.retention_days),
            pg_bin=Path(env["OTONARI_PG_BIN"]) if env.get("OTONARI_PG_BIN") else None,
            graphiql=_bool(env, "OTONARI_GRAPHIQL", defaults.graphiql),
            cors_origins=_origins(env, "OTONARI_CORS_ORIGINS"),
            trusted_documents=_file(env, "OTONARI_TRUSTED_DOCUMENTS"),
            web_dir=Path(env.get("OTONARI_WEB_DIR") or defaults.web_dir),
            smtp=SmtpSettings.parse(env["OTONARI_SMTP_URL"]) if env.get("OTONARI_SMTP_URL") else None,
            mail_from=_email(env, "OTONARI_MAIL_FROM", defaults.mail_from),
            staff_alert_emails=_emails(env, "OTONARI_STAFF_ALERT_EMAIL"),
            public_url=_public_url(env, "OTONARI_PUBLIC_URL", _served_at(env, defaults)),
            notify_max_attempts=_positive(env, "OTONARI_NOTIFY_MAX_ATTEMPTS", defaults.notify_max_attempts),
            notify_retry_seconds=_seconds(env, "OTONARI_NOTIFY_RETRY_SECONDS", defaults.notify_retry_seconds),
            notify_concurrency=_positive(env, "OTONARI_NOTIFY_CONCURRENCY", defaults.notify_concurrency),
            webhook_allow_local_http=_bool(
                env, "OTONARI_WEBHOOK_ALLOW_LOCAL_HTTP", defaults.webhook_allow_local_http
            ),
            triage_hold_seconds=float(env.get("OTONARI_TRIAGE_HOLD_SECONDS") or 0.0),
            bench_hello=_bool(env, "OTONARI_BENCH_HELLO", defaults.bench_hello),
            count_statements=_bool(env, "OTONARI_COUNT_STATEMENTS", defaults.count_statements),
            metrics_token=_secret(env, "OTONARI_METRICS_TOKEN"),
            metrics_port=_port(env, "OTONARI_METRICS_PORT"),
            log_format=_choice(env, "OTONARI_LOG_FORMAT", ("text", "json"), defaults.log_format),
        )
