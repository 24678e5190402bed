"""`python -m tests.browser.screenshots` (or `make screenshots`): pictures of every page at
desktop and phone width into docs/screenshots/, from a real server process on a fresh embedded
database with demo data (volunteers from `main.py seed-demo`, requests in several languages)."""

import asyncio
import json
import shutil
import sys
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


async def _seed(base_url: str, env: dict[str, str]) -> str:
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
        queue = await _gql(h, "{ reviewQueue(first: 3) { edges { node { id urgency } } } }")
        for edge in queue["reviewQueue"]["edges"][1:3]:  # two reviewed, so the dashboard has data
            review = "mutation($id: ID!) { reviewTriage(input: {requestId: $id, decision: APPROVE}) { errors { message } } }"
            await _gql(h, review, {"id": edge["node"]["id"]})
    return staff


async def _shoot(browser: Any, base_url: str, staff: str) -> list[Path]:
    shots = [
        ("staff-queue", "/staff#/queue", True, ".request .triage"),
        ("staff-dashboard", "/staff#/dashboard", True, ".chart svg"),
        ("staff-volunteers", "/staff#/volunteers", True, ".volunteer-card"),
        ("resident", "/", False, "form"),
        ("volunteer", "/volunteer", False, "form"),
        ("graphiql", "/graphql", False, ".graphiql-query-editor"),
    ]
    written = []
    for name, path, signed_in, ready in shots:
        for width, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            if name == "graphiql" and width == "phone":
                continue
            context = await browser.new_context(viewport=viewport, locale="en-US", device_scale_factor=1)
            if signed_in:
                await context.add_init_script(
                    f"sessionStorage.setItem('otonari.token.staff', {json.dumps(staff)})"
                )
            await context.add_init_script("localStorage.setItem('otonari.locale.staff', 'en')")
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
    async with fresh_database(Path("var/screenshots")) as db:
        env = server_env(db.data_dir, OTONARI_GRAPHIQL="true", OTONARI_SUBMIT_RATE_PER_MINUTE="1000")
        async with running_server("shots", env, db.data_dir / "logs") as server:
            staff = await _seed(server.base_url, env)
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
                try:
                    for file in await _shoot(browser, server.base_url, staff):
                        print(file.relative_to(REPO))
                finally:
                    await browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
