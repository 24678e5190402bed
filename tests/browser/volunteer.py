"""Steps the volunteer page tests share: a vetted volunteer, a resident's request offered to them,
sign-in with the keyboard."""

from typing import Any

from tests.browser.harness import BrowserPage
from tests.flows import REVIEW, register_resident, register_volunteer, submit, verify, wait_triaged
from tests.support import Api

CLINIC = "Tôi cần người đi cùng đến bệnh viện tuần sau để phiên dịch cho bác sĩ, tôi ở Katsushika"
MY_OFFERS = "{ myOffers { id status request { id } } }"


async def vetted_volunteer(api: Api, staff: str, **overrides: Any) -> tuple[str, str]:
    token, volunteer_id = await register_volunteer(api, **overrides)
    await verify(api, staff, volunteer_id)
    return token, volunteer_id


async def triaged_request(api: Api, text: str = CLINIC) -> tuple[str, str]:
    """A resident (Lan, lan@example.org) and their triaged request: (resident token, request id)."""
    resident, _ = await register_resident(api, name="Lan", languages=["vi"], area="Katsushika")
    request_id = (await submit(api, resident, text))["request"]["id"]
    await wait_triaged(api, resident, request_id)
    return resident, request_id


async def approve(api: Api, staff: str, request_id: str) -> None:
    """Staff approve as MEDICAL / NORMAL: the offers go out."""
    data = await api.gql(
        REVIEW,
        {"input": {"requestId": request_id, "decision": "APPROVE", "field": "MEDICAL", "urgency": "NORMAL"}},
        staff,
    )
    assert data["reviewTriage"]["errors"] == [], data


async def offer_statuses(api: Api, volunteer: str) -> list[str]:
    return [o["status"] for o in (await api.gql(MY_OFFERS, token=volunteer))["myOffers"]]


async def sign_in(page: BrowserPage, token: str) -> None:
    """Keyboard only: Tab to the token field, type, Enter; then wait for the signed-in page."""
    await page.tab_to("#token")
    await page.page.keyboard.type(token)
    await page.press("Enter")
    await page.page.locator(".volunteer-header nav").wait_for()
