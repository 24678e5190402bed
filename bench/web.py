"""The staff console in a real Chromium against a real server process on loopback.

1. First load: from navigation to the first page of the review queue on screen
   (`performance.mark("queue-interactive")`), with N requests waiting; baseline in the same
   run: the HTML's responseEnd plus one raw fetch of that first queue page from the same page.
2. Live: a change made through the API (reviewTriage of the top request) until its row leaves
   the open console (MutationObserver, Date.now()); baseline: the same event at a plain
   graphql-transport-ws subscriber in this process.
3. Scroll: the queue scrolled top to bottom through all N rows, one step per animation frame;
   frame intervals against the same page's idle frames, and how many rows the DOM held.
"""

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

from bench.server import (
    REGISTER,
    SUBMIT,
    TEXTS,
    create_staff,
    fresh_database,
    running_server,
    server_env,
    wait_until,
)

DATA_DIR = Path("var/bench-web")
# Debian's Chromium, as the browser tests launch it (tests/browser/harness.py).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
QUEUE_PAGE = """query { reviewQueue(first: 100) { totalCount edges { node { id text area status field urgency
  createdAt updatedAt needsAttention triage { language confidence } } } } }"""
APPROVE = """mutation($id: ID!) { reviewTriage(input: {requestId: $id, decision: APPROVE}) {
  errors { message } } }"""


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def gql(http: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body = (await http.post("/graphql", json={"query": query, "variables": variables or {}})).json()
    if body.get("errors"):
        raise RuntimeError(body["errors"])
    data: dict[str, Any] = body["data"]
    return data


async def _seed(base_url: str, env: dict[str, str], count: int) -> str:
    staff = await asyncio.to_thread(create_staff, env, "Bench staff")
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as anonymous:
        data = await gql(
            anonymous,
            REGISTER,
            {"input": {"displayName": "Bench", "languages": ["vi"], "area": "Meguro", "contact": "b@x.org"}},
        )
    resident = data["registerResident"]["token"]
    headers = {"Authorization": f"Bearer {resident}"}
    async with httpx.AsyncClient(base_url=base_url, timeout=60, headers=headers) as http:
        for start in range(0, count, 20):
            await asyncio.gather(
                *(
                    gql(http, SUBMIT, {"input": {"text": f"{TEXTS[i % len(TEXTS)]} (#{i})"}})
                    for i in range(start, min(count, start + 20))
                )
            )
    async with httpx.AsyncClient(
        base_url=base_url, timeout=60, headers={"Authorization": f"Bearer {staff}"}
    ) as http:

        async def triaged() -> bool:
            data = await gql(http, "{ reviewQueue(first: 1) { totalCount } }")
            return int(data["reviewQueue"]["totalCount"]) >= count

        await wait_until(triaged, f"the triage of {count} requests", 900)
    return staff


async def _open_console(browser: Any, base_url: str, staff: str) -> Any:
    context = await browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-US")
    # A signed-in tab: the token in this tab's sessionStorage, as the sign-in form leaves it.
    await context.add_init_script(f"sessionStorage.setItem('otonari.token.staff', {json.dumps(staff)})")
    return context


async def _first_loads(browser: Any, base_url: str, staff: str, runs: int) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {"interactive": [], "baseline": []}
    for _ in range(runs):
        context = await _open_console(browser, base_url, staff)
        page = await context.new_page()
        await page.goto(base_url + "/staff#/queue", wait_until="load")
        await page.wait_for_function("performance.getEntriesByName('queue-interactive').length > 0")
        interactive = await page.evaluate("performance.getEntriesByName('queue-interactive')[0].startTime")
        html_end = await page.evaluate("performance.getEntriesByType('navigation')[0].responseEnd")
        fetch_ms = await page.evaluate(
            """async ([query, token]) => { const t0 = performance.now();
            await (await fetch('/graphql', {method: 'POST', headers: {'Content-Type': 'application/json',
              Authorization: 'Bearer ' + token}, body: JSON.stringify({query})})).json();
            return performance.now() - t0; }""",
            [QUEUE_PAGE, staff],
        )
        found["interactive"].append(interactive)
        found["baseline"].append(html_end + fetch_ms)
        await context.close()
    return found


async def _live(browser: Any, base_url: str, staff: str, changes: int) -> dict[str, list[float]]:
    context = await _open_console(browser, base_url, staff)
    page = await context.new_page()
    await page.goto(base_url + "/staff#/queue", wait_until="load")
    await page.wait_for_selector(".queue-row")
    await page.evaluate(
        """() => { window.__gone = {};
        new MutationObserver((records) => { for (const r of records) for (const n of r.removedNodes) {
          if (n.dataset && n.dataset.requestId && !(n.dataset.requestId in window.__gone))
            window.__gone[n.dataset.requestId] = Date.now(); } })
        .observe(document.querySelector('.queue-list'), { childList: true }); }"""
    )
    ws_url = base_url.replace("http", "ws", 1) + "/graphql"
    seen_ws: dict[str, float] = {}
    async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        init = {"type": "connection_init", "payload": {"authorization": f"Bearer {staff}"}}
        await ws.send(json.dumps(init))
        await ws.recv()
        await ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": "subscription { reviewQueueUpdated { request { id status } } }"},
                }
            )
        )

        async def read() -> None:
            async for raw in ws:
                message = json.loads(raw)
                if message.get("type") == "next":
                    request = message["payload"]["data"]["reviewQueueUpdated"]["request"]
                    if request["status"] == "OPEN":
                        seen_ws.setdefault(request["id"], time.time())

        reader = asyncio.create_task(read())
        sent: dict[str, float] = {}
        async with httpx.AsyncClient(
            base_url=base_url, timeout=60, headers={"Authorization": f"Bearer {staff}"}
        ) as http:
            for _ in range(changes):
                top = await page.get_attribute(".queue-row", "data-request-id")
                if top is None:
                    raise RuntimeError("the queue is empty: raise --requests above --changes")
                sent[top] = time.time()
                await gql(http, APPROVE, {"id": top})
                await page.wait_for_selector(f'.queue-row[data-request-id="{top}"]', state="detached")
                await asyncio.sleep(0.2)
        await asyncio.sleep(1)
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
    gone: dict[str, float] = await page.evaluate("window.__gone")
    await context.close()
    shown = [gone[i] / 1000 - t for i, t in sent.items() if i in gone]
    plain = [seen_ws[i] - t for i, t in sent.items() if i in seen_ws]
    return {"console": [s * 1000 for s in shown], "subscriber": [p * 1000 for p in plain]}


