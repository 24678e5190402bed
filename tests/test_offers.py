"""Offers: from an approved request to an accepted volunteer. The first acceptance wins."""

import asyncio
from dataclasses import replace
from datetime import timedelta
from typing import Any

import asyncpg

from service.config import Settings
from tests.conftest import serve
from tests.flows import REQUEST, REVIEW, register_resident, register_volunteer, submit, verify, wait_triaged
from tests.support import Api, eventually
from triage.engine import Triage
from triage.labels import Urgency

RESPOND = """
mutation($id: ID!, $accept: Boolean!) {
  respondToOffer(offerId: $id, accept: $accept) { offer { id status } errors { code message } }
}"""
MY_OFFERS = "{ myOffers { id status request { id text status } } }"
VIETNAMESE_CLINIC = "Tôi cần người đi cùng đến bệnh viện tuần sau để phiên dịch cho bác sĩ, tôi ở Katsushika"


async def _volunteers(api: Api, staff: str, count: int, **overrides: object) -> list[tuple[str, str]]:
    found = []
    for i in range(count):
        token, vid = await register_volunteer(
            api, displayName=f"Volunteer {i}", contact=f"v{i}@example.org", **overrides
        )
        await verify(api, staff, vid)
        found.append((token, vid))
    return found


async def _approved_request(api: Api, staff: str, text: str = VIETNAMESE_CLINIC) -> tuple[str, str]:
    resident, _ = await register_resident(api, languages=["vi"], area="Katsushika")
    request = (await submit(api, resident, text))["request"]
    await wait_triaged(api, resident, request["id"])
    reviewed = await api.gql(
        REVIEW,
        {
            "input": {
                "requestId": request["id"],
                "decision": "APPROVE",
                "field": "MEDICAL",
                "urgency": "NORMAL",
            }
        },
        staff,
    )
    assert reviewed["reviewTriage"]["errors"] == []
    return resident, request["id"]


async def _pending_offer(api: Api, token: str) -> str | None:
    offers = (await api.gql(MY_OFFERS, token=token))["myOffers"]
    pending = [o["id"] for o in offers if o["status"] == "PENDING"]
    return pending[0] if pending else None


async def test_approval_sends_top_three_offers_and_first_acceptance_wins(api: Api, staff_token: str) -> None:
    volunteers = await _volunteers(api, staff_token, 4)
    unverified, _ = await register_volunteer(api, displayName="Not vetted", contact="nv@example.org")
    resident, request_id = await _approved_request(api, staff_token)

    detail = await api.gql(
        "query($id: ID!) { request(id: $id) { status offers { status volunteer { id } } } }",
        {"id": request_id},
        staff_token,
    )
    assert detail["request"]["status"] == "OPEN"
    assert [o["status"] for o in detail["request"]["offers"]] == ["PENDING"] * 3
    assert await _pending_offer(api, unverified) is None

    holders = [(t, o) for t, _ in volunteers if (o := await _pending_offer(api, t))]
    assert len(holders) == 3
    # A volunteer holding an offer sees the request's text.
    seen = (await api.gql(MY_OFFERS, token=holders[0][0]))["myOffers"][0]["request"]
    assert seen["text"] == VIETNAMESE_CLINIC

    # Two volunteers accept at the same moment: exactly one wins.
    results = await asyncio.gather(*(api.gql(RESPOND, {"id": o, "accept": True}, t) for t, o in holders[:2]))
    outcomes = sorted(
        "won" if r["respondToOffer"]["errors"] == [] else r["respondToOffer"]["errors"][0]["code"]
        for r in results
    )
    assert outcomes == ["CONFLICT", "won"]

    detail = await api.gql(
        "query($id: ID!) { request(id: $id) { status assignedVolunteer { id contact } offers { status } } }",
        {"id": request_id},
        resident,
    )
    assert detail["request"]["status"] == "MATCHED"
    assert sorted(o["status"] for o in detail["request"]["offers"]) == ["ACCEPTED", "WITHDRAWN", "WITHDRAWN"]
    # Matched: the resident now sees the volunteer's contact.
    assert detail["request"]["assignedVolunteer"]["contact"].endswith("@example.org")

    # The losers no longer see the text.
    loser = next(t for (t, _), r in zip(holders[:2], results, strict=True) if r["respondToOffer"]["errors"])
    hidden = (await api.gql(MY_OFFERS, token=loser))["myOffers"][0]
    assert hidden["status"] == "WITHDRAWN" and hidden["request"]["text"] == ""
    assert (await api.gql(REQUEST, {"id": request_id}, loser))["request"] is None


