"""`python -m bench judge BASE CAND`: two engines' calls on the same labelled rows, compared.

BASE and CAND are calls files written by ``python -m bench calls`` (``bench/calls.py``) in two
checkouts, usually main's and a step's. On the rows both hold (by row id; ``--only`` and
``--exclude`` select rows by a substring of their id, e.g. a batch name), for each engine: rows,
emergencies, missed emergencies, false alarms, rows two or more levels off, language errors,
field and urgency accuracy, urgency within one level, spam or chat called EMERGENCY (the triage
bench's measures, ``bench.triage_metrics``); then the calls that changed, and every emergency
newly missed or newly caught. Printed as Markdown, to paste into ``docs/benchmarks.md``. Exit
status 0: a report, not a target (a step's rule says what must hold).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.calls import Call
from bench.triage_metrics import MEASURES, Columns

TEXT_CHARS = 100  # of each listed row's text


def read_calls(path: Path) -> dict[str, Call]:
    """The calls of one file by row id, in file order (a repeated id raises)."""
    calls: dict[str, Call] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        call = Call.from_json(json.loads(line))
        if call.id in calls:
            raise ValueError(f"{path}:{number}: row {call.id!r} twice")
        calls[call.id] = call
    return calls


def selected(row_id: str, only: Sequence[str] = (), exclude: Sequence[str] = ()) -> bool:
    """Whether a row is compared: its id holds one of `only` (when any) and none of `exclude`."""
    return (not only or any(s in row_id for s in only)) and not any(s in row_id for s in exclude)


@dataclass(frozen=True)
class Tally:
    """One engine's calls on a set of rows, counted."""

    rows: int
    emergencies: int  # rows whose gold urgency is EMERGENCY
    missed: int  # of those, called anything else
    false_alarms: int  # rows not EMERGENCY called EMERGENCY
    two_off: int  # rows whose urgency is two or more levels from gold
    language_errors: int
    field_accuracy: float  # nan on no rows
    urgency_accuracy: float
    within_one: float
    never_emergency_called: int  # spam or chat rows (NEVER_EMERGENCY_TAGS) called EMERGENCY


def tally(calls: Sequence[Call]) -> Tally:
    cols = Columns([c.case() for c in calls])
    ones = np.ones(cols.n)
    return Tally(
        rows=cols.n,
        emergencies=int(cols.em_gold.sum()),
        missed=int((cols.em_gold * (1 - cols.em_pred)).sum()),
        false_alarms=int(((1 - cols.em_gold) * cols.em_pred).sum()),
        two_off=cols.n - int(cols.within_one.sum()),
        language_errors=cols.n - int(cols.lang_ok.sum()),
        field_accuracy=MEASURES["field accuracy"](cols, ones),
        urgency_accuracy=MEASURES["urgency accuracy"](cols, ones),
        within_one=MEASURES["urgency within one level"](cols, ones),
        never_emergency_called=int(MEASURES["spam/chat as EMERGENCY"](cols, ones)),
    )


def changed(base: Call, cand: Call) -> tuple[str, ...]:
    """What of the call differs: "language", "field", "urgency" (the probability alone is no change)."""
    parts = (
        ("language", base.pred_lang, cand.pred_lang),
        ("field", base.pred_field, cand.pred_field),
        ("urgency", base.pred_urgency, cand.pred_urgency),
    )
    return tuple(name for name, b, c in parts if b != c)


def is_emergency_missed(call: Call) -> bool:
    return call.urgency == "EMERGENCY" and call.pred_urgency != "EMERGENCY"


@dataclass(frozen=True)
class Comparison:
    base: list[Call]  # the rows both files hold (and selected), in the base file's order
    cand: list[Call]  # the same rows, as the candidate file has them
    only_base: int  # selected rows only the base file holds
    only_cand: int
    data_differs: int  # rows both hold whose text or gold labels differ between the files

    def pairs(self) -> list[tuple[Call, Call]]:
        return list(zip(self.base, self.cand, strict=True))

    def changes(self) -> list[tuple[Call, Call]]:
        return [(b, c) for b, c in self.pairs() if changed(b, c)]

    def newly_missed(self) -> list[tuple[Call, Call]]:
        return [(b, c) for b, c in self.pairs() if is_emergency_missed(c) and not is_emergency_missed(b)]

    def newly_caught(self) -> list[tuple[Call, Call]]:
        return [(b, c) for b, c in self.pairs() if is_emergency_missed(b) and not is_emergency_missed(c)]


def compare(
    base: dict[str, Call],
    cand: dict[str, Call],
    only: Sequence[str] = (),
    exclude: Sequence[str] = (),
    variants: Sequence[str] = (),
) -> Comparison:
    """The rows both files hold that the selection keeps: by id (``selected``) and, where
    ``variants`` are given, by the row's writing variant (a step's target rows and its controls
    are often one batch: ``--variant vi-latn``)."""

    def kept(call: Call) -> bool:
        return selected(call.id, only, exclude) and (not variants or call.variant in variants)

    base_ids = [i for i, call in base.items() if kept(call)]
    cand_ids = {i for i, call in cand.items() if kept(call)}
    shared = [i for i in base_ids if i in cand_ids]
    return Comparison(
        base=[base[i] for i in shared],
        cand=[cand[i] for i in shared],
        only_base=len(base_ids) - len(shared),
        only_cand=len(cand_ids) - len(shared),
        data_differs=sum(
            (base[i].text, base[i].lang, base[i].field, base[i].urgency)
            != (cand[i].text, cand[i].lang, cand[i].field, cand[i].urgency)
            for i in shared
        ),
    )


