"""The delivery worker: takes due messages from the outbox, renders and sends them.

Each lane takes one message with FOR UPDATE SKIP LOCKED and marks it in the same transaction once
the SMTP server or the webhook endpoint accepted it. A lane killed mid-send (kill -9) leaves the
row PENDING: it is sent again, under the same Message-ID / webhook-id, which the receiver can
drop as a duplicate. A failure is retried after base * 2^(n-1) seconds; after
OTONARI_NOTIFY_MAX_ATTEMPTS failures the message is PARKED for staff (failedNotifications).

A NOTIFY at commit wakes the lanes at once (migration 0010); polling covers missed ones and
retries coming due.
"""

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from db.availability import (
    LOOP_DATABASE_ERRORS,
    acquire_listening,
    connection_lost,
    discard_connection,
    release_listening,
)
from db.queries import q
from db.types import Connection, Pool
from service.config import Settings
from service.ids import to_global_id
from service.notifications import links
from service.notifications.addresses import address_of, key_digest, message_id
from service.notifications.email import DeliveryError, Email, SmtpSender
from service.notifications.kinds import WEBHOOK_TYPES, NotificationKind
from service.notifications.templates import STAFF_LOCALES, person_locale, render
from service.notifications.webhooks import Delivery, WebhookSender
from service.outage_log import OutageLog
from service.stopping import pause

log = logging.getLogger(__name__)

CHANNEL = "otonari_notifications"
POLL_SECONDS = 2.0
JST = timezone(timedelta(hours=9), "JST")


class Skip(Exception):
    """Nothing to send any more (the offer ended, no address, opted out): not a failure."""


def tokyo_time(at: datetime) -> str:
    return at.astimezone(JST).strftime("%Y-%m-%d %H:%M JST")


@dataclass(eq=False)  # a lane is itself (hashed by identity), not its parts: see _failing
class Lane:
    email: SmtpSender | None
    webhooks: WebhookSender
    wake: asyncio.Event


