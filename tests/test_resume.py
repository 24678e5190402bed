"""Resumable subscriptions and server pings, with real WebSocket clients on a real PostgreSQL.

A client that lost its connection passes the last `eventId` it received as `after`: it gets
exactly the events it missed (filtered and authorized as live ones), in order, then live ones,
none twice.
"""

import asyncio
import json
from dataclasses import replace
from typing import Any

import asyncpg

from service.config import Settings
from service.events import REPLAY_LIMIT
from service.ids import pk_of
from tests.conftest import serve
from tests.flows import REVIEW, register_resident, register_volunteer, submit, verify, wait_triaged
from tests.security.scenario import CLINIC_TEXT, RESPOND, approved_with_offers
from tests.security.wsclient import acked
from tests.support import Api, LiveClient, eventually
from triage.engine import Triage

REQUEST_UPDATED = """subscription($id: ID!, $after: ID) {
  requestUpdated(id: $id, after: $after) { eventId kind request { id status text } } }"""
QUEUE_UPDATED = """subscription($after: ID) {
  reviewQueueUpdated(after: $after) { eventId kind request { id status } } }"""
OFFER_RECEIVED = """subscription($after: ID) {
  offerReceived(after: $after) { eventId id status request { id text area } } }"""


def data_of(message: dict[str, Any], field: str) -> dict[str, Any]:
    assert message["type"] == "next", message
    assert "errors" not in message["payload"], message
    found: dict[str, Any] = message["payload"]["data"][field]
    return found


async def refusal(client: LiveClient) -> str:
    """The code of a refused subscription: a `next` with errors, then `complete` (or an `error`)."""
    message = await client.next()
    if message["type"] == "error":
        errors = message["payload"]
    else:
        errors = message["payload"].get("errors")
        assert (await client.next()) == {"id": message["id"], "type": "complete"}
    assert errors, message
    code: str = errors[0]["extensions"]["code"]
    return code


async def events_after(db: asyncpg.Connection, request: str, after: int) -> list[tuple[int, str]]:
    rows = await db.fetch(
        "SELECT id, kind FROM events WHERE request_id = $1 AND id > $2 ORDER BY id",
        pk_of(request, "SupportRequest"),
        after,
    )
    return [(r["id"], r["kind"]) for r in rows]


async def no_more(client: LiveClient) -> bool:
    """Nothing else arrives within a generous second (pings aside)."""
    try:
        extra = await client.next(timeout=1.0)
    except TimeoutError:
        return True
    raise AssertionError(f"unexpected message {extra}")


