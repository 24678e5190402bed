"""The one-click answer page (`/volunteer/answer?t=…`) through the real pages: the offer email,
received by a real SMTP server (aiosmtpd), carries the link; Chromium opens it. Opening it (what
a mail link scanner does) leaves the offer PENDING; only the explicit button answers. A used link
says "already answered", an expired one "expired", in the volunteer's language (their email
language), and the link's token is never stored by the page."""

import re
from dataclasses import replace

import asyncpg
import pytest

from service.config import Settings, SmtpSettings
from tests.browser.conftest import OpenPage
from tests.browser.harness import PHONE, WEB_DIST
from tests.browser.volunteer import approve, offer_statuses, triaged_request, vetted_volunteer
from tests.mailsink import MailSink, Received
from tests.support import Api, eventually

LINK = re.compile(r"http://127\.0\.0\.1:\d+(/volunteer/answer\?t=[\w.-]+)")


@pytest.fixture
def web_settings(settings: Settings, mail: MailSink) -> Settings:
    """The served app sends email to the sink, with links to itself."""
    return replace(
        settings,
        graphiql=True,
        web_dir=WEB_DIST,
        smtp=SmtpSettings.parse(mail.url),
        mail_from="Spot Otonari-san <noreply@otonari.example.org>",
        public_url=f"http://127.0.0.1:{settings.port}",
        notify_retry_seconds=0.2,
    )


async def offer_link(mail: MailSink, address: str) -> str:
    async def check() -> Received | None:
        found = mail.to(address, "OFFER_SENT")
        return found[0] if found else None

    received: Received = await eventually(check)
    found = LINK.search(received.part("plain"))
    assert found is not None, received.part("plain")
    return found.group(1)


async def test_opening_the_link_answers_nothing_until_accept(
    api: Api, staff_token: str, mail: MailSink, open_page: OpenPage
) -> None:
    volunteer, _ = await vetted_volunteer(api, staff_token, contact="sato@example.org")
    _, request_id = await triaged_request(api)
    await approve(api, staff_token, request_id)
    link = await offer_link(mail, "sato@example.org")

    # GET alone (the page loads and reads the link): the offer stays PENDING.
    page = await open_page(link, ui_language=None)
    await page.page.get_by_test_id("accept").wait_for()
    assert await page.page.evaluate("document.documentElement.lang") == "ja"  # the email's language
    assert "Katsushika" in await page.page.locator("main").inner_text()
    await page.assert_accessible()
    assert await offer_statuses(api, volunteer) == ["PENDING"]
    # The token is in the URL by design, but never kept by the page.
    stored = await page.page.evaluate("JSON.stringify([{...localStorage}, {...sessionStorage}])")
    assert link.split("t=")[1] not in stored

    await page.page.get_by_test_id("accept").click()
    done = page.page.get_by_test_id("answer-done")
    await done.wait_for()
    assert "引き受けました" in await done.inner_text()
    assert await offer_statuses(api, volunteer) == ["ACCEPTED"]

    # The same link again: already answered.
    again = await open_page(link, ui_language=None)
    state = again.page.get_by_test_id("answer-state")
    await state.wait_for()
    assert await state.inner_text() == "このリンクはすでに使われています。この依頼は引き受け済みです。"
    assert await again.page.get_by_test_id("accept").count() == 0
    await again.assert_accessible()


async def test_decline_in_english_on_a_phone(
    api: Api, staff_token: str, mail: MailSink, open_page: OpenPage
) -> None:
    volunteer, _ = await vetted_volunteer(
        api, staff_token, contact="sato@example.org", notificationLanguage="en"
    )
    _, request_id = await triaged_request(api)
    await approve(api, staff_token, request_id)
    link = await offer_link(mail, "sato@example.org")
    page = await open_page(link, viewport=PHONE, ui_language=None)
    await page.page.get_by_role("heading", name="Answer an offer").wait_for()
    await page.assert_fits_width()
    await page.assert_accessible()
    await page.tab_to('[data-testid="decline"]')
    await page.press("Enter")
    await page.page.get_by_test_id("answer-done").get_by_text("Declined").wait_for()
    assert await offer_statuses(api, volunteer) == ["DECLINED"]
    await page.page.reload()
    state = page.page.get_by_test_id("answer-state")
    await state.wait_for()
    assert await state.inner_text() == "This link was already used: you declined this offer."


async def test_an_expired_link_says_so(
    api: Api, staff_token: str, mail: MailSink, open_page: OpenPage, db: asyncpg.Connection
) -> None:
    volunteer, _ = await vetted_volunteer(api, staff_token, contact="sato@example.org")
    _, request_id = await triaged_request(api)
    await approve(api, staff_token, request_id)
    link = await offer_link(mail, "sato@example.org")
    await db.execute("UPDATE offers SET expires_at = now() - interval '1 second'")
    page = await open_page(link, ui_language=None)
    state = page.page.get_by_test_id("answer-state")
    await state.wait_for()
    assert await state.inner_text() == "このリンクは期限切れです。この依頼はもう受け付けていません。"
    assert await page.page.get_by_test_id("accept").count() == 0
    assert "Tôi cần" not in await page.page.content()  # the request's words only while live
    await page.assert_accessible()
    assert await offer_statuses(api, volunteer) in (["PENDING"], ["EXPIRED"])


async def test_a_forged_link_is_not_valid(api: Api, open_page: OpenPage) -> None:
    for link in ("/volunteer/answer?t=1.AAAAAAAAAAAAAAAAAAAAAA", "/volunteer/answer"):
        page = await open_page(link, viewport=PHONE)
        await page.page.get_by_test_id("answer-invalid").wait_for()
        assert "not valid" in await page.page.get_by_test_id("answer-invalid").inner_text()
        await page.assert_fits_width()
        await page.assert_accessible()
