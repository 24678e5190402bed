"""Staff: parked notifications (see and retry them) and webhook endpoints (register, list, delete).
Who may call these is declared on the schema's fields (schema/permissions.py)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from db.queries import q
from db.types import Pool
from service import audit
from service.auth import Viewer
from service.errors import ErrorReason, UserErrors, not_found
from service.notifications import webhooks
from service.notifications.kinds import NotificationKind
from service.validation import Checker


@dataclass(frozen=True)
class NotificationRecord:
    id: int
    kind: NotificationKind
    channel: str
    status: str
    # Who it is for, without their address: "account 12", "staff alert", or the endpoint's URL.
    recipient: str
    request_id: int | None
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> "NotificationRecord":
        if row["channel"] == "WEBHOOK":
            recipient = f"webhook {row['webhook_url']}"
        elif row["recipient_account_id"] is None:
            recipient = "staff alert"
        else:
            recipient = f"account {row['recipient_account_id']}"
        return cls(
            id=row["id"],
            kind=NotificationKind(row["kind"]),
            channel=row["channel"],
            status=str(row["status"]),
            recipient=recipient,
            request_id=row["request_id"],
            attempts=row["attempts"],
            last_error=row["last_error"],
            created_at=row["created_at"],
            next_attempt_at=row["next_attempt_at"],
            sent_at=row["sent_at"],
        )


@dataclass(frozen=True)
class WebhookEndpointRecord:
    id: int
    url: str
    kinds: tuple[NotificationKind, ...]
    trusted: bool
    description: str | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> "WebhookEndpointRecord":
        return cls(
            id=row["id"],
            url=row["url"],
            kinds=tuple(NotificationKind(k) for k in row["kinds"]),
            trusted=row["trusted"],
            description=row["description"],
            created_at=row["created_at"],
        )


async def parked(pool: Pool, after: int | None, first: int) -> tuple[list[NotificationRecord], int]:
    # One snapshot for the page and its count: a message parked between two separate reads
    # would be counted but missing from the page.
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        rows = await conn.fetch(q("parked_notifications"), after, first + 1)
        total: int = await conn.fetchval(q("count_parked_notifications"))
    return [NotificationRecord.from_row(r) for r in rows], total


async def retry(pool: Pool, viewer: Viewer, notification_id: int) -> NotificationRecord:
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(q("retry_notification"), notification_id)
        if row is None:
            current = await conn.fetchrow(q("notification_by_id"), notification_id)
            if current is None:
                raise not_found("Notification", "id")
            raise UserErrors.one(ErrorReason.NOT_ALLOWED_IN_STATUS, "id", status=current["status"])
        await conn.execute(q("wake_notification_senders"))
        await audit.record(
            conn,
            audit.AuditAction.NOTIFICATION_RETRIED,
            actor=viewer.account_id,
            subject=("Notification", notification_id),
        )
    return NotificationRecord.from_row(row)


@dataclass(frozen=True)
class WebhookInput:
    url: str
    kinds: Sequence[NotificationKind]
    trusted: bool
    description: str | None


async def register_webhook(
    pool: Pool, viewer: Viewer, data: WebhookInput, *, allow_local_http: bool
) -> tuple[WebhookEndpointRecord, str]:
    """A new endpoint and its signing secret (returned here only: shown once)."""
    check = Checker("input")
    url = data.url.strip()
    problem = webhooks.url_problem(url, allow_local_http=allow_local_http)
    if problem:
        check.fail("url", problem.reason, **problem.params)
    kinds = list(dict.fromkeys(k.value for k in data.kinds))
    if not kinds:
        check.fail("kinds", ErrorReason.BLANK)
    description = check.optional_line("description", data.description, max_len=200)
    check.check()
    secret = webhooks.new_secret()
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(
            q("insert_webhook_endpoint"), url, kinds, secret, data.trusted, description, viewer.account_id
        )
        assert row is not None  # noqa: S101 - INSERT ... RETURNING
        await audit.record(
            conn,
            audit.AuditAction.WEBHOOK_REGISTERED,
            actor=viewer.account_id,
            subject=("WebhookEndpoint", row["id"]),
            details={"kinds": kinds, "trusted": data.trusted},
        )
    return WebhookEndpointRecord.from_row(row), secret


async def delete_webhook(pool: Pool, viewer: Viewer, endpoint_id: int) -> WebhookEndpointRecord:
    """No more deliveries to it; messages still queued for it are skipped."""
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(q("delete_webhook_endpoint"), endpoint_id)
        if row is None:
            raise not_found("WebhookEndpoint", "id")
        await audit.record(
            conn,
            audit.AuditAction.WEBHOOK_DELETED,
            actor=viewer.account_id,
            subject=("WebhookEndpoint", endpoint_id),
        )
    return WebhookEndpointRecord.from_row(row)


async def webhook_endpoints(pool: Pool) -> list[WebhookEndpointRecord]:
    return [WebhookEndpointRecord.from_row(r) for r in await pool.fetch(q("live_webhook_endpoints"))]
