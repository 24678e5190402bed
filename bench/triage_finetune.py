"""`python -m bench finetune`: does fine-tuning the encoder (LoRA) buy generalisation?

Grouped k-fold cross-validation on the training examples only (``triage/examples/``; the dev
and frozen sets are never read), the folds of ``triage.corpus.grouped_folds`` (paraphrases of
one situation in one fold). For each fold:

1. fine-tune the encoder on the other folds only (``triage.finetune``: LoRA r=8 on the query
   and value projections of every layer, cross-entropy of field and urgency, fixed seed);
2. merge the adapter as the engine does and re-embed every example (``triage.finetune.
   fold_vectors``: ``triage.encoder.Encoder.adapted``, the precision the engine uses);
3. fit the engine's heads (``triage.heads.Heads``, LR + kNN, the shipped options) on the other
   folds' new embeddings, predict the held-out fold.

The frozen encoder goes through step 3 on the same folds with its cached embeddings (with
``--against shipped``: the shipped options, ``FinetuneConfig()``, instead, so that an option
search compares each option with what ships; docs/benchmarks.md, step 10). Both
sets of out-of-fold predictions then go through the same calibration as ``python -m
triage.train`` (``triage.train.calibrate``: cross-fitted maps, EMERGENCY threshold at the
cross-validated recall target, 99.5%, times the margin), so EMERGENCY recall and precision are read at a
threshold chosen on cross-validation for each encoder. Intervals: 95%, 1,000 bootstrap
resamples of whole groups, the same resamples for both encoders, with the interval of the
paired difference (second minus first).

With ``--extra DIR`` it asks instead whether more training rows earn their place: the shipped
options on the examples' own folds, against the same options with DIR's rows added to every
training fold (a DIR group that paraphrases an example, cosine >= 0.95 on the frozen encoder,
goes to that example's fold and is left out with it; one that paraphrases examples in several
folds is left out of the comparison, ``--placement strict``); both sides are scored on the examples
only, so the comparison is paired and DIR's own rows never count (docs/benchmarks.md, step 11).

The per-fold embeddings are kept in ``var/cache/finetune-cv-*.npz`` (keyed by the examples,
the folds and the options; shared with ``python -m triage.train --finetune``, which trains the
same per-fold adapters for the calibration), so a re-run after a change to the heads or the
calibration only refits those. Cost: about 12 CPU-minutes per fold (15-24 minutes a fold on a
shared 2-core machine).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from triage.corpus import LabelledExample, example_groups, grouped_folds, load_examples
from triage.decision import EMERGENCY
from triage.finetune import FinetuneConfig, fold_vectors
from triage.heads import HeadsConfig
from triage.train import Decided, OutOfFold, calibrate, out_of_fold, summary

if TYPE_CHECKING:
    from triage.calibration import Calibration
    from triage.engine import Triage

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

SEED = 0
RESAMPLES = 1000
# Above this cosine (frozen encoder) two texts are one situation reworded (triage/examples/README.md).
PARAPHRASE_COSINE = 0.95


def _indicators(oof: OutOfFold, decided: Decided) -> dict[str, tuple[F64, F64]]:
    """Per measure: (numerator, denominator) per row, so that ratios resample correctly."""
    y_f, y_u = oof.field, oof.urgency
    d_f, d_u = decided.field, decided.urgency
    level = np.array([3, 2, 1, 0])  # URGENCIES order: EMERGENCY, HIGH, NORMAL, LOW
    is_em, called = y_u == EMERGENCY, d_u == EMERGENCY
    one = np.ones(len(y_f))
    return {
        "field accuracy": ((d_f == y_f).astype(float), one),
        "urgency accuracy": ((d_u == y_u).astype(float), one),
        "urgency within one level": ((np.abs(level[d_u] - level[y_u]) <= 1).astype(float), one),
        # The option search's criterion (docs/benchmarks.md, triage step 10).
        "field and urgency (mean)": (((d_f == y_f).astype(float) + (d_u == y_u)) / 2, one),
        "EMERGENCY recall": ((called & is_em).astype(float), is_em.astype(float)),
        "EMERGENCY precision": ((called & is_em).astype(float), called.astype(float)),
    }


def paired_report(
    groups: Sequence[str],
    names: tuple[str, str],
    a: dict[str, tuple[F64, F64]],
    b: dict[str, tuple[F64, F64]],
) -> None:
    index = {g: i for i, g in enumerate(dict.fromkeys(groups))}
    of = np.array([index[g] for g in groups])
    draws = np.random.default_rng(SEED).integers(0, len(index), (RESAMPLES, len(index)))
    weights = np.stack([np.bincount(d, minlength=len(index)) for d in draws]).astype(np.float64)

    def boot(num: F64, den: F64) -> tuple[float, F64]:
        sn, sd = np.bincount(of, num, len(index)), np.bincount(of, den, len(index))
        return float(num.sum() / den.sum()), (weights @ sn) / np.maximum(weights @ sd, 1e-12)

    print(f"{'measure':<26}{names[0]:>24}{names[1]:>24}{'difference':>26}")
    for name in a:
        va, ra = boot(*a[name])
        vb, rb = boot(*b[name])
        lo_a, hi_a = np.percentile(ra, [2.5, 97.5])
        lo_b, hi_b = np.percentile(rb, [2.5, 97.5])
        lo_d, hi_d = np.percentile(rb - ra, [2.5, 97.5])
        print(
            f"{name:<26}{va:>7.3f} [{lo_a:.3f}, {hi_a:.3f}]{vb:>8.3f} [{lo_b:.3f}, {hi_b:.3f}]"
            f"{vb - va:>+8.3f} [{lo_d:+.3f}, {hi_d:+.3f}]"
        )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, default=Path(os.environ.get("OTONARI_DATA_DIR") or "var"))
    parser.add_argument(
        "--examples", type=Path, default=None, help="examples directory (default: triage/examples)"
    )
    parser.add_argument("--folds", type=int, default=3, help="grouped folds (default: %(default)s)")
    parser.add_argument("--epochs", type=int, default=FinetuneConfig.epochs)
    parser.add_argument("--rank", type=int, default=FinetuneConfig.rank)
    parser.add_argument("--lr", type=float, default=FinetuneConfig.learning_rate)
    parser.add_argument(
        "--against",
        choices=("frozen", "shipped"),
        default="frozen",
        help="compare with the frozen encoder, or with the shipped fine-tune options "
        "(an option search on CV; default: %(default)s)",
    )
    parser.add_argument(
        "--extra",
        type=Path,
        default=None,
        help="candidate training rows (a directory of *.jsonl in the examples' schema): compare "
        "the examples alone with the examples plus these, both scored on the examples",
    )
    parser.add_argument(
        "--placement",
        choices=("strict", "first"),
        default="strict",
        help="a candidate group paraphrasing examples in several folds: left out (strict), or "
        "put in the fold of its first row's nearest example (default: %(default)s)",
    )


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch

    from triage.calibration import Calibration
    from triage.engine import Triage

    torch.set_num_threads(max(1, len(os.sched_getaffinity(0))))
    config = FinetuneConfig(epochs=args.epochs, rank=args.rank, alpha=2.0 * args.rank, learning_rate=args.lr)
    examples = load_examples(args.examples)
    groups = example_groups(examples)
    folds = np.asarray(grouped_folds(groups, args.folds, SEED), dtype=np.int64)
    engine = Triage.load(args.data_dir, examples=examples, calibration=Calibration(), adapter_file=None)
    frozen = engine.example_vectors([e.text for e in examples])
    print(
        f"{len(examples)} examples in {len(set(groups))} groups, {args.folds} grouped folds; {config}",
        flush=True,
    )

    def adapted(options: FinetuneConfig) -> OutOfFold:
        return adapted_out_of_fold(engine, args.data_dir, examples, frozen, folds, args.folds, options)

    if args.extra is not None:
        return compare_extra(args, engine, examples, groups, folds, frozen, config)
    if args.against == "frozen":
        names = ("frozen encoder", "fine-tuned (LoRA)")
        base = out_of_fold(examples, frozen, folds.tolist(), HeadsConfig())
    else:
        names = ("shipped options", "these options")
        base = adapted(FinetuneConfig())
    tuned = adapted(config)

    results: dict[str, tuple[OutOfFold, Decided]] = {}
    for name, oof in zip(names, (base, tuned), strict=True):
        _, decided = calibrated(name, oof)
        results[name] = (oof, decided)
    print(f"95% intervals: {RESAMPLES} resamples of whole groups, paired")
    paired_report(groups, names, _indicators(*results[names[0]]), _indicators(*results[names[1]]))
    return 0


def adapted_out_of_fold(
    engine: Triage,
    data_dir: Path,
    rows: Sequence[LabelledExample],
    frozen: F32,
    folds: I64,
    k: int,
    config: FinetuneConfig,
) -> OutOfFold:
    """The heads' out-of-fold predictions, each fold embedded by the adapter fine-tuned on the
    other folds (cached by ``fold_vectors``)."""
    per_fold = [fold_vectors(engine, data_dir, rows, frozen, folds.tolist(), f, config) for f in range(k)]
    return out_of_fold(rows, per_fold, folds.tolist(), HeadsConfig())


def calibrated(name: str, oof: OutOfFold) -> tuple[Calibration, Decided]:
    """``triage.train.calibrate`` on these rows, its threshold and figures printed under ``name``."""
    cal, decided = calibrate(oof)
    print(
        f"{name}: EMERGENCY threshold {cal.emergency_threshold:.4f}; "
        + ", ".join(f"{k} {v:.3f}" for k, v in summary(oof, decided, cal.unsure_below).items()),
        flush=True,
    )
    return cal, decided


def extra_folds(
    base_folds: I64,
    base_vectors: F32,
    extra_groups: Sequence[str],
    extra_vectors: F32,
    k: int,
    strict: bool = True,
) -> tuple[I64, int]:
    """Folds of candidate rows: a group with rows that paraphrase examples (cosine >= 0.95, the
    examples' own grouping rule) goes to those examples' fold; the others are spread over the
    folds by ``grouped_folds``. A group whose paraphrased examples sit in several folds has no
    fold without a leak: ``strict`` leaves it out (fold -1), otherwise it goes to the fold of
    its first row's nearest example. Also: how many groups were linked to examples."""
    cosine = extra_vectors @ base_vectors.T
    linked_folds: dict[str, list[int]] = {}
    for i, g in enumerate(extra_groups):
        near = np.flatnonzero(cosine[i] >= PARAPHRASE_COSINE)
        if len(near):
            ordered = sorted(near.tolist(), key=lambda j: -cosine[i, j])
            linked_folds.setdefault(g, []).extend(int(base_folds[j]) for j in ordered)
    placed = {g: (-1 if strict and len(set(found)) > 1 else found[0]) for g, found in linked_folds.items()}
    free = [g for g in extra_groups if g not in placed]
    placed.update(zip(free, grouped_folds(free, k, SEED), strict=True))
    fold = np.array([placed[g] for g in extra_groups], dtype=np.int64)
    return fold, len(linked_folds)


def rows_of(oof: OutOfFold, decided: Decided, rows: I64) -> tuple[OutOfFold, Decided]:
    """The out-of-fold figures and decisions of some rows only."""
    return (
        OutOfFold(**{f.name: getattr(oof, f.name)[rows] for f in fields(OutOfFold)}),
        Decided(**{f.name: getattr(decided, f.name)[rows] for f in fields(Decided)}),
    )


def compare_extra(
    args: argparse.Namespace,
    engine: Triage,
    examples: list[LabelledExample],
    groups: list[str],
    folds: I64,
    frozen: F32,
    config: FinetuneConfig,
) -> int:
    extra = load_examples(args.extra)
    if not extra:
        print(f"no rows in {args.extra}", file=sys.stderr)
        return 2
    extra_groups = [f"extra:{g}" for g in example_groups(extra)]
    extra_frozen = engine.example_vectors([e.text for e in extra])
    extra_fold, linked = extra_folds(
        folds, frozen, extra_groups, extra_frozen, args.folds, args.placement == "strict"
    )
    kept = np.flatnonzero(extra_fold >= 0)
    print(
        f"extra: {len(extra)} rows in {len(set(extra_groups))} groups from {args.extra};"
        f" {linked} groups paraphrase an example (put in its fold); placement {args.placement}:"
        f" {len(extra) - len(kept)} rows of groups spanning folds left out",
        flush=True,
    )
    extra = [extra[int(i)] for i in kept]
    extra_fold, extra_frozen = extra_fold[kept], extra_frozen[kept]
    both = [*examples, *extra]
    both_folds = np.concatenate([folds, extra_fold])
    both_frozen = np.concatenate([frozen, extra_frozen])
    base_rows = np.arange(len(examples))
    sides = {
        "examples": (examples, folds, frozen),
        "examples + extra": (both, both_folds, both_frozen),
    }
    results: dict[str, tuple[OutOfFold, Decided]] = {}
    for name, (rows, fold, vectors) in sides.items():
        oof = adapted_out_of_fold(engine, args.data_dir, rows, vectors, fold, args.folds, config)
        # Calibrated on every row it trained on, as python -m triage.train would.
        cal, decided = calibrated(f"{name} (all {len(rows)} rows)", oof)
        results[name] = rows_of(oof, decided, base_rows)
        print(
            f"{name} (the {len(examples)} examples): "
            + ", ".join(f"{k} {v:.3f}" for k, v in summary(*results[name], cal.unsure_below).items()),
            flush=True,
        )
    names = ("examples", "examples + extra")
    print(f"95% intervals: {RESAMPLES} resamples of whole groups, paired, on the examples only")
    paired_report(groups, names, _indicators(*results[names[0]]), _indicators(*results[names[1]]))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench finetune", description=(__doc__ or "").split("\n")[0]
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
