"""The resident page in a real Chromium against the real app: register and submit, live status,
the EMERGENCY screen in the resident's language with tap-to-call links, a submission reaching an
open staff console within a second, a 360 px phone with the keyboard alone, every locale.
Every page is also checked for console errors and off-origin requests (conftest)."""

import asyncio
import time

from tests.browser.conftest import OpenPage
from tests.browser.harness import PHONE
from tests.browser.resident import register_on_page, row, status_row, submit_on_page
from tests.browser.staff import EMERGENCY, RENT, SCHOOL
from tests.browser.staff import row as queue_row
from tests.browser.staff import sign_in as staff_sign_in
from tests.flows import REQUEST
from tests.support import Api, LiveClient

VIEWER = "{ viewer { role resident { displayName languages area } } }"
QUEUE_EVENTS = "subscription { reviewQueueUpdated { kind request { id status } } }"


async def test_register_submit_and_follow_live(api: Api, open_page: OpenPage) -> None:
    page = await open_page("/")
    p = page.page
    await p.get_by_role("checkbox", name="Tiếng Việt").check()
    token = await register_on_page(page, name="Lan", area="Katsushika")
    viewer = (await api.gql(VIEWER, {}, token))["viewer"]
    assert viewer["role"] == "RESIDENT"
    assert viewer["resident"] == {"displayName": "Lan", "languages": ["en", "vi"], "area": "Katsushika"}
    # The token is in this tab's sessionStorage, never in a URL.
    assert await p.evaluate("sessionStorage.getItem('otonari.token.resident')") == token
    await page.assert_accessible()

    request_id = await submit_on_page(page, RENT)
    found = (await api.gql(REQUEST, {"id": request_id}, token))["request"]
    assert found["text"] == RENT
    # The triage moves it on; the row follows without a reload.
    await p.evaluate("window.__notReloaded = true")
    await status_row(page, request_id, "IN_REVIEW").wait_for(timeout=60_000)
    assert await row(page, request_id).get_by_test_id("status").inner_text() == "Being checked"
    assert await p.evaluate("window.__notReloaded === true")
    assert all(token not in url for url in page.requests)

    # Its page: the status in words and a cancel that asks first.
    await row(page, request_id).get_by_role("link").click()
    detail = p.locator(f'article.request-detail[data-request-id="{request_id}"]')
    await detail.get_by_test_id("status-help").get_by_text("Our staff are checking").wait_for()
    await detail.get_by_role("button", name="Cancel this request").click()
    await detail.get_by_role("button", name="Yes, cancel it").click()
    await detail.get_by_test_id("status").get_by_text("Cancelled").wait_for()
    assert (await api.gql(REQUEST, {"id": request_id}, token))["request"]["status"] == "CANCELLED"

    # Sign-out forgets the token.
    await p.get_by_role("button", name="Sign out").click()
    await p.get_by_label("Your name").wait_for()
    assert await p.evaluate("Object.keys(sessionStorage).filter(k => k.startsWith('otonari.'))") == []


async def test_payload_errors_are_shown_at_the_field(open_page: OpenPage) -> None:
    page = await open_page("/")
    p = page.page
    await register_on_page(page)
    text = p.get_by_label("What do you need help with?")
    await text.fill("   ")  # passes `required`, refused by the server
    await p.get_by_role("button", name="Send", exact=True).click()
    await p.locator("#ask-text-error").wait_for()
    assert await text.get_attribute("aria-invalid") == "true"
    assert await p.evaluate("document.activeElement.id") == "ask-text"
    assert await p.locator(".my-request").count() == 0
    # The limit is shown and enforced before sending.
    await text.fill("x" * 4001)
    await p.get_by_test_id("text-count").get_by_text("4001 / 4000 characters").wait_for()
    assert await p.get_by_role("button", name="Send", exact=True).is_disabled()


