"""Steps the resident page tests share (and the cross-page tests may use): register on the page,
submit on the page, find a request's row. Selectors are roles and labels, plus the stable
data-request-id / data-status attributes of a row."""

from typing import Any

from tests.browser.harness import BrowserPage


async def register_on_page(
    page: BrowserPage, name: str = "Lan", area: str = "Katsushika", contact: str = "080-1234-5678"
) -> str:
    """Fill in the registration form (languages: the page's own, ticked by default); returns the
    token the page shows once, after moving on from it."""
    p = page.page
    await p.get_by_label("Your name").fill(name)
    await p.get_by_label("Where you live").fill(area)
    await p.get_by_label("How to reach you").fill(contact)
    await p.get_by_role("button", name="Register", exact=True).click()
    shown = p.locator("#issued-token")
    await shown.wait_for()
    token = await shown.input_value()
    await p.get_by_role("button", name="Continue").click()
    await p.get_by_label("What do you need help with?").wait_for()
    return token


async def submit_on_page(page: BrowserPage, text: str) -> str:
    """Send a request from the form; returns its id (the new row at the top of the list)."""
    p = page.page
    before = set(await request_ids(page))
    await p.get_by_label("What do you need help with?").fill(text)
    await p.get_by_role("button", name="Send", exact=True).click()
    await p.get_by_role("status").filter(has_text="Sent.").wait_for()
    after = await request_ids(page)
    (new,) = [i for i in after if i not in before]
    return new


async def sign_in_on_page(page: BrowserPage, token: str) -> None:
    """Any language: the token field by its id, Enter; then the signed-in page."""
    await page.page.locator("#token").fill(token)
    await page.press("Enter")
    await page.page.locator("#ask-text").wait_for()


async def submit_by_id(page: BrowserPage, text: str) -> None:
    """Any language: type into the request's text area and send it."""
    await page.page.locator("#ask-text").fill(text)
    await page.page.locator("form:has(#ask-text) button[type=submit]").click()


async def request_ids(page: BrowserPage) -> list[str]:
    ids: list[str] = await page.page.eval_on_selector_all(
        ".my-request", "els => els.map(e => e.dataset.requestId)"
    )
    return ids


def row(page: BrowserPage, request_id: str) -> Any:
    return page.page.locator(f'.my-request[data-request-id="{request_id}"]')


def status_row(page: BrowserPage, request_id: str, status: str) -> Any:
    return page.page.locator(f'.my-request[data-request-id="{request_id}"][data-status="{status}"]')