# --------------------------------------------------------------------------- Markdown


def _count(n: float) -> str:
    return f"{n:,.0f}"


def _share(x: float) -> str:
    return "n/a" if np.isnan(x) else f"{100 * x:.1f}%"


def _count_change(b: float, c: float) -> str:
    return f"{c - b:+,.0f}" if c != b else "0"


def _share_change(b: float, c: float) -> str:
    if np.isnan(b) or np.isnan(c):
        return ""
    diff = round(100 * (c - b), 1)
    return f"{diff:+.1f} pts" if diff else "0"


# (label, value, shown as a share): the order of the table.
LINES: list[tuple[str, Callable[[Tally], float], bool]] = [
    ("rows", lambda t: t.rows, False),
    ("emergencies", lambda t: t.emergencies, False),
    ("missed emergencies", lambda t: t.missed, False),
    ("false alarms", lambda t: t.false_alarms, False),
    ("rows two or more levels off", lambda t: t.two_off, False),
    ("language errors", lambda t: t.language_errors, False),
    ("field accuracy", lambda t: t.field_accuracy, True),
    ("urgency accuracy", lambda t: t.urgency_accuracy, True),
    ("urgency within one level", lambda t: t.within_one, True),
    ("spam or chat called EMERGENCY", lambda t: t.never_emergency_called, False),
]


def tally_table(base: Tally, cand: Tally) -> list[str]:
    lines = ["| | base | candidate | change |", "| --- | ---: | ---: | ---: |"]
    for label, value, share in LINES:
        b, c = value(base), value(cand)
        if share:
            lines.append(f"| {label} | {_share(b)} | {_share(c)} | {_share_change(b, c)} |")
        else:
            lines.append(f"| {label} | {_count(b)} | {_count(c)} | {_count_change(b, c)} |")
    return lines


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|")


def _call(call: Call) -> str:
    return f"{call.pred_lang} {call.pred_field}/{call.pred_urgency}, P {call.emergency_probability:.4f}"


def rows_table(pairs: Sequence[tuple[Call, Call]]) -> list[str]:
    """Each row: id, gold, both calls with P, and the first TEXT_CHARS characters of its text."""
    lines = ["| row | gold | base | candidate | text |", "| --- | --- | --- | --- | --- |"]
    for b, c in pairs:
        text = " ".join(c.text.split())
        text = text[:TEXT_CHARS] + ("…" if len(text) > TEXT_CHARS else "")
        gold = f"{c.lang} {c.field}/{c.urgency}"
        lines.append(f"| {_cell(c.id)} | {gold} | {_call(b)} | {_call(c)} | {_cell(text)} |")
    return lines


def _engines(calls: Sequence[Call]) -> str:
    return "; ".join(sorted({c.engine for c in calls})) or "no rows"


def report(
    comparison: Comparison, names: tuple[str, str], selection: str = "", show_changes: bool = False
) -> list[str]:
    """The whole Markdown report."""
    c = comparison
    out = [
        f"base: `{names[0]}` ({_engines(c.base)})",
        f"candidate: `{names[1]}` ({_engines(c.cand)})",
        "",
        f"rows compared: {len(c.base):,} held by both{selection}; "
        f"held by one only: {c.only_base:,} base, {c.only_cand:,} candidate",
    ]
    if c.data_differs:
        out.append(
            f"**{c.data_differs:,} rows differ in text or gold labels** (each engine counted on its own)"
        )
    out += ["", *tally_table(tally(c.base), tally(c.cand)), ""]
    changes = c.changes()
    parts = {
        name: sum(name in changed(b, d) for b, d in changes) for name in ("language", "field", "urgency")
    }
    out.append(f"calls changed: {len(changes):,} ({', '.join(f'{k} {v:,}' for k, v in parts.items())})")
    for title, pairs in (
        ("emergencies newly missed", c.newly_missed()),
        ("emergencies newly caught", c.newly_caught()),
    ):
        out += ["", f"{title}: {len(pairs):,}"]
        if pairs:
            out += ["", *rows_table(pairs)]
    if show_changes:
        out += ["", f"every changed call ({len(changes):,}):"]
        if changes:
            out += ["", *rows_table(changes)]
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("base", type=Path, metavar="BASE", help="calls file of the base engine (bench calls)")
    parser.add_argument("cand", type=Path, metavar="CAND", help="calls file of the candidate engine")
    # The selections: each takes one or more values, and may be given more than once.
    for flag, metavar, help_text in (
        ("--only", "SUBSTR", "compare only rows whose id holds one of these (e.g. a batch: y35)"),
        ("--exclude", "SUBSTR", "leave out rows whose id holds any of these"),
        ("--variant", "VARIANT", "compare only rows of these writing variants (e.g. vi-latn)"),
    ):
        parser.add_argument(flag, nargs="+", action="extend", default=[], metavar=metavar, help=help_text)
    parser.add_argument("--show-changes", action="store_true", help="list every changed call")


def run(args: argparse.Namespace) -> int:
    comparison = compare(read_calls(args.base), read_calls(args.cand), args.only, args.exclude, args.variant)
    selection = "".join(
        [
            f", ids holding {' or '.join(args.only)}" if args.only else "",
            f", none holding {' or '.join(args.exclude)}" if args.exclude else "",
            f", of the variants {', '.join(args.variant)}" if args.variant else "",
        ]
    )
    print("\n".join(report(comparison, (args.base.name, args.cand.name), selection, args.show_changes)))
    return 0