class NotificationDelivery:
    def __init__(self, pool: Pool, settings: Settings) -> None:
        self.pool = pool
        self.settings = settings
        self.email_enabled = settings.smtp is not None
        self.lanes: list[Lane] = []
        # The lanes' one listening connection: None until the lanes listen, and again while a lost
        # one cannot be replaced (the database is away); then the lanes poll and try again.
        self.listener: PoolConnectionProxy[asyncpg.Record] | None = None
        # One lane at a time takes a listening connection (the lanes run concurrently).
        self._listening = asyncio.Lock()
        # One outage report for all the lanes: a database outage is said once, every 30 s, then its
        # end, however many lanes retry (each every POLL_SECONDS); its retries are the failed rounds
        # of all the lanes together. It begins at the first lane that fails and is over only once
        # every lane that failed in it has done a round since (none is left in _failing), not at
        # the first lane back while others still fail.
        self._outage = OutageLog(log, "notification delivery")
        self._failing: set[Lane] = set()  # the lanes whose last round failed

    def _on_notify(self, *_: object) -> None:
        for lane in self.lanes:
            lane.wake.set()

    async def run(self) -> None:
        """Work until cancelled."""
        if not self.email_enabled:
            log.info("OTONARI_SMTP_URL is not set: emails wait in the outbox; webhooks are sent")
        self.lanes = [
            Lane(
                email=SmtpSender(self.settings.smtp, self.settings.mail_from) if self.settings.smtp else None,
                webhooks=WebhookSender(),
                wake=asyncio.Event(),
            )
            for _ in range(self.settings.notify_concurrency)
        ]
        # A run started again (a lane's bug ended the last one) has new lanes: the old ones, gone,
        # must not keep an outage from being said over.
        self._failing.clear()
        # The lanes take the listening connection (_listen): a database away at start is an
        # outage like any other, said once and retried, not a failure of the loop.
        try:
            # A group, not gather: a stop or a lane's failure ends every lane before this returns
            # (gather returns at the first and leaves the others running, outside any stop).
            async with asyncio.TaskGroup() as lanes:
                for lane in self.lanes:
                    lanes.create_task(self._run_lane(lane))
        finally:
            if self.listener is not None:
                listener, self.listener = self.listener, None
                await release_listening(self.pool, listener, CHANNEL, self._on_notify)
            for lane in self.lanes:
                with contextlib.suppress(Exception):
                    if lane.email is not None:
                        await lane.email.close()
                    await lane.webhooks.close()

    async def _run_lane(self, lane: Lane) -> None:
        while True:
            lane.wake.clear()
            try:
                await self._listen()
                done = await self.deliver_one(lane)
                delay = 0.0 if done else await self._idle_delay()
                self._failing.discard(lane)
                if not self._failing:  # every lane that failed in the outage is back
                    self._outage.recovered()
            except LOOP_DATABASE_ERRORS as error:
                self._failing.add(lane)
                self._outage.failed(error)
                delay = POLL_SECONDS
            if delay > 0:
                await pause(delay, lane.wake)

    async def _listen(self) -> None:
        """Make sure the lanes listen: at start, and after a database restart closed the listening
        connection, take a fresh one. One that cannot be had now (the database is still away)
        raises, and the next round of any lane tries again. A lane that finds another one at it
        goes on without waiting: one listening connection, and no lane queued behind a connect."""
        if self.listener is not None and not connection_lost(self.listener):
            return
        if self._listening.locked():  # another lane is taking one
            return
        async with self._listening:
            if self.listener is not None:
                lost, self.listener = self.listener, None
                await discard_connection(self.pool, lost)
            self.listener = await acquire_listening(self.pool, CHANNEL, self._on_notify)

    async def _idle_delay(self) -> float:
        due = await self.pool.fetchval(q("next_notification_due"), self.email_enabled)
        if due is None:
            return POLL_SECONDS
        now = await self.pool.fetchval("SELECT now()")
        return float(min(POLL_SECONDS, max(0.02, (due - now).total_seconds())))

    async def deliver_one(self, lane: Lane) -> bool:
        """Send one due message; False when none is due."""
        async with self.pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(q("take_notification"), self.email_enabled)
            if row is None:
                return False
            try:
                if row["channel"] == "EMAIL":
                    if lane.email is None:  # email_enabled is False: not taken
                        return False
                    await lane.email.send(await self._email(conn, row))
                else:
                    await lane.webhooks.send(await self._webhook(conn, row))
            except Skip as why:
                await conn.execute(q("mark_notification_skipped"), row["id"], str(why))
            except DeliveryError as exc:
                await self._failed(conn, row, str(exc))
            except Exception as exc:  # a bug in rendering: kept visible, retried, parked
                log.exception("notification %s could not be prepared", row["id"])
                await self._failed(conn, row, f"internal error: {type(exc).__name__}")
            else:
                await conn.execute(q("mark_notification_sent"), row["id"])
            return True

    async def _failed(self, conn: Connection, row: asyncpg.Record, error: str) -> None:
        status = await conn.fetchval(
            q("mark_notification_failed"),
            row["id"],
            error,
            self.settings.notify_max_attempts,
            self.settings.notify_retry_seconds,
        )
        log.warning("notification %s (%s) failed: %s -> %s", row["id"], row["kind"], error, status)

    # --- what a message says -------------------------------------------------------------------

    async def _email(self, conn: Connection, row: asyncpg.Record) -> Email:
        kind = NotificationKind(row["kind"])
        mid = message_id(row["idempotency_key"], self.settings.mail_from)
        if row["recipient_account_id"] is None:
            if not self.settings.staff_alert_emails:
                raise Skip("OTONARI_STAFF_ALERT_EMAIL is not set")
            values = await self._values(conn, row, kind, None)
            rendered = render(kind, STAFF_LOCALES, values, footer=False)
            return Email(self.settings.staff_alert_emails, mid, rendered, kind.value)
        person = await conn.fetchrow(q("notification_recipient"), row["recipient_account_id"])
        if person is None or person["deactivated_at"] is not None:
            raise Skip("the account is deactivated")
        if kind.value in person["opt_outs"]:
            raise Skip("the person opted out of this kind")
        address = address_of(person["email"], person["contact"])
        if address is None:
            raise Skip("no email address")
        locale = person_locale(person["role"], person["locale"], person["languages"])
        values = await self._values(conn, row, kind, person)
        return Email((address,), mid, render(kind, [locale], values), kind.value)

    async def _values(
        self, conn: Connection, row: asyncpg.Record, kind: NotificationKind, person: asyncpg.Record | None
    ) -> dict[str, str]:
        public = self.settings.public_url
        request = await conn.fetchrow(q("request_details"), row["request_id"])
        if request is None:
            raise Skip("the request is gone")
        values: dict[str, str] = {
            "request_id": str(request["id"]),
            "area": request["area"],
            "language": request["t_language"] or "?",
            "received_at": tokyo_time(request["created_at"]),
            "console_url": f"{public}/staff#/queue/{to_global_id('SupportRequest', request['id'])}",
        }
        if person is not None:
            values["name"] = person["display_name"]
            values["page_url"] = f"{public}/volunteer" if person["role"] == "VOLUNTEER" else f"{public}/"
        if kind in (NotificationKind.OFFER_SENT, NotificationKind.OFFER_EXPIRING):
            offer = await conn.fetchrow(q("offer_by_id"), row["offer_id"])
            if offer is None or offer["status"] != "PENDING":
                raise Skip("the offer is no longer live")
            if not await conn.fetchval("SELECT $1::timestamptz > now()", offer["expires_at"]):
                raise Skip("the offer is no longer live")
            token = links.sign(await links.link_key(conn), offer["id"], offer["volunteer_id"])
            values["expires_at"] = tokyo_time(offer["expires_at"])
            values["answer_url"] = f"{public}/volunteer/answer?t={token}"
        elif kind is NotificationKind.REQUEST_MATCHED:
            if request["status"] not in ("MATCHED", "COMPLETED") or request["assigned_volunteer_id"] is None:
                raise Skip("the request is no longer matched")
            volunteer = await conn.fetchrow(q("volunteer_by_id"), request["assigned_volunteer_id"])
            values["volunteer_name"] = volunteer["display_name"] if volunteer else "?"
        elif kind is NotificationKind.LONG_TERM_PAIR:
            pair = await conn.fetchrow(q("long_term_pair_by_id"), row["pair_id"])
            if pair is None:
                raise Skip("the pair is gone")
            if person is not None and person["role"] == "VOLUNTEER":
                partner = await conn.fetchrow(q("resident_by_id"), pair["resident_id"])
            else:
                partner = await conn.fetchrow(q("volunteer_by_id"), pair["volunteer_id"])
            values["partner_name"] = partner["display_name"] if partner else "?"
        return values

    async def _webhook(self, conn: Connection, row: asyncpg.Record) -> Delivery:
        endpoint = await conn.fetchrow(q("webhook_endpoint_by_id"), row["webhook_endpoint_id"])
        if endpoint is None or endpoint["deleted_at"] is not None:
            raise Skip("the endpoint was deleted")
        kind = NotificationKind(row["kind"])
        data = await self._webhook_data(conn, row, kind, trusted=endpoint["trusted"])
        body = {
            "type": WEBHOOK_TYPES[kind],
            "timestamp": row["created_at"].astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "data": data,
        }
        return Delivery(
            url=endpoint["url"],
            secret=endpoint["secret"],
            msg_id=f"msg_{key_digest(row['idempotency_key'])}",
            body=json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(),
        )

    async def _webhook_data(
        self, conn: Connection, row: asyncpg.Record, kind: NotificationKind, *, trusted: bool
    ) -> dict[str, Any]:
        """Ids, labels and times; the resident's words and contacts only for trusted endpoints."""
        request = await conn.fetchrow(q("request_details"), row["request_id"])
        if request is None:
            raise Skip("the request is gone")
        request_gid = to_global_id("SupportRequest", request["id"])
        data: dict[str, Any] = {
            "kind": kind.value,
            "requestId": request_gid,
            "requestNumber": request["id"],
            "status": request["status"],
            "field": request["field"],
            "urgency": request["urgency"],
            "language": request["t_language"],
            "createdAt": request["created_at"].isoformat(),
            "consoleUrl": f"{self.settings.public_url}/staff#/queue/{request_gid}",
        }
        if row["offer_id"] is not None:
            offer = await conn.fetchrow(q("offer_by_id"), row["offer_id"])
            data["offerId"] = to_global_id("Offer", row["offer_id"])
            if offer is not None:
                data["offerStatus"] = offer["status"]
                data["offerExpiresAt"] = offer["expires_at"].isoformat()
                data["volunteerId"] = to_global_id("Volunteer", offer["volunteer_id"])
        if row["pair_id"] is not None:
            data["pairId"] = to_global_id("LongTermPair", row["pair_id"])
        if trusted:
            resident = await conn.fetchrow(q("resident_by_id"), request["resident_id"])
            data["text"] = request["text"]
            data["area"] = request["area"]
            data["preferredTimes"] = request["preferred_times"]
            data["residentContact"] = resident["contact"] if resident else None
        return data
