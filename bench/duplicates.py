"""`python -m bench duplicates`: the staff-correction memory's near-duplicates, on training examples.

A near-duplicate (the same request re-sent or slightly edited) takes the labels staff gave the
original and is linked for staff. The engine picks the candidates by embedding (the K nearest
examples) and confirms them by text (``triage.duplicates``). This bench measures both halves on
edited copies of --sample training examples (never the dev or frozen sets), in the bare encoder's
space and in the triage's (the adapter's, when there is one):

* edits: another name and phone number in front, two swapped characters, punctuation dropped, a
  sentence added. For each: the text overlap of the pair, its cosine, and how often the edited
  copy finds its original among the K nearest examples (the takeover needs it there);
* other situations: the highest text overlap between each example and its K nearest examples of
  another paraphrase group (what the threshold must stay above).

Exit status 1 when an edit's original is outside the K nearest in the triage's space more often
than 1 in 200, or another situation reaches the threshold.
"""

import argparse
import random
import re
from pathlib import Path

import numpy as np

from triage.corpus import load_examples
from triage.duplicates import DUPLICATE_OVERLAP, overlap
from triage.engine import Triage
from triage.heads import KNN_K

_NAMES = (
    "Wang",
    "Li",
    "Nguyen Van An",
    "Maria Santos",
    "Kim Minji",
    "Ram Thapa",
    "Aung Aung",
    "グエン",
    "王芳",
)
_PUNCTUATION = re.compile(r"[.,!?。、！？]")


def _phone(rng: random.Random) -> str:
    return f"0{rng.choice('789')}0-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"


def _swap_two(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(2):
        if len(chars) > 3:
            i = rng.randrange(len(chars) - 1)
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)


def edits(text: str, rng: random.Random) -> dict[str, tuple[str, str]]:
    """(original as sent, edited copy) for each kind of edit."""
    return {
        "name and phone": (
            f"{rng.choice(_NAMES)} {_phone(rng)}. {text}",
            f"{rng.choice(_NAMES)} {_phone(rng)}. {text}",
        ),
        "two typos": (text, _swap_two(text, rng)),
        "no punctuation": (text, _PUNCTUATION.sub("", text)),
        "a sentence added": (text, text + " Please help."),
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sample", type=int, default=400, help="examples edited (default 400)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, default=Path("var"))


def _pct(values: np.ndarray, q: float) -> float:
    return float(np.percentile(values, q))


def run(args: argparse.Namespace) -> int:
    examples = load_examples()
    engine = Triage.load(args.data_dir, examples=examples)
    texts = [e.text for e in examples]
    groups = np.array([e.group for e in examples])
    spaces = {"bare": engine.embed_queries}
    if engine.adapter:
        spaces[f"triage (adapter {engine.adapter})"] = engine.embed_for_triage
    triage_space = list(spaces)[-1]  # what the engine's takeover searches
    vectors = {name: embed(texts) for name, embed in spaces.items()}
    rng = random.Random(args.seed)
    chosen = rng.sample(range(len(examples)), min(args.sample, len(examples)))
    pairs = [edits(texts[i], rng) for i in chosen]
    failed = False

    print(f"{len(examples)} examples; {len(chosen)} edited; near-duplicate from overlap {DUPLICATE_OVERLAP}")
    print(f"{'edit':18} {'overlap p5':>10} {'median':>7} {'>= thr':>7}", end="")
    print(f"   per space: cosine p5 / median, original among the {KNN_K} nearest")
    for kind in pairs[0]:
        a = [p[kind][0] for p in pairs]
        b = [p[kind][1] for p in pairs]
        over = np.array([overlap(x, y) for x, y in zip(a, b, strict=True)])
        confirmed = float(np.mean(over >= DUPLICATE_OVERLAP))
        line = f"{kind:18} {_pct(over, 5):10.3f} {np.median(over):7.3f} {confirmed:7.1%}"
        for name, embed in spaces.items():
            va, vb = embed(a), embed(b)
            cos = (va * vb).sum(axis=1)
            # The edited copy against every example, its own original (as sent) in place of the seed.
            sims = vb @ vectors[name].T
            sims[np.arange(len(chosen)), chosen] = cos
            rank = (sims > cos[:, None]).sum(axis=1)
            found = float(np.mean(rank < KNN_K))
            failed |= name == triage_space and found < 0.995
            line += f"   {name}: {_pct(cos, 5):.3f} / {np.median(cos):.3f}, {found:.1%}"
        print(line)

    print(f"\nother situations: highest overlap with the {KNN_K} nearest examples of another group")
    for name, v in vectors.items():
        sims = v @ v.T
        sims[groups[:, None] == groups[None, :]] = -np.inf
        nearest = np.argsort(-sims, axis=1)[:, :KNN_K]
        over = np.array([[overlap(texts[i], texts[int(j)]) for j in row] for i, row in enumerate(nearest)])
        i, k = np.unravel_index(int(np.argmax(over)), over.shape)
        print(
            f"  {name}: p99 {_pct(over.max(axis=1), 99):.3f}, max {over.max():.3f} "
            f"(groups {examples[int(i)].group} and {examples[int(nearest[i, k])].group}), "
            f"at or above the threshold: {int((over >= DUPLICATE_OVERLAP).sum())}"
        )
        failed |= bool((over >= DUPLICATE_OVERLAP).any())

    return 1 if failed else 0
