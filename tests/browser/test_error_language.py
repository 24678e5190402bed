"""A refusal before sign-in comes in the page's language: the page sends its locale as
Accept-Language, so the server's words match it even when the browser's own language differs."""

from service import i18n
from tests.browser.conftest import OpenPage


async def test_a_registration_refusal_is_told_in_the_pages_language(open_page: OpenPage) -> None:
    # The browser says English; the page was set to Vietnamese.
    page = await open_page("/", locale="en-US", ui_language="vi")
    p = page.page
    await p.locator("#reg-displayName").fill("   ")  # passes `required`, refused by the server
    await p.locator("#reg-area").fill("Katsushika")
    await p.locator("#reg-contact").fill("080-1234-5678")
    await p.locator("#reg-displayName").press("Enter")
    error = p.locator("#reg-displayName-error")
    await error.wait_for()
    assert i18n.catalog("vi").reasons["BLANK"] in await error.inner_text()
    assert await p.locator("#reg-displayName").get_attribute("aria-invalid") == "true"
