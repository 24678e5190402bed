"""`python -m bench cues`: emergency cue recall and precision on the training examples, and speed.

Quality, on the labelled *training* examples only (default: ``triage/examples/*.jsonl`` and
``triage/examples/drafts/*.jsonl``; evaluation data, the frozen test set and the dev set, are
refused: they must stay unseen by whoever edits the cues). A text is flagged when a firm cue
fires (``find_emergency_cues``); recall = flagged EMERGENCY / EMERGENCY, precision = flagged
EMERGENCY / flagged, with 95% bootstrap intervals over situation groups (paraphrases of one
situation share a ``group`` and are resampled together). Beside the current cues, the same
figures for the baseline: the cue list as it was before it became data
(``bench/cue_baseline.py``). Tables per language (``variant`` where the example has one: zh-Hans,
vi-latn, ne-latn, ja-easy...) and per kind: a kind's recall counts the EMERGENCY examples about
it (read from their English ``topic``, ``bench/data/cue_topics.toml``) that any firm cue flags;
its false alarms are the non-EMERGENCY examples where that kind's cues fire firm. Then every
miss and false alarm, and the EMERGENCY examples whose cues were all qualified ("mentions
(past): ...": the model still sees them).

Held out: drafts (``drafts/``) whose group falls in the held-out fifth (a hash of the group)
are reported apart; a cue author tunes with ``--list tune`` and looks at the held-out part's
figures only.

Speed: ``find_emergency_cues`` of the current cues and of the baseline over every example
text, in interleaved rounds (background load hits both alike); the ratio current / baseline
must stay <= 1.0 (exit status 1 otherwise).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import time
import tomllib
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import cue_baseline
from bench.frozen_sets import FROZEN_SETS
from triage.emergency import find_emergency_cues, load_cues, scan_emergency_cues

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "triage" / "examples"
TOPICS = Path(__file__).with_name("data") / "cue_topics.toml"
# Evaluation data: never read here (a cue tuned on it would make its numbers meaningless).
FORBIDDEN = (*FROZEN_SETS.values(), REPO.parent / "shared" / "data")
SPEED_RATIO_TARGET = 1.0
HELD_OUT_SHARE = 5  # one group in five
BOOTSTRAP = 1000


@dataclass(frozen=True)
class Example:
    text: str
    lang: str  # the variant where given (zh-Hant, vi-latn, ja-easy), else the language
    emergency: bool
    group: str
    topic: str
    source: str  # file name
    held_out: bool


def _forbidden(path: Path) -> bool:
    resolved = path.resolve()
    return any(resolved == f.resolve() or f.resolve() in resolved.parents for f in FORBIDDEN)


def load_examples(paths: Sequence[Path]) -> list[Example]:
    rows = []
    for path in paths:
        if _forbidden(path):
            raise SystemExit(f"{path}: evaluation data, not for tuning cues (see the module docstring)")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            r = json.loads(line)
            # A row without a group is its own situation. Only drafts are held out: the seed rows
            # were all seen while the cues were written.
            group = r.get("group") or f"{path.name}:{n}"
            held_out = (
                path.parent.name == "drafts"
                and "group" in r
                and int(hashlib.sha256(group.encode()).hexdigest(), 16) % HELD_OUT_SHARE == 0
            )
            rows.append(
                Example(
                    text=r["text"],
                    lang=r.get("variant") or r["lang"],
                    emergency=r["urgency"] == "EMERGENCY",
                    group=group,
                    topic=r.get("topic", ""),
                    source=path.name,
                    held_out=held_out,
                )
            )
    return rows


def default_paths() -> list[Path]:
    return sorted(EXAMPLES.glob("*.jsonl")) + sorted((EXAMPLES / "drafts").glob("*.jsonl"))


def topic_kind(topic: str, table: dict[str, object]) -> str:
    if not topic:
        return "no topic"
    words: dict[str, list[str]] = table["words"]  # type: ignore[assignment]
    low = topic.lower()
    for kind in table["order"]:  # type: ignore[attr-defined]
        if any(w in low for w in words[kind]):
            return str(kind)
    return "other"


# ------------------------------------------------------------------------------ quality


def recall_precision(flags: Sequence[bool], gold: Sequence[bool]) -> tuple[float, float, int, int, int]:
    tp = sum(f and g for f, g in zip(flags, gold, strict=True))
    fn = sum(g and not f for f, g in zip(flags, gold, strict=True))
    fp = sum(f and not g for f, g in zip(flags, gold, strict=True))
    recall = tp / (tp + fn) if tp + fn else float("nan")
    precision = tp / (tp + fp) if tp + fp else float("nan")
    return recall, precision, tp, fn, fp


def bootstrap(
    rows: Sequence[Example], flags: Sequence[bool], seed: int = 0
) -> tuple[tuple[float, float], tuple[float, float]]:
    """95% percentile intervals of recall and precision, resampling whole groups."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        groups[r.group].append(i)
    keys = list(groups)
    rng = random.Random(seed)
    recalls, precisions = [], []
    for _ in range(BOOTSTRAP):
        idx = [i for k in rng.choices(keys, k=len(keys)) for i in groups[k]]
        rec, prec, *_ = recall_precision([flags[i] for i in idx], [rows[i].emergency for i in idx])
        if rec == rec:
            recalls.append(rec)
        if prec == prec:
            precisions.append(prec)

    def interval(values: list[float]) -> tuple[float, float]:
        if not values:
            return (float("nan"), float("nan"))
        values.sort()
        return values[int(0.025 * len(values))], values[min(len(values) - 1, int(0.975 * len(values)))]

    return interval(recalls), interval(precisions)


