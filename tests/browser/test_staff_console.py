"""The staff console in a real Chromium against the real app: review with the keyboard alone,
corrections, live updates without reload, the emergency alert, vetting, the dashboard, a 360 px
phone. Every page is also checked for console errors and off-origin requests (conftest)."""

import asyncio
import time

from tests.browser.conftest import OpenPage
from tests.browser.harness import PHONE
from tests.browser.staff import (
    EMERGENCY,
    FEVER,
    RENT,
    SCHOOL,
    resident,
    row,
    seed_volunteers,
    sign_in,
    submit_triaged,
)
from tests.flows import REQUEST
from tests.support import Api, LiveClient

QUEUE_EVENTS = "subscription { reviewQueueUpdated { kind request { id status } } }"


async def test_approve_with_the_keyboard_leaves_the_queue(
    api: Api, staff_token: str, open_page: OpenPage
) -> None:
    await seed_volunteers(api, staff_token)
    token = await resident(api)
    first, second = await submit_triaged(api, token, FEVER, RENT)
    page = await open_page("/staff")
    await sign_in(page, staff_token)
    await row(page, first["id"]).wait_for()
    await row(page, second["id"]).wait_for()
    await page.assert_accessible()

    opened = page.page.locator("article.request")
    await opened.wait_for()
    decided = await opened.get_attribute("data-request-id")
    assert decided in (first["id"], second["id"])
    triage = first["triage"] if decided == first["id"] else second["triage"]
    await page.press("a")

    await row(page, decided).wait_for(state="detached")
    other = second["id"] if decided == first["id"] else first["id"]
    await page.page.locator(f'article.request[data-request-id="{other}"]').wait_for()  # next in line
    assert await page.page.get_by_test_id("queue-count").inner_text() == "1"
    found = (await api.gql(REQUEST, {"id": decided}, staff_token))["request"]
    assert found["status"] == "OPEN"
    assert found["review"]["agreedWithTriage"] is True
    assert (found["field"], found["urgency"]) == (triage["field"], triage["urgency"])

    # j/k move through the queue; Enter is never needed.
    await page.press("k")
    await page.page.locator(f'.queue-row.selected[data-request-id="{other}"]').wait_for()


async def test_a_correction_changes_the_field_and_the_candidates(
    api: Api, staff_token: str, open_page: OpenPage
) -> None:
    await seed_volunteers(api, staff_token)
    token = await resident(api)
    (request,) = await submit_triaged(api, token, FEVER)
    assert request["triage"]["field"] == "MEDICAL", request["triage"]
    page = await open_page("/staff")
    await sign_in(page, staff_token)
    view = page.page.locator(f'article.request[data-request-id="{request["id"]}"]')
    await view.wait_for()
    candidates = view.get_by_test_id("candidates")
    first_before = await candidates.locator("tbody tr").first.get_attribute("data-volunteer-id")

    await page.press("3", "n")  # CHILDCARE_EDUCATION, NORMAL
    await view.get_by_test_id("approve").get_by_text("Approve with correction").wait_for()
    await page.press("m")
    await page.page.keyboard.type("School matter, not medical")
    await page.press("Escape", "a")
    await row(page, request["id"]).wait_for(state="detached")

    await page.page.locator(f'[data-recent-id="{request["id"]}"]').click()
    await view.get_by_test_id("reviewed-as").get_by_text("Childcare & education").wait_for()
    found = (await api.gql(REQUEST, {"id": request["id"]}, staff_token))["request"]
    assert (found["field"], found["urgency"]) == ("CHILDCARE_EDUCATION", "NORMAL")
    assert found["review"]["agreedWithTriage"] is False
    first_after = await candidates.locator("tbody tr").first.get_attribute("data-volunteer-id")
    assert first_before != first_after
    timeline = view.get_by_test_id("timeline")
    await timeline.get_by_text("Reviewed by staff").wait_for()