async def test_emergency_fills_the_screen_in_the_residents_language(api: Api, open_page: OpenPage) -> None:
    page = await open_page("/")
    p = page.page
    await register_on_page(page)
    request_id = await submit_on_page(page, EMERGENCY)
    screen = p.get_by_role("dialog", name="Emergency: call now")
    await screen.wait_for(timeout=60_000)
    message = await screen.get_by_test_id("advice-message").inner_text()
    assert "Nếu có nguy hiểm đến tính mạng" in message  # Vietnamese, as the resident wrote
    links = {
        await a.inner_text(): await a.get_attribute("href") for a in await screen.get_by_role("link").all()
    }
    hrefs = sorted(links.values())
    assert hrefs == ["tel:%237119", "tel:110", "tel:119"], links
    # It covers the screen, and the first number to call has the focus.
    box = await screen.bounding_box()
    viewport = p.viewport_size
    assert (
        box and viewport and box["width"] >= viewport["width"] - 1 and box["height"] >= viewport["height"] - 1
    )
    assert await p.evaluate("document.activeElement.getAttribute('href')") == "tel:119"
    await page.assert_accessible()
    await status_row(page, request_id, "ESCALATED").wait_for()
    await page.press("Escape")
    await screen.wait_for(state="hidden")
    # The request's page keeps the advice and can bring the screen back.
    await row(page, request_id).get_by_role("link").click()
    await p.get_by_role("button", name="Show the emergency screen").click()
    await screen.wait_for()


async def test_a_submission_reaches_an_open_staff_console_within_a_second(
    api: Api, staff_token: str, open_page: OpenPage
) -> None:
    console = await open_page("/staff")
    await staff_sign_in(console, staff_token)
    await console.page.get_by_text("Nothing to review").wait_for()
    await console.page.evaluate("window.__notReloaded = true")
    await console.page.evaluate(
        """() => { window.__seen = {};
        new MutationObserver(() => { for (const el of document.querySelectorAll('.queue-row')) {
            const id = el.dataset.requestId; if (!(id in window.__seen)) window.__seen[id] = Date.now(); } })
        .observe(document.body, { childList: true, subtree: true }); }"""
    )
    page = await open_page("/")
    await register_on_page(page)
    live = await LiveClient.connect(api.base_url, staff_token)
    try:
        await live.subscribe(QUEUE_EVENTS)
        await asyncio.sleep(0.2)
        submitted = time.time()
        request_id = await submit_on_page(page, SCHOOL)
        while True:  # when the request entered the queue, as a plain subscriber saw it
            event = (await live.next(timeout=60))["payload"]["data"]["reviewQueueUpdated"]
            if event["request"]["id"] == request_id:
                entered = time.time()
                break
    finally:
        await live.close()
    await queue_row(console, request_id).wait_for(timeout=5_000)
    shown = await console.page.evaluate(f"window.__seen[{request_id!r}]") / 1000
    assert shown - entered < 1.0, f"shown {shown - entered:.3f}s after entering the queue"
    assert shown - submitted < 60
    assert await console.page.evaluate("window.__notReloaded === true")


async def test_phone_width_and_keyboard_alone(api: Api, open_page: OpenPage) -> None:
    page = await open_page("/", viewport=PHONE)
    p = page.page
    await page.assert_fits_width()
    await page.assert_accessible()
    await page.tab_to("#reg-displayName")
    await p.keyboard.type("Minh")
    await page.tab_to("#reg-area")
    await p.keyboard.type("Adachi")
    await page.tab_to("#reg-contact")
    await p.keyboard.type("minh@example.org")
    await page.press("Enter")
    await p.locator("#issued-token").wait_for()
    await page.assert_fits_width()
    await page.tab_to("button.primary")
    await page.press("Enter")
    await page.tab_to("#ask-text")
    await p.keyboard.type(RENT)
    await page.tab_to("button.primary[type=submit]")
    await page.press("Enter")
    await p.locator(".my-request").wait_for()
    await page.assert_fits_width()
    await page.assert_accessible()
    await page.tab_to(".my-request a")
    await page.press("Enter")
    await p.locator("article.request-detail").wait_for()
    await page.assert_fits_width()
    await page.assert_accessible()
