"""Erasure and retention: after a resident is erased, a dump of the whole database holds no trace
of a marker that was in their text, contact, name, notes and comments; statistics stay; every
process's triage engine forgets the reviewed text. Retention does the same by the clock."""

import asyncio
import contextlib
import json
import subprocess
import uuid
from datetime import timedelta
from typing import Any

import asyncpg

from db.backup import find_tool
from service.auth import viewer_for_token
from service.erasure import (
    ErasedBy,
    RetentionOutcome,
    erase_resident,
    retention_scheduler,
    retention_sweep,
)
from service.ids import pk_of
from service.pipeline import ExampleSync
from tests.flows import REGISTER_RESIDENT, REVIEW, register_volunteer, submit, verify, wait_triaged
from tests.security.scenario import RESPOND, pending_offer
from tests.support import Api, eventually
from triage.engine import Triage

COMPLETE = """mutation($input: CompleteRequestInput!) {
  completeRequest(input: $input) { request { id status } errors { code message } } }"""
CANCEL = "mutation($id: ID!) { cancelRequest(id: $id) { request { id status } errors { code } } }"
CLINIC = "Tôi cần người đi cùng đến bệnh viện tuần sau để phiên dịch cho bác sĩ, tôi ở Katsushika."


def dump(db_url: str, server_major: int) -> str:
    """The whole database as SQL text, as pg_dump writes it."""
    pg_dump = find_tool("pg_dump", server_major)
    done = subprocess.run(
        [str(pg_dump), "--format=plain", db_url], capture_output=True, text=True, check=True, timeout=120
    )
    return done.stdout


async def register(api: Api, marker: str) -> tuple[str, str]:
    data = await api.gql(
        REGISTER_RESIDENT,
        {
            "input": {
                "displayName": f"Lan {marker}",
                "languages": ["vi"],
                "area": "Katsushika",
                "contact": f"{marker}@example.org",
            }
        },
    )
    payload = data["registerResident"]
    assert payload["errors"] == [], payload
    return payload["token"], payload["resident"]["id"]


async def helped_resident(api: Api, staff: str, marker: str) -> dict[str, Any]:
    """A resident whose request (text with the marker) was reviewed with a note, matched and
    completed with comments by both sides, and who has a second request waiting for review."""
    volunteer, volunteer_id = await register_volunteer(api, contact="sato@example.org")
    await verify(api, staff, volunteer_id)
    resident, resident_id = await register(api, marker)
    first = (await submit(api, resident, f"{CLINIC} Gọi {marker}.", preferredTimes=f"sáng {marker}"))[
        "request"
    ]["id"]
    await wait_triaged(api, resident, first)
    review = {"requestId": first, "decision": "APPROVE", "field": "MEDICAL", "urgency": "NORMAL"}
    reviewed = await api.gql(REVIEW, {"input": {**review, "note": f"called {marker}"}}, staff)
    assert reviewed["reviewTriage"]["errors"] == [], reviewed
    offer = await eventually(lambda: pending_offer(api, volunteer, first))
    accepted = await api.gql(RESPOND, {"id": offer, "accept": True}, volunteer)
    assert accepted["respondToOffer"]["errors"] == [], accepted
    for token, side in ((volunteer, "volunteer"), (resident, "resident")):
        done = await api.gql(
            COMPLETE,
            {"input": {"requestId": first, "rating": 5, "comment": f"{side} {marker}"}},
            token,
        )
        assert done["completeRequest"]["errors"] == [], done
    second = (await submit(api, resident, f"Tôi bị mất thẻ bảo hiểm {marker}"))["request"]["id"]
    await wait_triaged(api, resident, second)
    return {
        "resident": resident,
        "resident_id": resident_id,
        "requests": [first, second],
        "volunteer": volunteer,
    }