async def test_acceptance_race_in_concurrent_transactions(api: Api, staff_token: str, db_url: str) -> None:
    """Many simultaneous acceptances over separate connections: one ACCEPTED row, ever."""
    volunteers = await _volunteers(api, staff_token, 3)
    await _approved_request(api, staff_token)
    offers = [o for t, _ in volunteers if (o := await _pending_offer(api, t))]
    tokens = [t for t, _ in volunteers]
    for _ in range(3):
        results = await asyncio.gather(
            *(api.gql(RESPOND, {"id": o, "accept": True}, t) for t, o in zip(tokens, offers, strict=True))
        )
        assert sum(1 for r in results if r["respondToOffer"]["errors"] == []) <= 1
    conn = await asyncpg.connect(db_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM offers WHERE status = 'ACCEPTED'") == 1
        assert await conn.fetchval("SELECT status FROM requests") == "MATCHED"
        assert await conn.fetchval("SELECT count(*) FROM events WHERE kind = 'MATCHED'") == 1
    finally:
        await conn.close()


async def test_decline_is_replaced_by_the_next_candidate(
    api: Api, staff_token: str, db: asyncpg.Connection
) -> None:
    volunteers = await _volunteers(api, staff_token, 4)
    await _approved_request(api, staff_token)
    holders = [(t, o) for t, _ in volunteers if (o := await _pending_offer(api, t))]
    waiting = [t for t, _ in volunteers if t not in {h for h, _ in holders}]
    declined = await api.gql(RESPOND, {"id": holders[0][1], "accept": False}, holders[0][0])
    assert declined["respondToOffer"]["offer"]["status"] == "DECLINED"
    assert await _pending_offer(api, waiting[0]) is not None
    assert await db.fetchval("SELECT count(*) FROM offers WHERE status = 'PENDING'") == 3
    again = await api.gql(RESPOND, {"id": holders[0][1], "accept": True}, holders[0][0])
    assert again["respondToOffer"]["errors"][0]["code"] == "CONFLICT"


async def test_offers_expire_without_api_calls_and_the_request_returns_to_staff(
    settings: Settings, triage_engine: Triage, staff_token: str, db: asyncpg.Connection
) -> None:
    quick = dict(settings.offer_ttl)
    quick[Urgency.NORMAL] = timedelta(seconds=1)
    async with serve(replace(settings, offer_ttl=quick), triage_engine) as base_url:
        api = Api(base_url)
        try:
            await _volunteers(api, staff_token, 2)
            _, request_id = await _approved_request(api, staff_token)
            # Nobody answers: the scheduler expires both offers and no candidate is left.
            await eventually(lambda: db.fetchval("SELECT status = 'IN_REVIEW' FROM requests"), timeout=30)
            assert await db.fetchval("SELECT count(*) FROM offers WHERE status = 'EXPIRED'") == 2
            detail = await api.gql(
                "query($id: ID!) { request(id: $id) { needsAttention } }", {"id": request_id}, staff_token
            )
            assert "no volunteer candidate left" in detail["request"]["needsAttention"]
        finally:
            await api.close()


async def test_staff_send_offers_by_hand_only_to_vetted_volunteers(api: Api, staff_token: str) -> None:
    _, unvetted_id = await register_volunteer(api, displayName="New", contact="new@example.org")
    vetted = await _volunteers(api, staff_token, 1, languages=["ko"], fields=["LIFELINE"])
    _, request_id = await _approved_request(api, staff_token)
    # Nobody fits automatically (no shared language or field): the request is back with staff.
    back = await api.gql(
        "query($id: ID!) { request(id: $id) { status needsAttention } }", {"id": request_id}, staff_token
    )
    assert back["request"]["status"] == "IN_REVIEW" and back["request"]["needsAttention"]
    send = """mutation($r: ID!, $v: [ID!]!) { sendOffers(requestId: $r, volunteerIds: $v) {
                request { status offers { volunteer { id } status } } errors { path code } } }"""
    refused = await api.gql(send, {"r": request_id, "v": [unvetted_id]}, staff_token)
    assert refused["sendOffers"]["errors"] == [{"path": ["volunteerIds"], "code": "INVALID_INPUT"}]
    sent = await api.gql(send, {"r": request_id, "v": [vetted[0][1]]}, staff_token)
    assert sent["sendOffers"]["errors"] == []
    assert sent["sendOffers"]["request"]["status"] == "OPEN"
    assert vetted[0][1] in [o["volunteer"]["id"] for o in sent["sendOffers"]["request"]["offers"]]


async def test_each_mutation_field_reads_what_the_fields_before_it_changed(
    api: Api, staff_token: str
) -> None:
    """Mutation fields run in turn within one operation; a later payload does not read what an
    earlier payload's loaders cached before the later change."""
    vetted = await _volunteers(api, staff_token, 2, languages=["ko"], fields=["LIFELINE"])
    _, request_id = await _approved_request(api, staff_token)
    both = """mutation($r: ID!, $first: [ID!]!, $second: [ID!]!) {
      a: sendOffers(requestId: $r, volunteerIds: $first) {
        request { status offers { volunteer { id } status } } errors { code } }
      b: sendOffers(requestId: $r, volunteerIds: $second) {
        request { status offers { volunteer { id } status } } errors { code } } }"""
    sent = await api.gql(
        both, {"r": request_id, "first": [vetted[0][1]], "second": [vetted[1][1]]}, staff_token
    )
    assert sent["a"]["errors"] == [] and sent["b"]["errors"] == []

    def offered(payload: dict[str, Any]) -> list[tuple[str, str]]:
        return sorted((o["volunteer"]["id"], o["status"]) for o in payload["request"]["offers"])

    assert offered(sent["a"]) == [(vetted[0][1], "PENDING")]
    assert offered(sent["b"]) == sorted([(vetted[0][1], "PENDING"), (vetted[1][1], "PENDING")])


async def test_completion_by_both_sides_creates_a_long_term_pair(api: Api, staff_token: str) -> None:
    volunteers = await _volunteers(api, staff_token, 1)
    resident, request_id = await _approved_request(api, staff_token)
    token = volunteers[0][0]
    offer = await _pending_offer(api, token)
    assert (await api.gql(RESPOND, {"id": offer, "accept": True}, token))["respondToOffer"]["errors"] == []
    complete = """mutation($input: CompleteRequestInput!) { completeRequest(input: $input) {
                    request { status } longTermPair { id resident { id } volunteer { id } } errors { code path } } }"""
    bad = await api.gql(complete, {"input": {"requestId": request_id, "rating": 6}}, resident)
    assert bad["completeRequest"]["errors"] == [{"code": "INVALID_INPUT", "path": ["input", "rating"]}]
    first = await api.gql(
        complete, {"input": {"requestId": request_id, "rating": 5, "wantsLongTermPair": True}}, resident
    )
    assert first["completeRequest"]["request"]["status"] == "COMPLETED"
    assert first["completeRequest"]["longTermPair"] is None
    second = await api.gql(complete, {"input": {"requestId": request_id, "wantsLongTermPair": True}}, token)
    pair = second["completeRequest"]["longTermPair"]
    assert pair is not None and pair["volunteer"]["id"] == volunteers[0][1]


CANDIDATES = """query($id: ID!) { request(id: $id) { candidates(first: 10) {
  score volunteer { id } breakdown { skill language area availability load } } } }"""


async def test_candidates_rank_by_language_area_and_field_and_explain_scores(
    api: Api, staff_token: str
) -> None:
    """Staff see the ranking while reviewing: hard rules exclude, soft rules order."""
    vi_near = await _volunteers(api, staff_token, 1, languages=["vi"], area="Katsushika")
    en_near = await _volunteers(api, staff_token, 1, languages=["en"], area="Katsushika")
    vi_far = await _volunteers(api, staff_token, 1, languages=["vi"], area="Nerima")
    wrong_field = await _volunteers(api, staff_token, 1, languages=["vi"], fields=["CHILDCARE_EDUCATION"])
    no_language = await _volunteers(api, staff_token, 1, languages=["ko"])
    _, unvetted = await register_volunteer(
        api, displayName="New", contact="new@example.org", languages=["vi"]
    )

    resident, _ = await register_resident(api, languages=["vi"], area="Katsushika")
    request = (
        await submit(api, resident, "Bác sĩ nói tôi phải nhập viện, tôi cần người phiên dịch ở bệnh viện")
    )["request"]
    await wait_triaged(api, resident, request["id"])
    ranked = (await api.gql(CANDIDATES, {"id": request["id"]}, staff_token))["request"]["candidates"]
    ids = [c["volunteer"]["id"] for c in ranked]
    assert ids[0] == vi_near[0][1]
    assert set(ids) == {vi_near[0][1], en_near[0][1], vi_far[0][1]}
    assert wrong_field[0][1] not in ids and no_language[0][1] not in ids and unvetted not in ids
    scores = [c["score"] for c in ranked]
    assert scores == sorted(scores, reverse=True)
    by_id = {c["volunteer"]["id"]: c["breakdown"] for c in ranked}
    assert (
        by_id[vi_near[0][1]]["language"] > by_id[en_near[0][1]]["language"]
    )  # own language beats the English bridge
    assert by_id[vi_near[0][1]]["area"] > by_id[vi_far[0][1]]["area"]  # same ward beats far away
    for breakdown in by_id.values():
        assert all(0.0 <= value <= 1.0 for value in breakdown.values())


async def test_cancelling_withdraws_pending_offers(
    api: Api, staff_token: str, db: asyncpg.Connection
) -> None:
    volunteers = await _volunteers(api, staff_token, 2)
    resident, request_id = await _approved_request(api, staff_token)
    cancel = "mutation($id: ID!) { cancelRequest(id: $id) { request { status } errors { code } } }"
    assert (await api.gql(cancel, {"id": request_id}, resident))["cancelRequest"]["request"][
        "status"
    ] == "CANCELLED"
    assert (await api.gql(cancel, {"id": request_id}, resident))["cancelRequest"]["errors"] == [
        {"code": "CONFLICT"}
    ]
    assert await db.fetchval("SELECT count(*) FROM offers WHERE status = 'PENDING'") == 0
    assert await _pending_offer(api, volunteers[0][0]) is None


async def test_stats_follow_the_pipeline(api: Api, staff_token: str) -> None:
    volunteers = await _volunteers(api, staff_token, 1)
    await _approved_request(api, staff_token)  # staff set NORMAL/MEDICAL explicitly
    offer = await _pending_offer(api, volunteers[0][0])
    await api.gql(RESPOND, {"id": offer, "accept": True}, volunteers[0][0])
    stats = (
        await api.gql(
            """{ stats { requestsByStatus { status count } medianSecondsToTriage medianSecondsToMatch
                         triageAgreement offerAcceptanceRate } }""",
            token=staff_token,
        )
    )["stats"]
    counts = {s["status"]: s["count"] for s in stats["requestsByStatus"]}
    assert counts["MATCHED"] == 1 and sum(counts.values()) == 1 and len(counts) == 8
    assert 0 < stats["medianSecondsToTriage"] < 60
    assert stats["medianSecondsToMatch"] is not None and stats["medianSecondsToMatch"] >= 0
    assert stats["triageAgreement"] in (0.0, 1.0)
    assert stats["offerAcceptanceRate"] == 1.0
