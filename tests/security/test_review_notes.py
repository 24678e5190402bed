"""Issue 7, item 6: a review's note and reviewer are for staff only."""

from tests.security.scenario import REQUEST_UPDATED, approved_with_offers
from tests.support import Api, LiveClient

NOTE = "Lan's landlord shouts at her; call her sister first"
REVIEW_OF = "query($id: ID!) { request(id: $id) { review { reviewer note field urgency agreedWithTriage } } }"


async def test_review_note_and_reviewer_are_staff_only(api: Api, staff_token: str) -> None:
    offered = await approved_with_offers(api, staff_token, 1, note=NOTE)
    helper = offered.helpers[0]
    staff_view = (await api.gql(REVIEW_OF, {"id": offered.request}, staff_token))["request"]["review"]
    assert (staff_view["reviewer"], staff_view["note"]) == ("Staff Tanaka", NOTE)
    for reader in (offered.resident, helper.token):
        review = (await api.gql(REVIEW_OF, {"id": offered.request}, reader))["request"]["review"]
        assert review == {
            "reviewer": "",
            "note": None,
            "field": "MEDICAL",
            "urgency": "NORMAL",
            "agreedWithTriage": staff_view["agreedWithTriage"],
        }
    # The same over a subscription: the volunteer accepts and the MATCHED event carries the review.
    live = await LiveClient.connect(api.base_url, helper.token)
    try:
        await live.subscribe(REQUEST_UPDATED, {"id": offered.request})
        accept = "mutation($id: ID!) { respondToOffer(offerId: $id, accept: true) { errors { code } } }"
        assert (await api.gql(accept, {"id": helper.offer}, helper.token))["respondToOffer"]["errors"] == []
        event = (await live.next())["payload"]["data"]["requestUpdated"]
        assert event["kind"] == "MATCHED"
        assert (event["request"]["review"]["reviewer"], event["request"]["review"]["note"]) == ("", None)
    finally:
        await live.close()
