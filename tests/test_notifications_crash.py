"""kill -9 of a worker while it sends: the message is sent again under the same Message-ID, so
the receiver can drop the repeat; nothing is lost and the outbox records one delivery."""

import os
from dataclasses import replace
from pathlib import Path

import asyncpg

from service.accounts import ResidentInput, register_resident
from service.auth import viewer_for_token
from service.config import Settings, SmtpSettings
from service.notifications import outbox
from service.notifications.kinds import NotificationKind
from service.requests import SubmitInput, submit_request
from tests.conftest import REPO, serve
from tests.mailsink import MailSink
from tests.support import eventually, kill_worker_when
from triage.engine import Triage


async def test_kill_9_mid_send_resends_under_the_same_message_id(
    db_url: str,
    db: asyncpg.Connection,
    settings: Settings,
    triage_engine: Triage,
    data_dir: Path,
    mail: MailSink,
) -> None:
    pool = await asyncpg.create_pool(db_url, min_size=1, max_size=2)
    try:
        token, _ = await register_resident(pool, ResidentInput("Lan", ["vi"], "Adachi", "lan@example.org"))
        viewer = await viewer_for_token(pool, token)
        assert viewer is not None
        request_id = await submit_request(
            pool, viewer, SubmitInput("Tôi cần giúp", None, None), rate_per_minute=10
        )
        # The message a triage would queue, queued here so that the worker needs no triage first.
        async with pool.acquire() as conn, conn.transaction():
            assert (
                await outbox.enqueue(conn, NotificationKind.REQUEST_TRIAGED, "crash", request_id=request_id)
                == 1
            )
    finally:
        await pool.close()

    mail.hold.clear()  # the server takes the message and does not answer yet
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "OTONARI_DATA_DIR": str(data_dir),
        "OTONARI_SMTP_URL": mail.url,
        "OTONARI_TRIAGE_HOLD_SECONDS": "600",  # keep the worker's triage off the request
        "HF_HUB_OFFLINE": "1",
    }
    await kill_worker_when(lambda: _seen(mail), REPO, env, timeout=240)
    # The server had the whole message and now answers 250 to a dead connection: from its side,
    # the message was accepted. The sender never learned it, and its transaction died with it.
    mail.hold.set()
    await eventually(lambda: _received(mail, 1))
    row = await db.fetchrow("SELECT status::text, attempts FROM notifications")
    assert row["status"] == "PENDING" and row["attempts"] == 0

    # Triage stays held here too: only the queued message goes out.
    with_mail = replace(settings, smtp=SmtpSettings.parse(mail.url), triage_hold_seconds=600.0)
    async with serve(with_mail, triage_engine):
        await eventually(lambda: db.fetchval("SELECT status = 'SENT' FROM notifications"))
    # Sent twice over the wire, once as the receiver sees it: the same Message-ID.
    assert len(mail.received) == 2
    assert mail.received[0].message_id == mail.received[1].message_id
    assert len(mail.unique()) == 1
    assert await db.fetchval("SELECT attempts FROM notifications") == 1


async def _seen(mail: MailSink) -> bool:
    return len(mail.seen) >= 1


async def _received(mail: MailSink, n: int) -> bool:
    return len(mail.received) >= n