async def test_request_updated_resumes_with_exactly_the_missed_events_then_live(
    api: Api, staff_token: str, db: asyncpg.Connection
) -> None:
    # Four vetted volunteers, three offers: a decline sends the fourth one an offer.
    offered = await approved_with_offers(api, staff_token, 4)
    first, second, third = [h for h in offered.helpers if h.offer]
    (spare,) = [h for h in offered.helpers if not h.offer]
    owner = await LiveClient.connect(api.base_url, offered.resident)
    await owner.subscribe(REQUEST_UPDATED, {"id": offered.request})
    declined = await api.gql(RESPOND, {"id": first.offer, "accept": False}, first.token)
    assert declined["respondToOffer"]["errors"] == []
    seen = data_of(await owner.next(), "requestUpdated")
    assert seen["kind"] == "OFFER_DECLINED"
    last_seen = seen["eventId"]
    # What else that decline wrote (the offer to the spare volunteer) may still be in flight:
    # drop the socket mid-stream, as a client on a train does.
    await owner.close()

    # While the owner is away, a second volunteer declines.
    declined = await api.gql(RESPOND, {"id": second.offer, "accept": False}, second.token)
    assert declined["respondToOffer"]["errors"] == []
    missed = await events_after(db, offered.request, int(last_seen))
    assert [kind for _, kind in missed] == ["OFFERED", "OFFER_DECLINED"], missed

    # A volunteer resuming from the request's very first event gets nothing from before their own
    # offer (the review, the other offers); another resident cannot resume it at all.
    everything = await events_after(db, offered.request, 0)
    spare_client = await LiveClient.connect(api.base_url, spare.token)
    stranger_token, _ = await register_resident(api, name="Other", languages=["en"])
    stranger = await LiveClient.connect(api.base_url, stranger_token)
    owner = await LiveClient.connect(api.base_url, offered.resident)
    try:
        await spare_client.subscribe(REQUEST_UPDATED, {"id": offered.request, "after": str(everything[0][0])})
        spare_view = [data_of(await spare_client.next(), "requestUpdated") for _ in missed]
        assert [(int(e["eventId"]), e["kind"]) for e in spare_view] == missed
        await stranger.subscribe(REQUEST_UPDATED, {"id": offered.request, "after": str(everything[0][0])})
        assert await refusal(stranger) == "NOT_FOUND"

        await owner.subscribe(REQUEST_UPDATED, {"id": offered.request, "after": last_seen})
        # A change lands while the replay runs: it must come once, after the replayed ones.
        accepted = await api.gql(RESPOND, {"id": third.offer, "accept": True}, third.token)
        assert accepted["respondToOffer"]["errors"] == []
        expected = await events_after(db, offered.request, int(last_seen))
        assert [kind for _, kind in expected] == ["OFFERED", "OFFER_DECLINED", "MATCHED"]
        received = [data_of(await owner.next(), "requestUpdated") for _ in expected]
        assert [(int(e["eventId"]), e["kind"]) for e in received] == expected
        assert received[-1]["request"]["status"] == "MATCHED"
        assert all(e["request"]["text"] == CLINIC_TEXT for e in received)
        assert await no_more(owner)

        # The match withdrew the spare volunteer's offer: MATCHED reaches them redacted, then the end.
        matched = data_of(await spare_client.next(), "requestUpdated")
        assert matched["kind"] == "MATCHED" and matched["request"]["text"] == ""
        assert (await spare_client.next())["type"] == "complete"
    finally:
        for client in (owner, spare_client, stranger):
            await client.close()


async def _triaged_request(api: Api, resident: str) -> str:
    request: str = (await submit(api, resident, CLINIC_TEXT))["request"]["id"]
    await wait_triaged(api, resident, request)
    return request


async def _approve(api: Api, staff: str, request: str) -> None:
    review = {"requestId": request, "decision": "APPROVE", "field": "MEDICAL", "urgency": "NORMAL"}
    approved = await api.gql(REVIEW, {"input": review}, staff)
    assert approved["reviewTriage"]["errors"] == [], approved


