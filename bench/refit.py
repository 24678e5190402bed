"""`python -m bench refit`: what a stream of staff reviews costs the worker's engine, in time and RSS.

The worker learns reviewed requests through ``service.pipeline.ExampleSync``: before each
triage batch it reads the new ``triage_examples`` rows, adds them to the engine (embedded, in
the nearest-example memory at once) and, at most once per --refit-seconds, refits the linear
heads in the background, warm-started. This bench drives that same class with --reviews
reviewed requests, --batch of them per sync (the rows come from memory instead of PostgreSQL;
everything else is the real engine and model), triaging --batch texts after each sync as the
worker does. ``--full-refit`` instead retrains both heads from scratch at every sync (what the
worker did before: the soak's 2,800 reviews meant ~2,800 full trainings).

Reported: syncs, refits, the time a sync holds up the triage loop (p50/p99), and the process's
RSS after the warm-up (--warmup-reviews) and at the end, with its largest drift from the
warm-up level (target of issue 11: within 5%).
"""

import argparse
import asyncio
import math
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.server import REPO, TEXTS
from bench.soak import pct, rss_bytes
from service import memory
from service.pipeline import ExampleSync
from triage.labels import SupportField, Urgency

RSS_DRIFT_TARGET = 0.05


class ReviewedRows:
    """Stands in for the database connection ExampleSync reads: the reviewed rows so far."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    async def fetchval(self, query: str, *args: object) -> int:
        return 0  # no removals

    async def fetch(self, query: str, *args: Any) -> list[dict[str, Any]]:
        if "triage_example_removals" in query:
            return []
        return [r for r in self.rows if r["id"] > args[0]]


def review_text(rng: random.Random, i: int) -> str:
    return f"{rng.choice(TEXTS)} ({i}, {rng.randrange(10**6)})"


async def _run(args: argparse.Namespace) -> int:
    from triage.engine import Triage

    with tempfile.TemporaryDirectory(prefix="bench-refit-") as tmp:
        data_dir = Path(tmp)
        # The model as converted in var/, and a copy of the example-vector cache (rewritten here).
        (data_dir / "models").symlink_to((REPO / "var" / "models").resolve())
        if (REPO / "var" / "cache").is_dir():
            shutil.copytree(REPO / "var" / "cache", data_dir / "cache")
        engine = Triage.load(data_dir)
        sync = ExampleSync(engine, refit_seconds=args.refit_seconds)
        rows = ReviewedRows()
        rng = random.Random(args.seed)
        fields, urgencies = list(SupportField), [Urgency.LOW, Urgency.NORMAL, Urgency.HIGH]
        hold_ups: list[float] = []
        samples: list[tuple[int, int]] = []
        refits = 0
        started = time.perf_counter()
        for i in range(0, args.reviews, args.batch):
            for j in range(i, min(i + args.batch, args.reviews)):
                rows.rows.append(
                    {
                        "id": j + 1,
                        "text": review_text(rng, j),
                        "field": rng.choice(fields).value,
                        "urgency": rng.choice(urgencies).value,
                    }
                )
            t = time.perf_counter()
            if args.full_refit:
                new = [
                    (r["text"], SupportField(r["field"]), Urgency(r["urgency"]), r["id"])
                    for r in await rows.fetch("", sync.last_id)
                ]
                await asyncio.to_thread(engine.add_examples, new)
                sync.last_id = rows.rows[-1]["id"]
                refits += 1
            else:
                before = sync._refit
                await sync.sync(rows)  # type: ignore[arg-type]
                refits += sync._refit is not before
            hold_ups.append(1000 * (time.perf_counter() - t))
            await asyncio.to_thread(engine.triage_many, [review_text(rng, -1) for _ in range(args.batch)])
            samples.append((len(rows.rows), rss_bytes(os.getpid())))
        await sync.close()
        wall = time.perf_counter() - started
    after = [rss for n, rss in samples if n >= args.warmup_reviews]
    level = after[0]
    drift = max(abs(r - level) for r in after) / level
    values = sorted(hold_ups)
    mode = (
        "full refit at every sync"
        if args.full_refit
        else f"warm refit at most every {args.refit_seconds:g} s"
    )
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    arenas = (
        "glibc default"
        if args.default_malloc
        else os.environ.get("MALLOC_ARENA_MAX", f"{memory.ARENAS} (mallopt)")
    )
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load}; "
        f"{args.reviews} reviews, {args.batch} per sync, {mode}; malloc arenas: {arenas}"
    )
    print(
        f"syncs: {len(hold_ups)}, refits: {refits}, {wall:.1f} s in all; sync holds the triage loop "
        f"p50 {pct(values, 0.5):.0f} ms, p99 {pct(values, 0.99):.0f} ms, max {values[-1]:.0f} ms"
    )
    print(
        f"RSS: {level / 2**20:.0f} MiB after {args.warmup_reviews} reviews, "
        f"last {after[-1] / 2**20:.0f} MiB, "
        f"largest drift {100 * drift:.1f}% (target <= {100 * RSS_DRIFT_TARGET:g}%)"
    )
    return 0 if drift <= RSS_DRIFT_TARGET and not math.isnan(drift) else 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--reviews", type=int, default=1000)
    parser.add_argument(
        "--batch", type=int, default=5, help="reviews learned per sync (and texts triaged after it)"
    )
    parser.add_argument("--warmup-reviews", type=int, default=100, help="RSS level taken after this many")
    parser.add_argument("--refit-seconds", type=float, default=30.0, help="at most one warm refit this often")
    parser.add_argument(
        "--full-refit", action="store_true", help="the old way: a full training at every sync"
    )
    parser.add_argument(
        "--default-malloc",
        action="store_true",
        help="glibc's default arenas and oneDNN's default caches (main.py bounds both)",
    )
    parser.add_argument("--seed", type=int, default=11)


def run(args: argparse.Namespace) -> int:
    if not args.default_malloc:
        memory.limit_malloc_arenas()  # as main.py does for `serve` and `worker`
        memory.bound_native_caches()
    return asyncio.run(_run(args))
