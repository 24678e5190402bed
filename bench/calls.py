"""`python -m bench calls --out FILE [PATH ...]`: this checkout's engine calls every labelled row.

A triage step is judged by two engines' calls on the same blind rows: the base (main) and the
candidate, each in its own checkout. This bench is one side of that: the engine of this checkout
(``Triage.load`` on ``--data-dir``, default ``var``; ``--calibration`` as in ``bench triage``)
triages every row of the given JSONL files or directories (default: every batch under
``bench/data/candidates/``, recursively, in path order), in batches of BATCH_SIZE texts, and
writes one JSON line per row (``Call.to_json``): a stable row id, the gold labels, the call, the
row's variant and tags, and the engine's version.
``python -m bench judge`` (``bench/judge.py``) compares two such files.

The batches of HELD_BACK are skipped unless ``--include-held-back`` is given: they are kept
unread for a decision that is not the bench's to make (their files are not even opened).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.triage import add_engine_arguments
from bench.triage_metrics import Case
from triage.labels import SupportField, Urgency

if TYPE_CHECKING:
    from triage.engine import Triage

DATA = Path(__file__).resolve().parent / "data"
CANDIDATES = DATA / "candidates"
BATCH_SIZE = 256  # texts per triage_many call
# Candidate batches kept unread, by batch name (files `<name>a.jsonl`, `<name>b.jsonl`, ...),
# skipped unless --include-held-back: the one list of them. y25: written to judge step 66 (emergencies
# told in a light tone), not read for it, and kept unread since for the founders' decision on that
# trade (docs/benchmarks.md, step 66).
HELD_BACK: tuple[str, ...] = ("y25",)


def held_back(path: Path, names: Sequence[str] = HELD_BACK) -> bool:
    """Whether the file is one of the held-back batches: its name is a held-back batch name
    followed by letters only (y25a.jsonl is y25's; y250a.jsonl and y2a.jsonl are not)."""
    return any(re.fullmatch(re.escape(name) + r"[a-z]*\.jsonl", path.name) for name in names)


def batch_files(paths: Sequence[Path], include_held_back: bool = False) -> tuple[list[Path], list[Path]]:
    """(files to read, held-back files skipped): the JSONL files given, and those under the
    directories given (recursively, sorted), each once, in the order given."""
    found: list[Path] = []
    for path in paths:
        found += sorted(path.rglob("*.jsonl")) if path.is_dir() else [path]
    files: list[Path] = []
    skipped: list[Path] = []
    seen: set[Path] = set()
    for path in found:
        if path.resolve() in seen:
            continue
        seen.add(path.resolve())
        (skipped if held_back(path) and not include_held_back else files).append(path)
    return files, skipped


def source_name(path: Path) -> str:
    """The file as named in row ids: relative to the `bench/data` it lies under (this checkout's
    or another's, so that two checkouts name their rows alike); else relative to the current
    directory; else as given."""
    resolved = path.resolve()
    for parent in resolved.parents:
        if parent.name == "data" and parent.parent.name == "bench":
            return resolved.relative_to(parent).as_posix()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


@dataclass(frozen=True)
class Call:
    """One labelled row and the engine's call on it: a line of a calls file."""

    id: str  # "<source>:<line> <row id or group>", e.g. "candidates/batch-y/y34a.jsonl:4 y34a-0004"
    text: str
    lang: str  # gold
    field: str  # gold
    urgency: str  # gold
    variant: str
    tags: tuple[str, ...]
    pred_lang: str
    pred_field: str
    pred_urgency: str
    emergency_probability: float  # rounded to 4 places, as written
    confidence: float  # rounded to 4 places, as written
    signals: tuple[str, ...]
    engine: str  # Triage.version

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "gold": {"lang": self.lang, "field": self.field, "urgency": self.urgency},
            "call": {
                "language": self.pred_lang,
                "field": self.pred_field,
                "urgency": self.pred_urgency,
                "emergency_probability": self.emergency_probability,
                "confidence": self.confidence,
                "signals": list(self.signals),
            },
            "variant": self.variant,
            "tags": list(self.tags),
            "engine": self.engine,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Call:
        gold, call = data["gold"], data["call"]
        return cls(
            id=str(data["id"]),
            text=str(data["text"]),
            lang=str(gold["lang"]),
            field=SupportField(gold["field"]).value,
            urgency=Urgency(gold["urgency"]).value,
            variant=str(data["variant"]),
            tags=tuple(data["tags"]),
            pred_lang=str(call["language"]),
            pred_field=SupportField(call["field"]).value,
            pred_urgency=Urgency(call["urgency"]).value,
            emergency_probability=float(call["emergency_probability"]),
            confidence=float(call["confidence"]),
            signals=tuple(call["signals"]),
            engine=str(data["engine"]),
        )

    def case(self) -> Case:
        """As the triage bench's measures (``bench.triage_metrics``) take it."""
        return Case(
            where=self.id,
            text=self.text,
            lang=self.lang,
            field=self.field,
            urgency=self.urgency,
            variant=self.variant,
            tags=self.tags,
            group=self.id,
            pred_lang=self.pred_lang,
            pred_field=self.pred_field,
            pred_urgency=self.pred_urgency,
            confidence=self.confidence,
            emergency_probability=self.emergency_probability,
            unsure=any(s.startswith("unsure") for s in self.signals),
            signals=self.signals,
        )


@dataclass(frozen=True)
class LabelledRow:
    id: str
    text: str
    lang: str
    field: str
    urgency: str
    variant: str
    tags: tuple[str, ...]


def read_rows(path: Path) -> list[LabelledRow]:
    """The labelled rows of one JSONL file (blank lines skipped; a label outside the taxonomy
    raises). Line numbers count every line, blank ones included, from 1."""
    source = source_name(path)
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        name = row.get("id") or row.get("group")
        rows.append(
            LabelledRow(
                id=f"{source}:{number}" + (f" {name}" if name else ""),
                text=row["text"],
                lang=row["lang"],
                field=SupportField(row["field"]).value,
                urgency=Urgency(row["urgency"]).value,
                variant=str(row.get("variant") or row["lang"]),
                tags=tuple(row.get("tags") or ()),
            )
        )
    return rows


def call_rows(
    engine: Triage, rows: Sequence[LabelledRow], batch_size: int = BATCH_SIZE, version: str | None = None
) -> list[Call]:
    """The engine's call on every row, triaged batch_size texts at a time; each names the engine
    by ``version`` (default: ``engine.version``)."""
    version = version or engine.version
    calls: list[Call] = []
    for start in range(0, len(rows), batch_size):
        batch = rows[start : start + batch_size]
        for row, result in zip(batch, engine.triage_many([r.text for r in batch]), strict=True):
            calls.append(
                Call(
                    id=row.id,
                    text=row.text,
                    lang=row.lang,
                    field=row.field,
                    urgency=row.urgency,
                    variant=row.variant,
                    tags=row.tags,
                    pred_lang=result.language,
                    pred_field=result.field.value,
                    pred_urgency=result.urgency.value,
                    emergency_probability=round(result.emergency_probability, 4),
                    confidence=round(result.confidence, 4),
                    signals=result.signals,
                    engine=version,
                )
            )
    return calls


def write_calls(path: Path, calls: Iterable[Call]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for call in calls:
            out.write(json.dumps(call.to_json(), ensure_ascii=False) + "\n")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out", type=Path, required=True, metavar="FILE", help="the calls file to write (JSONL)"
    )
    parser.add_argument(
        "paths",
        type=Path,
        nargs="*",
        metavar="PATH",
        help="labelled JSONL files or directories (default: every batch under bench/data/candidates)",
    )
    parser.add_argument(
        "--include-held-back",
        action="store_true",
        help=f"also read the held-back batches ({', '.join(HELD_BACK)}; bench/calls.py HELD_BACK)",
    )
    add_engine_arguments(parser)


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from triage.calibration import Calibration
    from triage.engine import Triage

    files, skipped = batch_files(args.paths or [CANDIDATES], args.include_held_back)
    if not files:
        print("no labelled JSONL files to read", file=sys.stderr)
        return 2
    rows = [row for path in files for row in read_rows(path)]
    started = time.perf_counter()
    calibration = Calibration.load(args.calibration) if args.calibration else None
    engine = Triage.load(args.data_dir, calibration=calibration)
    # A calibration other than the shipped one is part of what was called.
    version = engine.version + (f" (calibration {args.calibration.name})" if args.calibration else "")
    calls = call_rows(engine, rows, version=version)
    write_calls(args.out, calls)
    print(f"engine: {version}")
    seconds = time.perf_counter() - started
    files_named = f"{len(files)} file" + ("s" if len(files) != 1 else "")
    print(f"{len(calls)} rows of {files_named} called in {seconds:.0f} s -> {args.out}")
    if skipped:
        print(f"held back, not read: {', '.join(source_name(p) for p in skipped)} (--include-held-back)")
    return 0
