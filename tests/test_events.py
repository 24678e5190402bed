"""The event broker delivers every committed event once, in whatever order transactions commit."""

import asyncio

import asyncpg

from service.events import EventBroker, EventRecord


async def _request(db: asyncpg.Connection) -> int:
    account = await db.fetchval(
        "INSERT INTO accounts (role, display_name) VALUES ('RESIDENT', 'x') RETURNING id"
    )
    resident = await db.fetchval(
        "INSERT INTO residents (account_id, languages, area, contact) VALUES ($1, '{vi}', 'Adachi', 'c') RETURNING id",
        account,
    )
    request_id: int = await db.fetchval(
        "INSERT INTO requests (resident_id, text, area) VALUES ($1, 't', 'Adachi') RETURNING id", resident
    )
    return request_id


async def _collect(queue: "asyncio.Queue[EventRecord]", count: int) -> list[int]:
    return [(await asyncio.wait_for(queue.get(), 10)).id for _ in range(count)]


async def test_an_event_committed_after_a_later_id_is_still_delivered(
    db_url: str, db: asyncpg.Connection
) -> None:
    request_id = await _request(db)
    broker = EventBroker(lambda: asyncpg.connect(db_url))
    await broker.start()
    first, second = await asyncpg.connect(db_url), await asyncpg.connect(db_url)
    try:
        async with broker.subscribe() as queue:
            early = first.transaction()
            await early.start()
            low = await first.fetchval(
                "INSERT INTO events (request_id, kind) VALUES ($1, 'REVIEWED') RETURNING id", request_id
            )
            async with second.transaction():  # the higher id commits first
                high = await second.fetchval(
                    "INSERT INTO events (request_id, kind) VALUES ($1, 'CLOSED') RETURNING id", request_id
                )
            assert await _collect(queue, 1) == [high]
            await early.commit()
            assert await _collect(queue, 1) == [low]
            # Delivered once: nothing else arrives.
            await asyncio.sleep(0.3)
            assert queue.empty()
    finally:
        await first.close()
        await second.close()
        await broker.stop()


async def test_subscribers_each_get_every_event(db_url: str, db: asyncpg.Connection) -> None:
    request_id = await _request(db)
    broker = EventBroker(lambda: asyncpg.connect(db_url))
    await broker.start()
    try:
        async with broker.subscribe() as one, broker.subscribe() as two:
            ids = [
                await db.fetchval(
                    "INSERT INTO events (request_id, kind) VALUES ($1, 'TRIAGED') RETURNING id", request_id
                )
                for _ in range(5)
            ]
            assert await _collect(one, 5) == ids
            assert await _collect(two, 5) == ids
        assert broker.subscriber_count == 0
    finally:
        await broker.stop()
