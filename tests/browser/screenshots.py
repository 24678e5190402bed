"""`python -m tests.browser.screenshots` (or `make screenshots`): pictures of every page at
desktop and phone width into docs/screenshots/, from a real server process on a fresh embedded
database with demo data (volunteers from `main.py seed-demo`, requests in several languages, a
volunteer with an offer and a match, and the one-click answer link of an offer email received by
a local SMTP server)."""

import asyncio
import json
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.server import (
    REGISTER,
    create_staff,
    fresh_database,
    run_command,
    running_server,
    server_env,
    wait_until,
)
from tests.browser.harness import CHROMIUM_ARGS, DESKTOP, PHONE, REPO, ensure_web_build
from tests.mailsink import MailSink

OUT = REPO / "docs" / "screenshots"
TEXTS = [
    "Con tôi sốt cao 39 độ từ tối qua, cần người đi cùng đến bệnh viện và phiên dịch",
    "我收到了保育园的信，但是看不懂，请帮帮我",
    "Necesito ayuda para llenar el formulario del seguro de salud",
    "집주인이 다음 달에 나가라고 합니다. 어떻게 해야 하나요?",
    "Please help me understand the garbage sorting calendar for my building",
    "Kailangan ko ng tulong sa pagsagot ng form mula sa city hall",
    "Cứu với! Chồng tôi ngã cầu thang, bất tỉnh, không thở được",
    "Preciso de ajuda para abrir uma conta no banco e entender os documentos",
]