def _pct(x: float) -> str:
    return "   -  " if x != x else f"{100 * x:5.1f}%"


def quality_table(name: str, rows: Sequence[Example], flags: dict[str, list[bool]]) -> None:
    gold = [r.emergency for r in rows]
    print(f"\n{name}: {len(rows)} examples, {sum(gold)} EMERGENCY, {len({r.group for r in rows})} groups")
    print(
        f"{'cues':<10} {'recall':>7} {'95% interval':>17} {'precision':>9} {'95% interval':>17}"
        "   tp   fn   fp"
    )
    for label, f in flags.items():
        rec, prec, tp, fn, fp = recall_precision(f, gold)
        (r_lo, r_hi), (p_lo, p_hi) = bootstrap(rows, f)
        print(
            f"{label:<10} {_pct(rec):>7} {_pct(r_lo):>8}-{_pct(r_hi):<8} {_pct(prec):>9} "
            f"{_pct(p_lo):>8}-{_pct(p_hi):<8} {tp:4d} {fn:4d} {fp:4d}"
        )


def per_group_table(
    title: str, keys: Sequence[str], rows: Sequence[Example], flags: dict[str, list[bool]]
) -> None:
    print(
        f"\n{title:<14}" + "".join(f"{'recall ' + k:>17}{'prec ' + k:>15}" for k in flags) + "   emerg  other"
    )
    for key in sorted(set(keys)):
        idx = [i for i, k in enumerate(keys) if k == key]
        cells = ""
        for f in flags.values():
            rec, prec, *_ = recall_precision([f[i] for i in idx], [rows[i].emergency for i in idx])
            cells += f"{_pct(rec):>17}{_pct(prec):>15}"
        n_em = sum(rows[i].emergency for i in idx)
        print(f"{key:<14}{cells}   {n_em:5d}  {len(idx) - n_em:5d}")


def kind_table(
    rows: Sequence[Example], flags: list[bool], base: list[bool], fired_kinds: list[list[str]]
) -> None:
    table = tomllib.loads(TOPICS.read_text(encoding="utf-8"))
    gold_kinds = [topic_kind(r.topic, table) if r.emergency else "" for r in rows]
    kinds = [k.id for k in load_cues().kinds]
    print(
        f"\n{'kind':<14}{'EMERGENCY':>10}{'recall':>9}{'baseline':>10}"
        f"{'fires firm':>12}{'false alarms':>14}{'precision':>11}"
    )
    for kind in [*kinds, "other", "no topic"]:
        idx = [i for i, k in enumerate(gold_kinds) if k == kind]
        fired = [i for i, ks in enumerate(fired_kinds) if kind in ks]
        false = [i for i in fired if not rows[i].emergency]
        if not idx and not fired:
            continue
        rec = sum(flags[i] for i in idx) / len(idx) if idx else float("nan")
        base_rec = sum(base[i] for i in idx) / len(idx) if idx else float("nan")
        prec = 1 - len(false) / len(fired) if fired else float("nan")
        print(
            f"{kind:<14}{len(idx):>10}{_pct(rec):>9}{_pct(base_rec):>10}"
            f"{len(fired):>12}{len(false):>14}{_pct(prec):>11}"
        )