async def test_erasure_leaves_no_trace_in_a_dump_and_keeps_the_statistics(
    api: Api, staff_token: str, db_url: str, db: asyncpg.Connection, pool: asyncpg.Pool, triage_engine: Triage
) -> None:
    marker = "Zq" + uuid.uuid4().hex[:14]
    case = await helped_resident(api, staff_token, marker)
    major = int(await db.fetchval("SHOW server_version_num")) // 10000
    # The test can fail: before erasure the marker is everywhere (text, contact, name, note,
    # comments, the triage example).
    before = dump(db_url, major)
    assert before.count(marker) >= 7, before.count(marker)

    # Another process's engine learned the reviewed text.
    engine = triage_engine.fork()
    base_count = engine.example_count
    examples = ExampleSync(engine)
    assert await examples.sync(pool) == 1 and engine.example_count == base_count + 1
    example_id = await db.fetchval("SELECT id FROM triage_examples")
    similar = (await asyncio.to_thread(engine.triage, f"{CLINIC} Gọi {marker}.")).similar_examples
    assert example_id in {i for i, _ in similar}

    stats_before = await _statistics(db)
    staff = await viewer_for_token(pool, staff_token)
    assert staff is not None
    resident_pk = pk_of(case["resident_id"], "Resident")
    assert resident_pk is not None
    erased = await erase_resident(pool, resident_pk, actor=staff.account_id, by=ErasedBy.STAFF)
    assert (erased.requests_erased, erased.requests_cancelled, erased.examples_removed) == (2, 1, 1)

    after = dump(db_url, major)
    assert marker not in after and marker.lower() not in after.lower()
    # Counts and labels stay; the open request was cancelled first.
    stats_after = await _statistics(db)
    assert stats_after["requests"] == stats_before["requests"]
    assert stats_after["labels"] == stats_before["labels"]
    assert stats_after["ratings"] == stats_before["ratings"]
    assert stats_after["statuses"] == ["CANCELLED", "COMPLETED"]
    assert await db.fetchval("SELECT count(*) FROM events") >= stats_before["events"]
    # The resident can no longer sign in; the erasure is in the audit log by id only.
    assert await viewer_for_token(pool, case["resident"]) is None
    entry = await db.fetchrow("SELECT * FROM audit_log WHERE action = 'RESIDENT_ERASED'")
    assert entry["subject_id"] == resident_pk and entry["actor_account_id"] == staff.account_id

    # The engine forgets the example at its next sync; the text is no longer near anything.
    await examples.sync(pool)
    assert engine.example_count == base_count
    similar = (await asyncio.to_thread(engine.triage, f"{CLINIC} Gọi {marker}.")).similar_examples
    assert example_id not in {i for i, _ in similar}
    # A background refit of the heads that began before the removal does not bring it back.
    await examples.close()
    assert engine.example_count == base_count and engine.unfitted_count == 0


async def _statistics(db: asyncpg.Connection) -> dict[str, Any]:
    return {
        "requests": await db.fetchval("SELECT count(*) FROM requests"),
        "statuses": [r["status"] for r in await db.fetch("SELECT status FROM requests ORDER BY status")],
        "labels": [
            tuple(r)
            for r in await db.fetch(
                "SELECT t.field, t.urgency, v.field, v.urgency FROM triage_results t "
                "LEFT JOIN reviews v USING (request_id) ORDER BY t.request_id"
            )
        ],
        "ratings": [r["rating"] for r in await db.fetch("SELECT rating FROM completions ORDER BY side")],
        "events": await db.fetchval("SELECT count(*) FROM events"),
    }


