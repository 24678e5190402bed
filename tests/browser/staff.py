"""Steps the staff console tests share: seed people and requests through the API, sign in."""

import time
from typing import Any

from tests.browser.harness import BrowserPage
from tests.flows import REVIEW, register_resident, register_volunteer, submit, verify, wait_triaged
from tests.support import Api

FEVER = "Con tôi sốt cao 39 độ từ tối qua, cần người đi cùng đến bệnh viện và phiên dịch"
SCHOOL = "Tôi không hiểu thông báo của trường tiểu học về bữa trưa và đồ dùng, cần người giải thích"
RENT = "Tôi không hiểu giấy gia hạn hợp đồng thuê nhà, cần người giải thích giúp"
EMERGENCY = "Cứu với! Chồng tôi ngã cầu thang, bất tỉnh, không thở được"


async def seed_volunteers(api: Api, staff: str) -> dict[str, str]:
    """Two vetted volunteers whose skills suit different fields: who ranks first depends on it."""
    people = {
        "Sato Medical": {
            "skills": "Hospital visits, clinic reception, interpreting Vietnamese for doctors",
            "fields": ["MEDICAL"],
            "contact": "sato@example.org",
        },
        "Kato School": {
            "skills": "Primary school letters, PTA, school lunch and childcare forms, nursery applications",
            "fields": ["CHILDCARE_EDUCATION"],
            "contact": "kato@example.org",
        },
    }
    ids = {}
    for name, values in people.items():
        _, volunteer_id = await register_volunteer(api, displayName=name, **values)
        await verify(api, staff, volunteer_id)
        ids[name] = volunteer_id
    return ids


async def submit_triaged(api: Api, token: str, *texts: str) -> list[dict[str, Any]]:
    submitted = [(await submit(api, token, text))["request"]["id"] for text in texts]
    return [await wait_triaged(api, token, request_id) for request_id in submitted]


async def resident(api: Api) -> str:
    token, _ = await register_resident(api)
    return token


async def sign_in(page: BrowserPage, token: str) -> None:
    """Keyboard only: Tab to the token field, type, Enter; then wait for the queue."""
    await page.tab_to("#token")
    await page.page.keyboard.type(token)
    await page.press("Enter")
    await page.page.locator(".staff-header nav").wait_for()


async def approve_by_api(api: Api, staff: str, request_id: str) -> float:
    started = time.time()
    data = await api.gql(REVIEW, {"input": {"requestId": request_id, "decision": "APPROVE"}}, staff)
    assert data["reviewTriage"]["errors"] == []
    return started


def row(page: BrowserPage, request_id: str) -> Any:
    return page.page.locator(f'.queue-row[data-request-id="{request_id}"]')