# -------------------------------------------------------------------------------- speed


def speed(texts: Sequence[str], rounds: int) -> tuple[float, float]:
    """Median ms per text of the current cues and of the baseline, interleaved rounds."""
    runs: dict[str, list[float]] = {"current": [], "baseline": []}
    fns: dict[str, Callable[[str], list[str]]] = {
        "current": find_emergency_cues,
        "baseline": cue_baseline.find_emergency_cues,
    }
    for name in fns:  # warm both (compiled patterns, the automaton)
        fns[name](texts[0])
    for r in range(rounds):
        order = ("current", "baseline") if r % 2 == 0 else ("baseline", "current")
        for name in order:
            fn = fns[name]
            started = time.perf_counter()
            for t in texts:
                fn(t)
            runs[name].append((time.perf_counter() - started) * 1000 / len(texts))
    return statistics.median(runs["current"]), statistics.median(runs["baseline"])


# ---------------------------------------------------------------------------------- main


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--examples", type=Path, nargs="*", help="JSONL files of training examples (default: seed and drafts)"
    )
    parser.add_argument(
        "--list",
        choices=("all", "tune", "none"),
        default="all",
        help="which misses and false alarms to list (tune: not the held-out groups)",
    )
    parser.add_argument("--rounds", type=int, default=5, help="speed rounds (default 5)")


def run(args: argparse.Namespace) -> int:
    rows = load_examples(args.examples or default_paths())
    if not rows:
        raise SystemExit("no examples")
    scans = [scan_emergency_cues(r.text) for r in rows]
    current = [bool(s.firm) for s in scans]
    base = [bool(cue_baseline.find_emergency_cues(r.text)) for r in rows]
    flags = {"current": current, "baseline": base}
    print(
        f"emergency cues: {len(load_cues().cues)} cues; examples from {len({r.source for r in rows})} files"
    )
    quality_table("all examples", rows, flags)
    for name, part in (("tuned on (seed + drafts)", False), ("held-out groups", True)):
        idx = [i for i, r in enumerate(rows) if r.held_out == part]
        if idx:
            quality_table(name, [rows[i] for i in idx], {k: [f[i] for i in idx] for k, f in flags.items()})
    per_group_table("language", [r.lang for r in rows], rows, flags)
    fired = [[h.kind for h in s.hits if h.context is None] for s in scans]
    kind_table(rows, current, base, fired)

    qualified_only = [i for i, s in enumerate(scans) if rows[i].emergency and not s.firm and s.hits]
    print(
        "\nEMERGENCY examples with only qualified cues (not forced, left to the model): "
        f"{len(qualified_only)}; "
        f"non-EMERGENCY examples with qualified cues only: "
        f"{sum(1 for i, s in enumerate(scans) if not rows[i].emergency and not s.firm and s.hits)}"
    )
    if args.list != "none":
        shown = [i for i in range(len(rows)) if args.list == "all" or not rows[i].held_out]
        misses = [i for i in shown if rows[i].emergency and not current[i]]
        false = [i for i in shown if current[i] and not rows[i].emergency]
        print(f"\nmisses ({len(misses)}{'' if args.list == 'all' else ', held-out groups not shown'}):")
        for i in misses:
            signals = "; ".join(scans[i].signals())
            print(f"  MISS  {rows[i].lang:<8} [{rows[i].topic[:50]}] {rows[i].text[:140]!r} {signals}")
        print(f"\nfalse alarms ({len(false)}):")
        for i in false:
            print(f"  FALSE {rows[i].lang:<8} {', '.join(scans[i].firm)}: {rows[i].text[:140]!r}")
    counts = Counter(h.context for s in scans for h in s.hits if h.context)
    if counts:
        print("\nqualified hits by context: " + ", ".join(f"{k} {v}" for k, v in counts.most_common()))

    texts = [r.text for r in rows]
    now_ms, base_ms = speed(texts, args.rounds)
    ratio = now_ms / base_ms
    verdict = "met" if ratio <= SPEED_RATIO_TARGET else "MISSED"
    print(
        f"\nspeed over {len(texts)} texts, median of {args.rounds} interleaved rounds: "
        f"current {now_ms:.3f} ms/text, "
        f"baseline {base_ms:.3f} ms/text, ratio {ratio:.2f} (target <= {SPEED_RATIO_TARGET}): {verdict}"
    )
    return 0 if ratio <= SPEED_RATIO_TARGET else 1
