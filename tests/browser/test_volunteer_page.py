"""The volunteer page in a real Chromium against the real app: an offer arrives live and is
accepted (the resident sees the match live), declined, the match shows the resident's contact
and is completed with a rating and the long-term-pair wish, the profile is edited with the
keyboard alone on a 360 px phone. Every page is also checked for console errors and off-origin
requests (conftest), and scanned by axe.

The resident's side is the real resident page, open in its own browser context."""

import json
import re
from typing import Any

import asyncpg
from playwright.async_api import WebSocketRoute

from tests.browser.conftest import OpenPage
from tests.browser.harness import PHONE
from tests.browser.resident import register_on_page, row, status_row, submit_on_page
from tests.browser.volunteer import (
    CLINIC,
    approve,
    offer_statuses,
    sign_in,
    triaged_request,
    vetted_volunteer,
)
from tests.support import Api, eventually

REQUEST = "query($id: ID!) { request(id: $id) { status } }"
PROFILE = "{ viewer { volunteer { skills area languages availability remoteOk fields } } }"


async def test_an_offer_arrives_live_is_accepted_and_the_resident_sees_the_match(
    api: Api, staff_token: str, open_page: OpenPage
) -> None:
    volunteer, _ = await vetted_volunteer(
        api, staff_token, displayName="Sato Yuki", contact="sato@example.org"
    )
    # The resident, on the real resident page: registers, asks, and keeps the page open.
    home = await open_page("/")
    await home.page.get_by_role("checkbox", name="Tiếng Việt").check()
    resident = await register_on_page(home, name="Lan", area="Katsushika", contact="lan@example.org")
    request_id = await submit_on_page(home, CLINIC)
    await status_row(home, request_id, "IN_REVIEW").wait_for(timeout=60_000)
    await home.page.evaluate("window.__notReloaded = true")

    page = await open_page("/volunteer")
    await sign_in(page, volunteer)
    await page.page.get_by_test_id("no-offers").wait_for()
    await page.page.locator('.live-status[data-status="live"]').wait_for()
    await page.page.evaluate("window.__notReloaded = true")
    await approve(api, staff_token, request_id)

    # The offer arrives without a reload, with what the volunteer may read before accepting.
    offer = page.page.locator("article.offer")
    await offer.wait_for()
    assert CLINIC in await offer.inner_text()
    assert "lan@example.org" not in await page.page.content()  # the contact waits for a match
    assert await page.page.get_by_test_id("offer-count").inner_text() == "1"
    assert await page.page.evaluate("window.__notReloaded === true")
    await page.assert_accessible()

    await page.tab_to('article.offer [data-testid="accept"]')
    await page.press("Enter")
    await page.page.get_by_test_id("no-offers").wait_for()
    assert await offer_statuses(api, volunteer) == ["ACCEPTED"]

    # The resident's open page shows the match live, with the volunteer who accepted.
    await status_row(home, request_id, "MATCHED").wait_for()
    assert await home.page.evaluate("window.__notReloaded === true")
    await row(home, request_id).get_by_role("link").click()
    detail = home.page.locator(f'article.request-detail[data-request-id="{request_id}"]')
    await detail.get_by_text("Sato Yuki").wait_for()
    assert "sato@example.org" in await detail.inner_text()

    # The match shows the resident's contact; completing records the rating and the wish.
    await page.page.locator("details.earlier summary").click()
    await page.page.get_by_role("link", name="See the match").click()
    match = page.page.locator(f'article.match[data-request-id="{request_id}"]')
    await match.wait_for()
    assert await match.get_by_test_id("resident-contact").inner_text() == "lan@example.org"
    await page.assert_accessible()
    await match.get_by_label("5 of 5").check()
    await match.get_by_label("Comment (optional)").fill("Went well, the doctor was kind")
    await match.get_by_label("long-term pair", exact=False).check()
    await match.get_by_test_id("complete").click()
    await page.page.get_by_test_id("completed").wait_for()
    await match.wait_for(state="detached")
    assert (await api.gql(REQUEST, {"id": request_id}, resident))["request"]["status"] == "COMPLETED"
    await detail.get_by_test_id("status").get_by_text("Done").wait_for()  # the resident's page, live


async def test_decline_ends_the_offer(api: Api, staff_token: str, open_page: OpenPage) -> None:
    volunteer, _ = await vetted_volunteer(api, staff_token)
    _, request_id = await triaged_request(api)
    page = await open_page("/volunteer")
    await sign_in(page, volunteer)
    await page.page.get_by_test_id("no-offers").wait_for()
    await approve(api, staff_token, request_id)
    offer = page.page.locator("article.offer")
    await offer.wait_for()
    await offer.get_by_test_id("decline").click()
    await offer.wait_for(state="detached")
    await eventually(lambda: _statuses_are(api, volunteer, ["DECLINED"]))
    await page.page.locator("details.earlier summary").click()
    assert await page.page.locator('.earlier-list li[data-status="DECLINED"]').count() == 1


async def test_an_expired_offer_leaves_without_a_reload(
    api: Api, staff_token: str, open_page: OpenPage, db: asyncpg.Connection
) -> None:
    volunteer, _ = await vetted_volunteer(api, staff_token)
    _, request_id = await triaged_request(api)
    page = await open_page("/volunteer")
    await sign_in(page, volunteer)
    await approve(api, staff_token, request_id)
    offer = page.page.locator("article.offer")
    await offer.wait_for()
    await db.execute("UPDATE offers SET expires_at = now() - interval '1 second'")
    await offer.wait_for(state="detached", timeout=30_000)  # the expiry event, or the page's clock
    await page.page.get_by_test_id("no-offers").wait_for()
    await page.page.locator("details.earlier summary").click()
    assert await page.page.locator('.earlier-list li[data-status="EXPIRED"]').inner_text() != ""
    assert await page.page.get_by_test_id("offer-count").inner_text() == "0"