async def test_offer_received_replays_only_the_viewers_offers_with_ended_ones_redacted(
    api: Api, staff_token: str, db: asyncpg.Connection
) -> None:
    me, my_id = await register_volunteer(api, displayName="Sato Yuki", contact="sato@example.org")
    other, other_id = await register_volunteer(api, displayName="Kato Emi", contact="kato@example.org")
    for volunteer_id in (my_id, other_id):
        await verify(api, staff_token, volunteer_id)
    resident, _ = await register_resident(api, name="Lan", languages=["vi"], area="Katsushika")
    requests = [await _triaged_request(api, resident) for _ in range(4)]

    client = await LiveClient.connect(api.base_url, me)
    await client.subscribe(OFFER_RECEIVED)
    await _approve(api, staff_token, requests[0])
    first = data_of(await client.next(), "offerReceived")
    assert first["request"]["id"] == requests[0]
    await client.close()

    # Away: two more requests are offered to both volunteers; the other one accepts the first of
    # them, which withdraws this volunteer's offer (an ended offer: the request is redacted).
    await _approve(api, staff_token, requests[1])
    await _approve(api, staff_token, requests[2])

    async def others_offer() -> str | None:
        offers = (await api.gql("{ myOffers { id request { id } } }", token=other))["myOffers"]
        return next((o["id"] for o in offers if o["request"]["id"] == requests[1]), None)

    accepted = await api.gql(RESPOND, {"id": await eventually(others_offer), "accept": True}, other)
    assert accepted["respondToOffer"]["errors"] == []
    mine = await db.fetch(
        "SELECT e.id, o.id AS offer_id FROM events e JOIN offers o ON o.id = e.offer_id "
        "WHERE e.kind = 'OFFERED' AND o.volunteer_id = $1 AND e.id > $2 ORDER BY e.id",
        pk_of(my_id, "Volunteer"),
        int(first["eventId"]),
    )
    others = await db.fetchval(
        "SELECT count(*) FROM events e JOIN offers o ON o.id = e.offer_id "
        "WHERE e.kind = 'OFFERED' AND o.volunteer_id = $1 AND e.id > $2",
        pk_of(other_id, "Volunteer"),
        int(first["eventId"]),
    )
    assert len(mine) == 2 and others >= 2  # the other volunteer's offers exist, and are not replayed

    client = await LiveClient.connect(api.base_url, me)
    try:
        await client.subscribe(OFFER_RECEIVED, {"after": first["eventId"]})
        replayed = [data_of(await client.next(), "offerReceived") for _ in mine]
        assert [int(o["eventId"]) for o in replayed] == [r["id"] for r in mine]
        assert [o["request"]["id"] for o in replayed] == requests[1:3]
        withdrawn, live_offer = replayed
        assert withdrawn["status"] == "WITHDRAWN"
        assert withdrawn["request"]["text"] == "" and withdrawn["request"]["area"] == ""
        assert live_offer["status"] == "PENDING" and live_offer["request"]["text"] == CLINIC_TEXT
        # Then live.
        await _approve(api, staff_token, requests[3])
        fresh = data_of(await client.next(), "offerReceived")
        assert fresh["request"]["id"] == requests[3] and int(fresh["eventId"]) > r_last(mine)
        assert await no_more(client)
    finally:
        await client.close()


def r_last(rows: list[asyncpg.Record]) -> int:
    last: int = rows[-1]["id"]
    return last


async def test_review_queue_resume_is_bounded_and_refuses_unknown_ids(
    api: Api, staff_token: str, db: asyncpg.Connection
) -> None:
    resident, _ = await register_resident(api)
    request = await _triaged_request(api, resident)
    triaged = await events_after(db, request, 0)
    assert [kind for _, kind in triaged] == ["RECEIVED", "TRIAGED"]

    staff = await LiveClient.connect(api.base_url, staff_token)
    owner = await LiveClient.connect(api.base_url, resident)
    try:
        # The queue replays its own kinds only (TRIAGED, not RECEIVED).
        await staff.subscribe(QUEUE_UPDATED, {"after": str(triaged[0][0])})
        queued = data_of(await staff.next(), "reviewQueueUpdated")
        assert (int(queued["eventId"]), queued["kind"]) == triaged[1]
        # Staff only, replay or not.
        await owner.subscribe(QUEUE_UPDATED, {"after": str(triaged[0][0])})
        assert await refusal(owner) == "FORBIDDEN"
        # Ids the API never gave out.
        for bad in ("abc", "0", "007", "-1", " 1", str(triaged[-1][0] + 1000), str(2**63)):
            await staff.subscribe(QUEUE_UPDATED, {"after": bad})
            assert await refusal(staff) == "UNKNOWN_EVENT", bad
    finally:
        await staff.close()
        await owner.close()

    # A client further behind than the replay bound is told to re-read, not flooded.
    pk = pk_of(request, "SupportRequest")
    bulk = await db.fetch(
        "INSERT INTO events (request_id, kind) SELECT $1, 'TRIAGED' FROM generate_series(1, $2) RETURNING id",
        pk,
        REPLAY_LIMIT + 1,
    )
    ids = sorted(r["id"] for r in bulk)
    staff = await LiveClient.connect(api.base_url, staff_token)
    try:
        await staff.subscribe(QUEUE_UPDATED, {"after": str(ids[0] - 1)})
        assert await refusal(staff) == "REPLAY_TOO_LONG"
        # Exactly at the bound it replays them all, in order.
        await staff.subscribe(QUEUE_UPDATED, {"after": str(ids[0])})
        got = [int(data_of(await staff.next(), "reviewQueueUpdated")["eventId"]) for _ in range(REPLAY_LIMIT)]
        assert got == ids[1:]
    finally:
        await staff.close()