async def test_retention_erases_by_the_clock(
    api: Api, staff_token: str, db: asyncpg.Connection, pool: asyncpg.Pool
) -> None:
    """Requests closed longer ago than the retention period lose their texts; a resident with
    nothing left (and no valid token) is erased whole; an active one keeps their contact."""
    gone_marker, kept_marker = "Zq" + uuid.uuid4().hex[:14], "Zq" + uuid.uuid4().hex[:14]
    gone, _ = await register(api, gone_marker)
    kept, _ = await register(api, kept_marker)
    closed = []
    for token, marker in ((gone, gone_marker), (kept, kept_marker)):
        request = (await submit(api, token, f"Tôi cần giúp đỡ điền giấy tờ {marker}"))["request"]["id"]
        cancelled = await api.gql(CANCEL, {"id": request}, token)
        assert cancelled["cancelRequest"]["errors"] == []
        closed.append(request)
    still_open = (await submit(api, kept, f"Tôi cần giúp đỡ chuyển nhà {kept_marker}"))["request"]["id"]

    now = await db.fetchval("SELECT now()")
    assert await retention_sweep(pool, now + timedelta(days=364), 365) == RetentionOutcome(0, 0)
    assert await db.fetchval("SELECT count(*) FROM requests WHERE erased_at IS NOT NULL") == 0

    # The worker's scheduler, with a clock this test moves a year and a day ahead.
    clock = [now]
    task = asyncio.create_task(retention_scheduler(pool, 365, clock=lambda: clock[0], every=0.05))
    try:
        await asyncio.sleep(0.2)
        assert await db.fetchval("SELECT count(*) FROM requests WHERE erased_at IS NOT NULL") == 0
        clock[0] = now + timedelta(days=366)
        await eventually(
            lambda: db.fetchval("SELECT count(*) = 2 FROM requests WHERE erased_at IS NOT NULL"), timeout=10
        )
        await eventually(
            lambda: db.fetchval("SELECT count(*) = 1 FROM residents WHERE erased_at IS NOT NULL"), timeout=10
        )
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    texts = {r["id"]: r["text"] for r in await db.fetch("SELECT id, text FROM requests")}
    open_pk = pk_of(still_open, "SupportRequest")
    assert [texts[pk_of(r, "SupportRequest")] for r in closed] == ["[erased]", "[erased]"]
    assert kept_marker in texts[open_pk]
    contacts = {r["contact"] for r in await db.fetch("SELECT contact FROM residents")}
    assert contacts == {"[erased]", f"{kept_marker}@example.org"}
    entries = await db.fetch("SELECT action, details FROM audit_log WHERE actor_account_id IS NULL")
    assert sorted(e["action"] for e in entries if e["action"] != "STAFF_CREATED") == [
        "REQUEST_ERASED",
        "REQUEST_ERASED",
        "RESIDENT_ERASED",
    ]


ERASE_RESIDENT = """mutation($id: ID!) {
  eraseResident(id: $id) { residentId requestsErased requestsCancelled errors { path code message } } }"""
ERASE_ME = "mutation { eraseMe { residentId requestsErased requestsCancelled errors { code message } } }"


async def test_erasure_through_the_api_by_staff_and_by_the_resident(
    api: Api, staff_token: str, db_url: str, db: asyncpg.Connection
) -> None:
    by_staff, by_self = "Zq" + uuid.uuid4().hex[:14], "Zq" + uuid.uuid4().hex[:14]
    case = await helped_resident(api, staff_token, by_staff)
    resident, resident_id = await register(api, by_self)
    own = (await submit(api, resident, f"Tôi cần giúp đỡ điền giấy tờ {by_self}"))["request"]["id"]
    major = int(await db.fetchval("SHOW server_version_num")) // 10000
    before = dump(db_url, major)
    assert by_staff in before and by_self in before

    # Only staff erase someone; only a resident erases themself.
    for token in (case["volunteer"], resident):
        refused = (await api.gql(ERASE_RESIDENT, {"id": case["resident_id"]}, token))["eraseResident"]
        assert refused["residentId"] is None and refused["errors"][0]["code"] == "FORBIDDEN"
    for token in (case["volunteer"], staff_token):
        refused = (await api.gql(ERASE_ME, token=token))["eraseMe"]
        assert refused["errors"][0]["code"] == "FORBIDDEN"
    assert dump(db_url, major).count(by_staff) == before.count(by_staff)

    erased = (await api.gql(ERASE_RESIDENT, {"id": case["resident_id"]}, staff_token))["eraseResident"]
    assert erased == {
        "residentId": case["resident_id"],
        "requestsErased": 2,
        "requestsCancelled": 1,
        "errors": [],
    }
    again = (await api.gql(ERASE_RESIDENT, {"id": case["resident_id"]}, staff_token))["eraseResident"]
    assert again["errors"][0]["code"] == "CONFLICT"
    mine = (await api.gql(ERASE_ME, token=resident))["eraseMe"]
    assert mine == {"residentId": resident_id, "requestsErased": 1, "requestsCancelled": 1, "errors": []}

    after = dump(db_url, major)
    for marker in (by_staff, by_self):
        assert marker.lower() not in after.lower()
    for token in (case["resident"], resident):
        body = await api.raw("{ viewer { role } }", token=token)
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    status = await db.fetchval("SELECT status FROM requests WHERE id = $1", pk_of(own, "SupportRequest"))
    assert status == "CANCELLED"
    entries = await db.fetch("SELECT details FROM audit_log WHERE action = 'RESIDENT_ERASED' ORDER BY id")
    assert [json.loads(e["details"])["by"] for e in entries] == ["STAFF", "RESIDENT"]