async def _gql(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    body = (await http.post("/graphql", json={"query": query, "variables": variables or {}})).json()
    if body.get("errors"):
        raise RuntimeError(body["errors"])
    data: dict[str, Any] = body["data"]
    return data


REGISTER_VOLUNTEER = """mutation($input: RegisterVolunteerInput!) {
  registerVolunteer(input: $input) { token volunteer { id } errors { message } }
}"""
VERIFY = (
    "mutation($id: ID!) { setVolunteerVerified(volunteerId: $id, verified: true) { errors { message } } }"
)
SEND_OFFERS = (
    "mutation($r: ID!, $v: [ID!]!) { sendOffers(requestId: $r, volunteerIds: $v) { errors { message } } }"
)
MY_OFFERS = "{ myOffers { id status request { id } } }"
RESPOND = "mutation($id: ID!) { respondToOffer(offerId: $id, accept: true) { errors { message } } }"
LATIN = re.compile(r"^[\u0000-\u024f\u1e00-\u1eff]+$")
LINK = re.compile(r"(/volunteer/answer\?t=[\w.-]+)")


@dataclass
class Seeded:
    staff: str
    volunteer: str
    answer_path: str  # the one-click link of the volunteer's pending offer


async def _seed(base_url: str, env: dict[str, str], mail: MailSink) -> Seeded:
    await asyncio.to_thread(run_command, env, "seed-demo", "--volunteers", "40")
    staff = await asyncio.to_thread(create_staff, env, "Tanaka")
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as anonymous:
        data = await _gql(
            anonymous,
            REGISTER,
            {
                "input": {
                    "displayName": "Lan",
                    "languages": ["vi"],
                    "area": "Katsushika",
                    "contact": "lan@x.org",
                }
            },
        )
    resident = data["registerResident"]["token"]
    submit = "mutation($t: String!) { submitRequest(input: {text: $t}) { request { id } } }"
    async with httpx.AsyncClient(
        base_url=base_url, timeout=60, headers={"Authorization": f"Bearer {resident}"}
    ) as h:
        for text in TEXTS:
            await _gql(h, submit, {"t": text})
    async with httpx.AsyncClient(
        base_url=base_url, timeout=60, headers={"Authorization": f"Bearer {staff}"}
    ) as h:

        async def triaged() -> bool:
            data = await _gql(h, "{ reviewQueue(first: 1) { totalCount } }")
            return int(data["reviewQueue"]["totalCount"]) >= len(TEXTS)

        await wait_until(triaged, "the demo requests' triage", 300)
        queue = await _gql(h, "{ reviewQueue(first: 20) { edges { node { id urgency text } } } }")
        nodes = [edge["node"] for edge in queue["reviewQueue"]["edges"]]
        # Two reviewed, so the dashboard has data: Latin-script ones, as the machine making the
        # pictures may have no CJK font and the volunteer's pictures show these texts.
        latin = [n for n in nodes if n["urgency"] != "EMERGENCY" and LATIN.match(n["text"])]
        approved = [n["id"] for n in latin[:2]]
        for request_id in approved:
            review = "mutation($id: ID!) { reviewTriage(input: {requestId: $id, decision: APPROVE}) { errors { message } } }"
            await _gql(h, review, {"id": request_id})
        # A volunteer offered both approved requests by hand: one accepted (a match), one open.
        volunteer_input = {
            "displayName": "Sato Yuki",
            "languages": ["vi", "en"],
            "skills": "Hospital visits and interpreting Vietnamese; forms at the ward office",
            "fields": ["MEDICAL", "WELFARE", "CHILDCARE_EDUCATION"],
            "area": "Katsushika",
            "availability": "weekday evenings, Sat AM",
            "contact": "sato@example.org",
            # English emails, so the answer page is English too (the screenshot machine may
            # have no Japanese font).
            "notificationLanguage": "en",
        }
        async with httpx.AsyncClient(base_url=base_url, timeout=60) as anonymous:
            registered = (await _gql(anonymous, REGISTER_VOLUNTEER, {"input": volunteer_input}))[
                "registerVolunteer"
            ]
            # And one waiting to be vetted, for the console's vetting page (demo volunteers are vetted).
            newcomer = {**volunteer_input, "displayName": "Tran Mai", "contact": "mai@example.org"}
            await _gql(anonymous, REGISTER_VOLUNTEER, {"input": newcomer})
        volunteer, volunteer_id = registered["token"], registered["volunteer"]["id"]
        await _gql(h, VERIFY, {"id": volunteer_id})
        for request_id in approved:
            await _gql(h, SEND_OFFERS, {"r": request_id, "v": [volunteer_id]})
    async with httpx.AsyncClient(
        base_url=base_url, timeout=60, headers={"Authorization": f"Bearer {volunteer}"}
    ) as h:
        offers = (await _gql(h, MY_OFFERS))["myOffers"]
        accepted = next(o for o in offers if o["request"]["id"] == approved[0])
        await _gql(h, RESPOND, {"id": accepted["id"]})

    async def offer_mail() -> bool:
        return len(mail.to("sato@example.org", "OFFER_SENT")) >= len(approved)

    await wait_until(offer_mail, "the offer emails", 120)
    for received in mail.to("sato@example.org", "OFFER_SENT"):
        found = LINK.search(received.part("plain"))
        if found and found.group(1).startswith("/volunteer/answer?t=" + _pk(offers, approved[1])):
            return Seeded(staff, volunteer, found.group(1))
    raise RuntimeError("no answer link for the open offer")


def _pk(offers: list[dict[str, Any]], request_id: str) -> str:
    """The database id of the offer for a request (what an answer link's token starts with)."""
    from service.ids import pk_of

    offer = next(o for o in offers if o["request"]["id"] == request_id)
    return f"{pk_of(offer['id'], 'Offer')}."


async def _shoot(browser: Any, base_url: str, seeded: Seeded) -> list[Path]:
    staff, volunteer = ("staff", seeded.staff), ("volunteer", seeded.volunteer)
    # (file name, path, signed in as, ready when this shows)
    shots: list[tuple[str, str, tuple[str, str] | None, str]] = [
        ("staff-queue", "/staff#/queue", staff, ".request .triage"),
        ("staff-dashboard", "/staff#/dashboard", staff, ".chart svg"),
        ("staff-volunteers", "/staff#/volunteers", staff, ".volunteer-card"),
        ("resident", "/", None, "form"),
        ("volunteer-offers", "/volunteer#/offers", volunteer, "article.offer"),
        ("volunteer-matches", "/volunteer#/matches", volunteer, "article.match"),
        # No language chosen: the answer page speaks the volunteer's email language (Japanese).
        ("volunteer-answer", seeded.answer_path, None, '[data-testid="accept"]'),
        ("graphiql", "/graphql", None, ".graphiql-query-editor"),
    ]
    written = []
    for name, path, signed_in, ready in shots:
        for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            if name == "graphiql" and width == "phone":
                continue
            context = await browser.new_context(viewport=viewport, locale="en-US", device_scale_factor=1)
            if signed_in:
                app, token = signed_in
                await context.add_init_script(
                    f"sessionStorage.setItem('otonari.token.{app}', {json.dumps(token)})"
                )
            if name != "volunteer-answer":
                await context.add_init_script(
                    "localStorage.setItem('otonari.locale.staff', 'en');"
                    "localStorage.setItem('otonari.locale.volunteer', 'en')"
                )
            page = await context.new_page()
            target = path
            if name == "staff-queue" and width == "phone":
                target = "/staff#/queue"  # the list; the request view replaces it when opened
                ready = ".queue-row"
            await page.goto(base_url + target, wait_until="load")
            await page.locator(ready).first.wait_for(timeout=60_000)
            await page.wait_for_timeout(400)
            file = OUT / f"{name}-{width}.png"
            await page.screenshot(path=str(file), full_page=False)
            written.append(file)
            await context.close()
    return written


async def main() -> int:
    from playwright.async_api import async_playwright

    executable = shutil.which("chromium")
    if not executable:
        print("no chromium on PATH: apt-get install -y chromium", file=sys.stderr)
        return 2
    ensure_web_build()
    OUT.mkdir(parents=True, exist_ok=True)
    mail = MailSink()  # a local SMTP server: the offer email's answer link is the one shown
    mail.start()
    try:
        async with fresh_database(Path("var/screenshots")) as db:
            # The example vectors (keyed by text) from an earlier run: saves minutes of embedding.
            if (REPO / "var" / "cache").is_dir():
                shutil.copytree(REPO / "var" / "cache", db.data_dir / "cache", dirs_exist_ok=True)
            env = server_env(
                db.data_dir,
                OTONARI_GRAPHIQL="true",
                OTONARI_SUBMIT_RATE_PER_MINUTE="1000",
                OTONARI_SMTP_URL=mail.url,
            )
            async with running_server("shots", env, db.data_dir / "logs") as server:
                seeded = await _seed(server.base_url, env, mail)
                async with async_playwright() as playwright:
                    browser = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
                    try:
                        for file in await _shoot(browser, server.base_url, seeded):
                            print(file.relative_to(REPO))
                    finally:
                        await browser.close()
    finally:
        mail.stop()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
