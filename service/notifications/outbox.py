"""Queue notifications in the transaction of the change that causes them.

Called with the caller's connection inside its transaction: the messages commit with the change
or not at all, and a NOTIFY at commit wakes the delivery workers (migration 0010). Rows hold only
references (request, offer, pair, recipient account, endpoint): what a message says is rendered
when it is sent, in the recipient's language of that moment.
"""

from db.queries import q
from db.types import Connection
from service.notifications.kinds import AUDIENCES, BY_EVENT, Audience, NotificationKind


async def enqueue(
    conn: Connection,
    kind: NotificationKind,
    key: str,
    *,
    request_id: int | None = None,
    offer_id: int | None = None,
    pair_id: int | None = None,
) -> int:
    """Queue `kind` for everyone it concerns; `key` names the change (unique per change).
    Returns how many messages were queued."""
    audiences = AUDIENCES[kind]
    people = [a.value for a in audiences if a is not Audience.STAFF]
    queued: int = await conn.fetchval(
        q("enqueue_notifications"),
        kind.value,
        f"{kind.value}:{key}",
        request_id,
        offer_id,
        pair_id,
        people,
        Audience.STAFF in audiences,
        0 if kind is NotificationKind.EMERGENCY_RECEIVED else 1,
    )
    return queued


async def on_event(conn: Connection, event_id: int, request_id: int, kind: str, offer_id: int | None) -> None:
    """The messages a request event causes (service.requests.emit_event calls this)."""
    notification = BY_EVENT.get(kind)
    if notification is not None:
        await enqueue(conn, notification, f"e{event_id}", request_id=request_id, offer_id=offer_id)


async def remind_expiring_offers(conn: Connection, batch: int = 100) -> int:
    """Queue "your offer is about to expire" for pending offers near their end, once each."""
    due = await conn.fetch(q("offers_due_for_reminder"), batch)
    for row in due:
        await enqueue(
            conn,
            NotificationKind.OFFER_EXPIRING,
            f"o{row['id']}",
            request_id=row["request_id"],
            offer_id=row["id"],
        )
    return len(due)


async def pair_formed(conn: Connection, pair_id: int, request_id: int) -> None:
    kind = NotificationKind.LONG_TERM_PAIR
    await enqueue(conn, kind, f"p{pair_id}", request_id=request_id, pair_id=pair_id)