async def _statuses_are(api: Api, volunteer: str, wanted: list[str]) -> bool:
    return await offer_statuses(api, volunteer) == wanted


async def test_profile_edit_on_a_phone_with_the_keyboard_alone(
    api: Api, staff_token: str, open_page: OpenPage
) -> None:
    volunteer, _ = await vetted_volunteer(api, staff_token, remoteOk=False)
    page = await open_page("/volunteer", viewport=PHONE)
    await page.assert_fits_width()
    await sign_in(page, volunteer)
    await page.page.get_by_test_id("no-offers").wait_for()
    await page.assert_fits_width()
    await page.assert_accessible()

    await page.tab_to('a[href="#/profile"]')
    await page.press("Enter")
    await page.page.locator("#skills").wait_for()
    await page.assert_fits_width()
    await page.assert_accessible()

    # A refusal (no area) is shown by the field, and changes nothing.
    await page.tab_to("#area")
    await page.press("Control+A", "Backspace")
    await page.tab_to('[data-testid="save-profile"]')
    await page.press("Enter")
    await page.page.locator("#error-area").wait_for()
    assert await page.page.locator("#area").get_attribute("aria-invalid") == "true"
    assert (await api.gql(PROFILE, token=volunteer))["viewer"]["volunteer"]["area"] == "Katsushika"
    await page.assert_accessible()

    await page.tab_to("#skills")
    await page.press("Control+A")
    await page.page.keyboard.type("Hospital visits; reading letters from school in Tagalog")
    await page.tab_to("#area")
    await page.page.keyboard.type("Adachi")
    await page.tab_to("#languages")
    await page.press("Control+A")
    await page.page.keyboard.type("tl, en")
    await page.tab_to("#availability")
    await page.press("Control+A")
    await page.page.keyboard.type("Sat AM")
    await page.tab_to("#remote")
    await page.press("Space")
    await page.tab_to('[data-testid="save-profile"]')
    await page.press("Enter")
    await page.page.get_by_test_id("profile-saved").wait_for()
    await page.assert_fits_width()

    saved = (await api.gql(PROFILE, token=volunteer))["viewer"]["volunteer"]
    assert saved["skills"] == "Hospital visits; reading letters from school in Tagalog"
    assert (saved["area"], saved["languages"], saved["availability"], saved["remoteOk"]) == (
        "Adachi",
        ["tl", "en"],
        "Sat AM",
        True,
    )
    # After a reload (same tab: still signed in) the form shows what was saved.
    await page.page.reload()
    await page.page.locator("#area").wait_for()
    assert await page.page.locator("#area").input_value() == "Adachi"
    assert await page.page.locator("#remote").is_checked()


async def test_japanese_by_default(api: Api, staff_token: str, open_page: OpenPage) -> None:
    page = await open_page("/volunteer", locale="en-US", ui_language=None)
    await page.page.get_by_role("heading", name="ボランティアページ").wait_for()
    assert await page.page.evaluate("document.documentElement.lang") == "ja"
    await page.page.locator(".language-menu select").select_option("en")
    await page.page.get_by_role("heading", name="Volunteer page").wait_for()
    await page.assert_accessible()


async def test_offers_missed_while_offline_arrive_on_reconnection_with_after(
    api: Api, staff_token: str, open_page: OpenPage
) -> None:
    """The socket drops (a lost connection, as Playwright's WebSocket routing cuts it); an offer
    made meanwhile appears once it is back, and the page resubscribed with `after` = the last
    event it had received, so the server replayed what was missed."""
    volunteer, _ = await vetted_volunteer(api, staff_token, maxActiveRequests=5)
    page = await open_page("/volunteer")
    down = False
    routes: list[WebSocketRoute] = []
    subscribed: list[dict[str, Any]] = []

    async def route(ws: WebSocketRoute) -> None:
        if down:
            await ws.close(code=1012, reason="test: the network is down")
            return
        server = ws.connect_to_server()

        def from_page(message: str | bytes) -> None:
            parsed = json.loads(message)
            if parsed.get("type") == "subscribe":
                subscribed.append(parsed["payload"])
            server.send(message)

        ws.on_message(from_page)
        server.on_message(ws.send)
        routes.append(ws)

    await page.page.route_web_socket(re.compile(r"/graphql$"), route)
    await sign_in(page, volunteer)
    await page.page.locator('.live-status[data-status="live"]').wait_for()

    _, first = await triaged_request(api)
    await approve(api, staff_token, first)
    await page.page.locator("article.offer").first.wait_for()
    first_subscription = next(p["variables"] for p in subscribed if "offerReceived" in p["query"])
    assert first_subscription == {"after": None}  # nothing received yet

    down = True
    for ws in routes:
        await ws.close(code=1012, reason="test: the network is down")
    await page.page.locator('.live-status[data-status="reconnecting"]').wait_for()
    _, second = await triaged_request(api, "Tôi cần người giúp điền đơn xin trợ cấp nuôi con ở phường")
    await approve(api, staff_token, second)
    await eventually(lambda: _statuses_are(api, volunteer, ["PENDING", "PENDING"]))
    assert await page.page.locator("article.offer").count() == 1  # still offline

    down = False
    await page.page.locator('.live-status[data-status="live"]').wait_for()
    await page.page.locator("article.offer").nth(1).wait_for()
    resumed = [p["variables"].get("after") for p in subscribed if "offerReceived" in p["query"]]
    assert resumed[-1] is not None, resumed
