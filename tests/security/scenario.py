"""The probe of issue 7 as a reusable setup: resident A's request is reviewed by staff (its text
becomes a triage example); resident B then submits a near-duplicate, and a vetted volunteer gets
an offer on B's request. Everything B and the volunteer can read is then searched for A's words.
"""

from dataclasses import dataclass
from typing import Any

from tests.flows import REVIEW, register_resident, register_volunteer, submit, verify, wait_triaged
from tests.security.leaks import every_field
from tests.support import Api, eventually

# A private head (a name and a phone number, where a quoted snippet of the text would begin), then
# a body both residents wrote. The two texts overlap 0.98 (triage.duplicates): a near-duplicate,
# so B's triage takes over the labels staff gave A's.
BODY = (
    "My residence card expires on Friday and the letter from the immigration bureau is only in "
    "Japanese. I do not understand which documents they want me to bring, and my employer says he "
    "cannot help. Could a volunteer read the letter with me this week? Thank you."
)
TEXT_A = "Wang 080-9999-1111. " + BODY
TEXT_B = "Li 090-4444-2323. " + BODY
# Staff correct A's triage to labels the model would not give B on its own (it says OTHER/NORMAL).
A_LABELS = {"field": "LIFELINE", "urgency": "LOW"}

# An emergency in Vietnamese, a name and a phone number first (text overlap 0.74 between the two).
EMERGENCY_A = (
    "Tôi là Nguyễn Thị Hoa (080-7777-3131). Mẹ tôi ngã cầu thang ở nhà, bây giờ không tỉnh và thở rất yếu, "
    "tôi phải làm gì?"
)
EMERGENCY_B = (
    "Tôi là Trần Văn Minh (090-2222-8484). Mẹ tôi ngã cầu thang ở nhà, bây giờ không tỉnh và thở rất yếu, "
    "tôi phải làm gì?"
)

REQUEST_FIELDS = every_field("SupportRequest", depth=4)
OFFER_FIELDS = every_field("Offer", depth=4)
# What a resident or volunteer can ask about a request or an offer, every readable field of it.
READ_REQUEST = f"query($id: ID!) {{ request(id: $id) {REQUEST_FIELDS} }}"
READ_NODE = f"query($id: ID!) {{ node(id: $id) {{ id ... on SupportRequest {REQUEST_FIELDS} }} }}"
READ_OFFER_NODE = f"query($id: ID!) {{ node(id: $id) {{ id ... on Offer {OFFER_FIELDS} }} }}"
READ_LISTS = f"""{{ requests(first: 100) {{ totalCount edges {{ cursor node {REQUEST_FIELDS} }} }}
  myOffers {OFFER_FIELDS}
  viewer {{ role resident {every_field("Resident", depth=4)} volunteer {every_field("Volunteer")} }} }}"""
REQUEST_UPDATED = (
    f"subscription($id: ID!) {{ requestUpdated(id: $id) {{ kind at request {REQUEST_FIELDS} }} }}"
)
OFFER_RECEIVED = f"subscription {{ offerReceived {OFFER_FIELDS} }}"
# Staff see the nearest reviewed requests as links.
SIMILAR = "query($id: ID!) { request(id: $id) { similarReviewedRequests { id } } }"
MY_OFFERS = "{ myOffers { id status request { id } } }"


@dataclass
class NearDuplicate:
    staff: str
    a_token: str
    a_request: str
    b_token: str
    b_request: str
    volunteer: str | None = None
    volunteer_id: str | None = None
    offer: str | None = None


async def reviewed_then_near_duplicate(
    api: Api,
    staff: str,
    *,
    text_a: str = TEXT_A,
    text_b: str = TEXT_B,
    language: str = "en",
    a_labels: dict[str, str] | None = None,
    decision: str = "CLOSE",
) -> NearDuplicate:
    """A submits and staff review (by default: close, with corrected labels); then B submits."""
    a_token, _ = await register_resident(api, name="Wang", languages=[language], area="Shinjuku")
    a_request = (await submit(api, a_token, text_a))["request"]["id"]
    await wait_triaged(api, a_token, a_request)
    review = {
        "requestId": a_request,
        "decision": decision,
        **(a_labels if a_labels is not None else A_LABELS),
    }
    reviewed = await api.gql(REVIEW, {"input": {**review, "note": "checked by phone"}}, staff)
    assert reviewed["reviewTriage"]["errors"] == [], reviewed
    b_token, _ = await register_resident(api, name="Li", languages=[language], area="Shinjuku")
    b_request = (await submit(api, b_token, text_b))["request"]["id"]
    await wait_triaged(api, b_token, b_request)
    # The path under test was taken: the engine found A's reviewed text nearest to B's.
    similar = await api.gql(SIMILAR, {"id": b_request}, staff)
    assert {"id": a_request} in similar["request"]["similarReviewedRequests"], similar
    return NearDuplicate(staff, a_token, a_request, b_token, b_request)


