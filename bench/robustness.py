"""`python -m bench robustness`: do emergencies stay emergencies when the writer asks "what should I do?"

A resident who describes an emergency often ends with a plea for advice ("k garne?", "どうしたら
いいですか"). Those words are common in the examples' everyday questions, so they can pull the
model's probability of EMERGENCY down, and, below the cue floor, make the triage doubt a firm
cue. This bench takes every EMERGENCY row of the candidate batches (`bench/data/candidates/`:
written blind, never trained on; the frozen and dev sets, and the held-back batches of
`bench.calls.HELD_BACK`, stay unread here), triages it as written
and with its variant's question appended (`bench/data/help_questions.toml`), and lists every
emergency the question turns into something else, by cause: a firm cue doubted by the floor, or
the probability below the threshold. Exit status 1 when any is lost (target: none).
"""

from __future__ import annotations

import argparse
import json
import os
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.calls import held_back
from bench.triage import add_engine_arguments

REPO = Path(__file__).resolve().parent.parent
CANDIDATES = REPO / "bench" / "data" / "candidates"
QUESTIONS = Path(__file__).with_name("data") / "help_questions.toml"


@dataclass(frozen=True)
class HelpQuestions:
    """The appended question per writing variant, and how it joins the text."""

    question: dict[str, str]
    join: dict[str, str]

    @classmethod
    def load(cls, path: Path = QUESTIONS) -> HelpQuestions:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return cls(question=dict(data["question"]), join=dict(data["join"]))

    def append(self, text: str, variant: str) -> str:
        return text + self.join.get(variant, self.join["default"]) + self.question[variant]


def emergency_rows(directories: list[Path], variants: set[str]) -> list[dict[str, str]]:
    """EMERGENCY rows (text, variant, source) of the JSONL files in the directories, held-back
    batches left unopened."""
    rows = []
    for directory in directories:
        for path in sorted(p for p in directory.rglob("*.jsonl") if not held_back(p)):
            for line in path.read_text(encoding="utf-8").splitlines():
                row = json.loads(line) if line.strip() else None
                if row and row["urgency"] == "EMERGENCY" and row.get("variant") in variants:
                    rows.append({"text": row["text"], "variant": row["variant"], "source": path.name})
    return rows


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dirs",
        type=Path,
        nargs="+",
        default=sorted(p for p in CANDIDATES.iterdir() if p.is_dir()),
        help="directories of labelled JSONL (default: every candidate batch)",
    )
    add_engine_arguments(parser)


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from triage.calibration import Calibration
    from triage.emergency import DOUBTED_PREFIX
    from triage.engine import Triage

    questions = HelpQuestions.load()
    rows = emergency_rows(args.dirs, set(questions.question))
    calibration = Calibration.load(args.calibration) if args.calibration else None
    engine = Triage.load(args.data_dir, calibration=calibration)
    print(f"model: {engine.version}")
    print(f"emergencies: {len(rows)} rows of {', '.join(str(d.name) for d in args.dirs)}")
    as_written = engine.triage_many([r["text"] for r in rows])
    asked = engine.triage_many([questions.append(r["text"], r["variant"]) for r in rows])
    lost: Counter[str] = Counter()
    causes: Counter[str] = Counter()
    kept_as_written = 0
    print("\nturned into something else by the question:")
    for row, before, after in zip(rows, as_written, asked, strict=True):
        kept_as_written += before.urgency.value == "EMERGENCY"
        if before.urgency.value == "EMERGENCY" and after.urgency.value != "EMERGENCY":
            doubted = any(s.startswith(DOUBTED_PREFIX) for s in after.signals)
            cause = "firm cue doubted" if doubted else "probability below threshold"
            lost[row["variant"]] += 1
            causes[cause] += 1
            print(
                f"  [{row['variant']}] {row['source']} P {before.emergency_probability:.2f} -> "
                f"{after.emergency_probability:.2f} {after.urgency.value} ({cause}): {row['text'][:90]}"
            )
    missed = [
        (row, before)
        for row, before in zip(rows, as_written, strict=True)
        if before.urgency.value != "EMERGENCY"
    ]
    print("\nnot EMERGENCY even as written:")
    for row, before in missed:
        print(
            f"  [{row['variant']}] {row['source']} P {before.emergency_probability:.3f} "
            f"{before.urgency.value}: {row['text'][:90]}"
        )
    total = sum(lost.values())
    print(f"\nEMERGENCY as written: {kept_as_written} of {len(rows)}")
    print(f"EMERGENCY with the question: {kept_as_written - total} ({total} lost)")
    print("lost by cause: " + (", ".join(f"{c} {n}" for c, n in causes.most_common()) or "none"))
    print("lost by variant: " + (", ".join(f"{v} {n}" for v, n in sorted(lost.items())) or "none"))
    return 1 if total else 0
