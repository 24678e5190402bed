"""The event broker delivers every committed event once, in whatever order transactions commit."""

import asyncio

import asyncpg
import pytest

from service import events, metrics
from service.events import EventBroker, EventRecord
from tests.support import eventually


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
        async with broker.subscribe() as subscription:
            queue = subscription.queue
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
        async with broker.subscribe() as first_subscriber, broker.subscribe() as second_subscriber:
            one, two = first_subscriber.queue, second_subscriber.queue
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


async def test_a_subscriber_that_overflows_reads_what_it_missed_from_the_table(
    db_url: str, db: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A burst bigger than the subscriber's queue: the events that found no room come from the
    table, merged with what was queued, in id order, each once; then live again."""
    monkeypatch.setattr(events, "QUEUE_LIMIT", 3)
    request_id = await _request(db)
    other_request = await _request(db)
    broker = EventBroker(lambda: asyncpg.connect(db_url))
    await broker.start()
    reader = await asyncpg.connect(db_url)

    async def missed(after: int) -> list[EventRecord]:
        return await events.missed_request_events(reader, after, request_id, None)

    overflowed_before = metrics.EVENTS_OVERFLOWED._value.get()
    stream = events.live_events(broker, None, missed)
    try:
        first = asyncio.ensure_future(anext(stream))

        async def subscribed() -> bool:
            return broker.subscriber_count == 1

        await eventually(subscribed, timeout=10)
        async with db.transaction():  # one commit: published back to back, faster than read
            burst = [
                await db.fetchval(
                    "INSERT INTO events (request_id, kind) VALUES ($1, 'TRIAGED') RETURNING id",
                    other_request if n == 5 else request_id,
                )
                for n in range(10)
            ]
        got = [await asyncio.wait_for(first, 10)]
        # Nine more: the other request's event came from the queue or not at all (the table
        # read is this subscription's own), so 9 or 10 arrive; take until the last id.
        while got[-1][0].id != burst[-1]:
            got.append(await asyncio.wait_for(anext(stream), 10))
        ids = [event.id for event, _ in got]
        mine = [i for n, i in enumerate(burst) if n != 5]
        assert [i for i in ids if i != burst[5]] == mine
        assert len(ids) == len(set(ids)) and ids == sorted(ids)
        assert any(from_table for _, from_table in got), "the burst should have overflowed the queue"
        assert metrics.EVENTS_OVERFLOWED._value.get() > overflowed_before

        later = await db.fetchval(
            "INSERT INTO events (request_id, kind) VALUES ($1, 'CLOSED') RETURNING id", request_id
        )
        event, from_table = await asyncio.wait_for(anext(stream), 10)
        assert (event.id, from_table) == (later, False)
    finally:
        await stream.aclose()
        await reader.close()
        await broker.stop()
    assert broker.subscriber_count == 0
