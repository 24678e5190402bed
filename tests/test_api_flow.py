"""The full path with the real model and a real database: resident -> submit -> triage -> review."""

import time

import asyncpg

from service.ids import from_global_id
from tests.flows import REQUEST, REVIEW, register_resident, submit, wait_triaged
from tests.support import Api


async def test_submit_triage_review_approve(api: Api, staff_token: str, db: asyncpg.Connection) -> None:
    resident, _ = await register_resident(api, languages=["vi"])
    started = time.monotonic()
    payload = await submit(
        api,
        resident,
        "Con tôi 3 tuổi bị sốt 39 độ từ chiều, tối nay tôi muốn đưa cháu đi khám, phòng khám nào mở?",
    )
    assert payload["errors"] == []
    request = payload["request"]
    # Written first, triaged later: the mutation answers before the model runs.
    assert request["status"] == "RECEIVED"
    assert time.monotonic() - started < 5

    triaged = await wait_triaged(api, resident, request["id"])
    assert triaged["status"] == "IN_REVIEW"
    assert triaged["triage"]["language"] == "vi"
    assert triaged["triage"]["field"] == "MEDICAL"
    assert triaged["triage"]["signals"]
    assert "e5" in triaged["triage"]["model"]
    scores = [s["score"] for s in triaged["triage"]["fieldScores"]]
    assert scores == sorted(scores, reverse=True) and len(scores) == 5

    queue = await api.gql("{ reviewQueue { totalCount edges { node { id } } } }", token=staff_token)
    assert [e["node"]["id"] for e in queue["reviewQueue"]["edges"]] == [request["id"]]

    reviewed = await api.gql(
        REVIEW,
        {
            "input": {
                "requestId": request["id"],
                "decision": "APPROVE",
                "urgency": "HIGH",
                "note": "tonight",
            }
        },
        staff_token,
    )
    result = reviewed["reviewTriage"]
    assert result["errors"] == []
    assert result["request"]["urgency"] == "HIGH"
    assert result["request"]["field"] == "MEDICAL"
    # No verified volunteer exists, so the request goes straight back to staff with a signal.
    assert result["request"]["status"] in {"OPEN", "IN_REVIEW"}
    # The review is fed back as a triage example, persisted for the next start.
    example = await db.fetchrow("SELECT field, urgency FROM triage_examples")
    assert (example["field"], example["urgency"]) == ("MEDICAL", "HIGH")
    events = [r["kind"] for r in await db.fetch("SELECT kind FROM events ORDER BY id")]
    assert events[:3] == ["RECEIVED", "TRIAGED", "REVIEWED"]


async def test_emergency_is_escalated_with_advice_in_the_residents_language(
    api: Api, staff_token: str
) -> None:
    resident, _ = await register_resident(api, name="Wang", languages=["zh"], area="Edogawa")
    payload = await submit(api, resident, "我丈夫突然倒下了，叫他没有反应，呼吸很奇怪，怎么办！")
    triaged = await wait_triaged(api, resident, payload["request"]["id"])
    assert triaged["status"] == "ESCALATED"
    assert triaged["urgency"] == "EMERGENCY"
    advice = triaged["emergencyAdvice"]
    numbers = {n["number"] for n in advice["numbers"]}
    assert {"119", "110", "#7119"} <= numbers
    assert any("\u4e00" <= ch <= "\u9fff" for ch in advice["message"])  # written in Chinese
    queue = await api.gql("{ reviewQueue { edges { node { id status } } } }", token=staff_token)
    assert queue["reviewQueue"]["edges"][0]["node"]["id"] == payload["request"]["id"]