async def _scroll(browser: Any, base_url: str, staff: str, count: int) -> dict[str, Any]:
    context = await _open_console(browser, base_url, staff)
    page = await context.new_page()
    await page.goto(base_url + "/staff#/queue", wait_until="load")
    await page.wait_for_function(f"document.querySelector('.queue-list')?.style.height === '{count * 72}px'")
    measure = """async ([step]) => { const el = document.querySelector('.queue-scroller');
      const frames = []; let maxRows = 0; let last = performance.now();
      await new Promise((done) => { const tick = (t) => { frames.push(t - last); last = t;
        maxRows = Math.max(maxRows, document.querySelectorAll('.queue-row').length);
        const end = el.scrollTop + el.clientHeight >= el.scrollHeight - 1;
        if (step === 0 ? frames.length >= 120 : end) { done(); return; }
        el.scrollTop += step; requestAnimationFrame(tick); }; requestAnimationFrame(tick); });
      return { frames: frames.slice(1), maxRows, height: el.scrollHeight }; }"""
    idle = await page.evaluate(measure, [0])
    scrolled = await page.evaluate(measure, [400])
    await context.close()
    return {"idle": idle, "scrolled": scrolled}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--requests", type=int, default=1000, help="requests waiting in the queue")
    parser.add_argument("--loads", type=int, default=10, help="first loads measured")
    parser.add_argument("--changes", type=int, default=40, help="API changes measured in an open console")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="emptied first, deleted at the end")


async def _run(args: argparse.Namespace) -> int:
    from playwright.async_api import async_playwright

    executable = shutil.which("chromium")
    if not executable:
        print("no chromium on PATH: apt-get install -y chromium", file=sys.stderr)
        return 2
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    async with fresh_database(args.data_dir) as db:
        env = server_env(db.data_dir, OTONARI_SUBMIT_RATE_PER_MINUTE="100000000")
        async with running_server("web", env, db.data_dir / "logs") as server:
            staff = await _seed(server.base_url, env, args.requests)
            print(f"  {args.requests} requests triaged", file=sys.stderr)
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
                try:
                    loads = await _first_loads(browser, server.base_url, staff, args.loads)
                    scroll = await _scroll(browser, server.base_url, staff, args.requests)
                    live = await _live(browser, server.base_url, staff, args.changes)
                finally:
                    await browser.close()
    return report(args, load_before, loads, live, scroll)


def report(
    args: argparse.Namespace,
    load_before: str,
    loads: dict[str, list[float]],
    live: dict[str, list[float]],
    scroll: dict[str, Any],
) -> int:
    first = statistics.median(loads["interactive"])
    first_p95 = pct(loads["interactive"], 0.95)
    base = statistics.median(loads["baseline"])
    console_p95 = pct(live["console"], 0.95)
    plain_p95 = pct(live["subscriber"], 0.95)
    frames = scroll["scrolled"]["frames"]
    idle = scroll["idle"]["frames"]
    frame_p95 = pct(frames, 0.95)
    long_frames = sum(1 for f in frames if f > 100)
    print(f"python -m bench web --requests {args.requests} --loads {args.loads} --changes {args.changes}")
    print(f"load average before: {load_before}")
    print()
    print("| measure | result | baseline (same run) | target |")
    print("| --- | --- | --- | --- |")
    print(
        f"| first load to interactive queue ({args.requests} waiting), median / p95 of {args.loads} | "
        f"{first:.0f} / {first_p95:.0f} ms | HTML + one raw queue fetch {base:.0f} ms "
        f"({first / base:.1f}x) | < 1000 ms |"
    )
    print(
        f"| API change visible in the open console, p50 / p95 of {len(live['console'])} | "
        f"{statistics.median(live['console']):.0f} / {console_p95:.0f} ms | plain WebSocket subscriber "
        f"{statistics.median(live['subscriber']):.0f} / {plain_p95:.0f} ms | p95 < 500 ms |"
    )
    print(
        f"| scroll through {args.requests} rows: frame p50 / p95 / max, frames > 100 ms | "
        f"{statistics.median(frames):.1f} / {frame_p95:.1f} / {max(frames):.1f} ms, "
        f"{long_frames} of {len(frames)} | idle frames p50 / p95 {statistics.median(idle):.1f} / "
        f"{pct(idle, 0.95):.1f} ms | no frame > 100 ms |"
    )
    print(
        f"| rows in the DOM while scrolling (virtualised) | at most {scroll['scrolled']['maxRows']} "
        f"of {args.requests} | | a window, not all |"
    )
    met = first < 1000 and console_p95 < 500 and long_frames == 0
    print()
    print("all targets met" if met else "TARGET MISSED")
    return 0 if met else 1


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))