async def test_the_server_pings_idle_connections(settings: Settings, triage_engine: Triage) -> None:
    quick = replace(settings, ws_ping_seconds=1)
    async with serve(quick, triage_engine, workers=False) as base_url:
        api = Api(base_url)
        try:
            resident, _ = await register_resident(api)
        finally:
            await api.close()
        ws = await acked(base_url, resident)
        try:
            for _ in range(2):
                message = json.loads(await asyncio.wait_for(ws.recv(), 10))
                assert message == {"type": "ping"}
                await ws.send(json.dumps({"type": "pong"}))
            # The connection is still usable after the pings.
            await ws.send(json.dumps({"type": "ping"}))
            while (answer := json.loads(await asyncio.wait_for(ws.recv(), 10)))["type"] == "ping":
                pass
            assert answer == {"type": "pong"}
        finally:
            await ws.close()


def test_ping_interval_setting_is_checked() -> None:
    assert Settings.from_env({}).ws_ping_seconds == 20
    assert Settings.from_env({"OTONARI_WS_PING_SECONDS": "5"}).ws_ping_seconds == 5
    for bad in ("0", "-3", "soon"):
        try:
            Settings.from_env({"OTONARI_WS_PING_SECONDS": bad})
        except ValueError as exc:
            assert "OTONARI_WS_PING_SECONDS" in str(exc)
        else:
            raise AssertionError(f"{bad!r} accepted")


async def test_last_event_id_resumes_from_a_read_without_a_gap(api: Api, staff_token: str) -> None:
    """A client reads a request, then subscribes after its lastEventId: a change made in between
    is delivered, and nothing the read already showed comes again."""
    resident, _ = await register_resident(api)
    request_id = (await submit(api, resident, "Tôi cần người giúp đọc thư của phường"))["request"]["id"]
    read = "query($id: ID!) { request(id: $id) { status lastEventId } }"
    await wait_triaged(api, resident, request_id)
    before = (await api.gql(read, {"id": request_id}, resident))["request"]
    assert before["status"] == "IN_REVIEW" and before["lastEventId"] is not None
    # Staff decide between the resident's read and their subscription.
    approved = await api.gql(REVIEW, {"input": {"requestId": request_id, "decision": "APPROVE"}}, staff_token)
    assert approved["reviewTriage"]["errors"] == []
    live = await LiveClient.connect(api.base_url, resident)
    try:
        await live.subscribe(REQUEST_UPDATED, {"id": request_id, "after": before["lastEventId"]})
        first = data_of(await live.next(), "requestUpdated")
        assert first["kind"] == "REVIEWED" and int(first["eventId"]) > int(before["lastEventId"])
    finally:
        await live.close()
    after = (await api.gql(read, {"id": request_id}, resident))["request"]
    assert int(after["lastEventId"]) >= int(first["eventId"])


async def test_last_event_id_of_a_stale_read_never_skips_the_change(api: Api, db_url: str) -> None:
    """A request read before a change (its updated_at no longer current) resumes from before that
    change's event: replaying may repeat, never skip."""
    from service.events import last_event_ids

    resident, _ = await register_resident(api)
    await submit(api, resident, "Tôi cần người giúp đọc thư của phường")
    request_id = (await submit(api, resident, "Tôi cần người giúp điền đơn bảo hiểm"))["request"]["id"]
    await wait_triaged(api, resident, request_id)
    pk = pk_of(request_id, "SupportRequest")
    db = await asyncpg.connect(db_url)
    try:
        created_at = await db.fetchval("SELECT created_at FROM requests WHERE id = $1", pk)
        events = await db.fetch("SELECT id, kind FROM events WHERE request_id = $1 ORDER BY id", pk)
        found = await last_event_ids(db, [(pk, created_at)])  # as read before the triage
    finally:
        await db.close()
    assert [e["kind"] for e in events][:2] == ["RECEIVED", "TRIAGED"]
    assert found[(pk, created_at)] < events[0]["id"]  # so RECEIVED and TRIAGED are replayed