async def test_a_submission_appears_live_without_reload(
    api: Api, staff_token: str, open_page: OpenPage
) -> None:
    token = await resident(api)
    page = await open_page("/staff")
    await sign_in(page, staff_token)
    await page.page.get_by_text("Nothing to review").wait_for()
    await page.page.evaluate("window.__notReloaded = true")
    # When each row appears in the DOM, by the page's clock (same machine, same wall clock).
    await page.page.evaluate(
        """() => { window.__seen = {};
        new MutationObserver(() => { for (const el of document.querySelectorAll('.queue-row')) {
            const id = el.dataset.requestId; if (!(id in window.__seen)) window.__seen[id] = Date.now(); } })
        .observe(document.body, { childList: true, subtree: true }); }"""
    )
    live = await LiveClient.connect(api.base_url, staff_token)
    try:
        await live.subscribe(QUEUE_EVENTS)
        await asyncio.sleep(0.2)
        submitted = time.time()
        (request,) = [
            (
                await api.gql(
                    "mutation($t: String!) { submitRequest(input: {text: $t}) { request { id } } }",
                    {"t": SCHOOL},
                    token,
                )
            )["submitRequest"]["request"]
        ]
        while True:  # the moment the request entered the queue, as a plain subscriber saw it
            message = await live.next(timeout=60)
            event = message["payload"]["data"]["reviewQueueUpdated"]
            if event["request"]["id"] == request["id"]:
                entered = time.time()
                break
    finally:
        await live.close()
    await row(page, request["id"]).wait_for(timeout=5_000)
    shown = await page.page.evaluate(f"window.__seen[{request['id']!r}]") / 1000
    assert shown - entered < 1.0, f"shown {shown - entered:.3f}s after entering the queue"
    assert shown - submitted < 30
    assert await page.page.evaluate("window.__notReloaded === true")


async def test_emergency_raises_a_visual_alert(api: Api, staff_token: str, open_page: OpenPage) -> None:
    token = await resident(api)
    (calm,) = await submit_triaged(api, token, RENT)
    page = await open_page("/staff")
    await sign_in(page, staff_token)
    await row(page, calm["id"]).wait_for()
    (emergency,) = await submit_triaged(api, token, EMERGENCY)
    alert = page.page.get_by_test_id("emergency-alert")
    await alert.wait_for()
    assert await page.page.get_by_test_id("queue-count").get_attribute("class") == "badge badge-emergency"
    assert (await page.page.title()).startswith("(1!)")
    # The emergency goes to the top of the queue.
    assert await page.page.locator(".queue-row").first.get_attribute("data-request-id") == emergency["id"]
    await page.assert_accessible()
    await alert.get_by_role("button", name="Open it").click()
    view = page.page.locator(f'article.request[data-request-id="{emergency["id"]}"]')
    await view.wait_for()
    await view.get_by_text("Emergency advice shown to the resident").wait_for()
    await alert.wait_for(state="detached")


async def test_phone_width_and_keyboard_only(api: Api, staff_token: str, open_page: OpenPage) -> None:
    await seed_volunteers(api, staff_token)
    token = await resident(api)
    (request,) = await submit_triaged(api, token, FEVER)
    page = await open_page("/staff", viewport=PHONE)
    await sign_in(page, staff_token)
    await row(page, request["id"]).wait_for()
    await page.assert_fits_width()
    await page.assert_accessible()
    # Tab to the request's link and open it with Enter: the list gives way to the request.
    await page.tab_to(f'.queue-row[data-request-id="{request["id"]}"] a')
    await page.press("Enter")
    view = page.page.locator(f'article.request[data-request-id="{request["id"]}"]')
    await view.wait_for()
    await page.assert_fits_width()
    await page.assert_accessible()
    await page.press("a")
    await row(page, request["id"]).wait_for(state="detached")
    found = (await api.gql(REQUEST, {"id": request["id"]}, staff_token))["request"]
    assert found["status"] == "OPEN"


async def test_vetting_and_dashboard(api: Api, staff_token: str, open_page: OpenPage) -> None:
    from tests.flows import register_volunteer

    _, volunteer_id = await register_volunteer(api, displayName="Ito Waiting")
    token = await resident(api)
    await submit_triaged(api, token, FEVER, RENT)
    page = await open_page("/staff#/volunteers")
    await sign_in(page, staff_token)
    card = page.page.locator(f'.volunteer-card[data-volunteer-id="{volunteer_id}"]')
    await card.wait_for()
    await page.assert_accessible()
    await card.get_by_role("button", name="Mark as vetted").click()
    await card.get_by_text("vetted", exact=True).wait_for()
    query = "query($id: ID!) { node(id: $id) { ... on Volunteer { verified } } }"
    assert (await api.gql(query, {"id": volunteer_id}, staff_token))["node"]["verified"] is True

    await page.page.get_by_role("link", name="Dashboard").click()
    await page.page.locator(".chart svg").first.wait_for()
    assert await page.page.locator(".chart svg").count() >= 2
    total = page.page.locator(".kpi-value").first
    assert await total.inner_text() == "2"
    await page.assert_accessible()
    phone = await open_page("/staff#/dashboard", viewport=PHONE)
    await sign_in(phone, staff_token)
    await phone.page.locator(".chart svg").first.wait_for()
    await phone.assert_fits_width()