async def offer_to_a_volunteer(api: Api, case: NearDuplicate) -> NearDuplicate:
    """A vetted volunteer who fits B's request; staff approve it, and the offer reaches them."""
    volunteer, volunteer_id = await register_volunteer(
        api,
        displayName="Sato",
        languages=["en"],
        fields=["LIFELINE", "OTHER", "WELFARE"],
        area="Shinjuku",
        skills="Reading official letters from the immigration bureau and the ward office",
    )
    await verify(api, case.staff, volunteer_id)
    approved = await api.gql(
        REVIEW, {"input": {"requestId": case.b_request, "decision": "APPROVE"}}, case.staff
    )
    assert approved["reviewTriage"]["errors"] == [], approved

    async def pending() -> str | None:
        offers = (await api.gql(MY_OFFERS, token=volunteer))["myOffers"]
        found = [o["id"] for o in offers if o["status"] == "PENDING" and o["request"]["id"] == case.b_request]
        return found[0] if found else None

    case.volunteer, case.volunteer_id, case.offer = volunteer, volunteer_id, await eventually(pending)
    return case


async def everything_readable(api: Api, token: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Every response the reader gets for every readable field of these ids and of their own
    lists, keyed "lists", "request <id>", "node <id>", "offer <id>"."""
    seen = {"lists": await api.raw(READ_LISTS, token=token)}
    for global_id in ids:
        seen[f"request {global_id}"] = await api.raw(READ_REQUEST, {"id": global_id}, token)
        seen[f"node {global_id}"] = await api.raw(READ_NODE, {"id": global_id}, token)
        seen[f"offer {global_id}"] = await api.raw(READ_OFFER_NODE, {"id": global_id}, token)
    for response in seen.values():
        assert "errors" not in response, response
    return seen


CLINIC_TEXT = "Tôi cần người đi cùng đến bệnh viện tuần sau để phiên dịch cho bác sĩ, tôi ở Katsushika"
RESPOND = """mutation($id: ID!, $accept: Boolean!) {
  respondToOffer(offerId: $id, accept: $accept) { offer { id status } errors { code message } } }"""
CANCEL = "mutation($id: ID!) { cancelRequest(id: $id) { request { id status } errors { code } } }"


@dataclass
class Helper:
    token: str
    volunteer_id: str
    offer: str  # "" for a volunteer who got no offer (more volunteers than offers per request)
    contact: str


@dataclass
class OfferedRequest:
    resident: str
    request: str
    helpers: list[Helper]


async def approved_with_offers(
    api: Api, staff: str, count: int, *, note: str | None = None, text: str = CLINIC_TEXT
) -> OfferedRequest:
    """`count` vetted volunteers, a Vietnamese resident's request approved by staff: each
    volunteer holds a PENDING offer for it."""
    tokens = []
    for i in range(count):
        token, volunteer_id = await register_volunteer(
            api, displayName=f"Helper {i}", contact=f"helper{i}@example.org"
        )
        await verify(api, staff, volunteer_id)
        tokens.append((token, volunteer_id))
    resident, _ = await register_resident(api, name="Lan", languages=["vi"], area="Katsushika")
    request = (await submit(api, resident, text, preferredTimes="Tuesday morning"))["request"]["id"]
    await wait_triaged(api, resident, request)
    review: dict[str, Any] = {
        "requestId": request,
        "decision": "APPROVE",
        "field": "MEDICAL",
        "urgency": "NORMAL",
    }
    if note is not None:
        review["note"] = note
    approved = await api.gql(REVIEW, {"input": review}, staff)
    assert approved["reviewTriage"]["errors"] == [], approved
    helpers = []
    for token, volunteer_id in tokens:
        helpers.append(
            Helper(
                token,
                volunteer_id,
                await pending_offer(api, token, request),
                f"helper{len(helpers)}@example.org",
            )
        )
    assert sum(1 for h in helpers if h.offer) == min(count, 3), helpers  # three offers per request
    return OfferedRequest(resident, request, helpers)


async def pending_offer(api: Api, token: str, request: str) -> str:
    """The volunteer's PENDING offer for the request, or ""."""
    offers = (await api.gql(MY_OFFERS, token=token))["myOffers"]
    mine = [o["id"] for o in offers if o["status"] == "PENDING" and o["request"]["id"] == request]
    return mine[0] if mine else ""