async def test_review_close_and_queue_order(api: Api, staff_token: str) -> None:
    resident, _ = await register_resident(api, languages=["en"], area="Minato")
    low = await submit(api, resident, "How does garbage sorting work in Minato? Just curious, no rush.")
    urgent = await submit(
        api, resident, "My electricity was cut off today and I have a baby at home, please help"
    )
    await wait_triaged(api, resident, low["request"]["id"])
    await wait_triaged(api, resident, urgent["request"]["id"])
    queue = await api.gql("{ reviewQueue { edges { node { id urgency } } } }", token=staff_token)
    ids = [e["node"]["id"] for e in queue["reviewQueue"]["edges"]]
    assert ids == [urgent["request"]["id"], low["request"]["id"]]

    closed = await api.gql(
        REVIEW, {"input": {"requestId": low["request"]["id"], "decision": "CLOSE"}}, staff_token
    )
    assert closed["reviewTriage"]["request"]["status"] == "CLOSED"
    again = await api.gql(
        REVIEW, {"input": {"requestId": low["request"]["id"], "decision": "APPROVE"}}, staff_token
    )
    assert again["reviewTriage"]["errors"][0]["code"] == "CONFLICT"
    mine = await api.gql(REQUEST, {"id": low["request"]["id"]}, resident)
    assert mine["request"]["status"] == "CLOSED"


def from_global_id_or_fail(global_id: str) -> tuple[str, int]:
    found = from_global_id(global_id)
    assert found is not None, global_id
    return found


QUEUE_PAGE = """
query($after: String) {
  reviewQueue(first: 1, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { id urgency triage { emergencyProbability } } }
  }
}"""


async def test_emergency_probability_is_served_and_orders_the_queue_within_an_urgency(
    api: Api, staff_token: str, db: asyncpg.Connection
) -> None:
    resident, _ = await register_resident(api, languages=["en"], area="Minato")
    texts = [
        "Where can I buy a rice cooker with English buttons? No hurry at all.",
        "Is there a Portuguese-speaking volunteer who can explain the recycling calendar?",
        "Could someone help me read my city tax letter sometime next month?",
        "My father collapsed in the kitchen and is not breathing, please help",
    ]
    ids = []
    for text in texts:
        payload = await submit(api, resident, text)
        ids.append(payload["request"]["id"])
    triaged = [await wait_triaged(api, resident, i) for i in ids]
    pks = [pk for _, pk in map(from_global_id_or_fail, ids)]
    for request in triaged:  # the field is served, within [0, 1], and agrees with the urgency
        p = request["triage"]["emergencyProbability"]
        assert 0.0 <= p <= 1.0
    emergency = triaged[3]
    assert emergency["urgency"] == "EMERGENCY"
    assert emergency["triage"]["emergencyProbability"] > max(
        t["triage"]["emergencyProbability"] for t in triaged[:3]
    )

    # The three calm requests share an urgency; give them probabilities against their age, so that
    # the queue order can only come from the probability (the newest is the likeliest emergency).
    await db.execute(
        "UPDATE triage_results SET urgency = 'NORMAL' WHERE request_id = ANY($1::bigint[])",
        pks[:3],
    )
    for pk, p in zip(pks[:3], (0.05, 0.2, 0.6), strict=True):
        await db.execute("UPDATE triage_results SET emergency_probability = $2 WHERE request_id = $1", pk, p)
    expected = [ids[3], ids[2], ids[1], ids[0]]

    # Page by page (one row a page): the cursor carries urgency, probability and id.
    seen: list[str] = []
    after = None
    while True:
        page = (await api.gql(QUEUE_PAGE, {"after": after}, staff_token))["reviewQueue"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == expected
    # Equal probabilities fall back to age, oldest first.
    await db.execute(
        "UPDATE triage_results SET emergency_probability = 0.2 WHERE request_id = ANY($1::bigint[])",
        pks[:3],
    )
    whole = await api.gql("{ reviewQueue { edges { node { id } } } }", token=staff_token)
    assert [e["node"]["id"] for e in whole["reviewQueue"]["edges"]] == [ids[3], ids[0], ids[1], ids[2]]
    # A cursor that is not one of the queue's is refused.
    bad = await api.raw(QUEUE_PAGE, {"after": "WzEsIDJd"}, staff_token)  # [1, 2]: the old shape
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
