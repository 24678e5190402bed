"""The labelled examples the triage learns from.

Two sources, one type (``LabelledExample``):
* the project's own, written for it: every ``*.jsonl`` under ``triage/examples/`` (schema and
  rules: ``triage/examples/README.md``). Only these carry a curated ``topic``, the one thing of
  an example that signals may show;
* staff-reviewed requests, learned at run time (``Triage.add_examples``): residents' words,
  which are never shown to anyone through the triage, only linked by id for staff.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from triage.labels import SupportField, Urgency

# Staff corrections weigh more than the seed examples: they come from the service's own traffic.
STAFF_WEIGHT = 2.0


@dataclass(frozen=True, slots=True)
class LabelledExample:
    """A request text with the field and urgency staff give it."""

    text: str
    field: SupportField
    urgency: Urgency
    lang: str = ""
    # Short English gist written by the project, shown in signals, e.g. "child fever at night".
    # Examples learned at run time never have one: signals must not carry a resident's words.
    topic: str = ""
    weight: float = 1.0
    # The staff-reviewed example this came from (the service's triage_examples id); None for
    # the project's own examples.
    source_id: int | None = None
    # Paraphrases of one situation share a group: evaluation keeps them on one side of a fold.
    group: str = ""
    variant: str = ""  # how it is written: a language, script or romanisation ("vi-latn")
    tags: tuple[str, ...] = ()  # voice of the text: "spam", "chat", "past", "negation", ...
    # A second reading of an example, as typed, learned beside its reading in its script where a
    # table reads it anew (triage.romanised.LEARNED_AS_TYPED); never named in signals or counted.
    as_typed: bool = False


def examples_dir() -> Path:
    return Path(str(resources.files("triage").joinpath("examples")))


def load_examples(directory: Path | None = None) -> list[LabelledExample]:
    """Every row of every ``*.jsonl`` in the examples directory and below it, in path order."""
    rows: list[LabelledExample] = []
    for path in sorted((directory or examples_dir()).rglob("*.jsonl")):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                rows.append(
                    LabelledExample(
                        text=str(row["text"]),
                        field=SupportField(row["field"]),
                        urgency=Urgency(row["urgency"]),
                        lang=str(row.get("lang", "")),
                        topic=str(row.get("topic", "")),
                        group=str(row.get("group", "")),
                        variant=str(row.get("variant", "")),
                        tags=tuple(str(t) for t in row.get("tags", ())),
                    )
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{lineno}: bad example row: {exc}") from exc
    return rows


def as_example(item: LabelledExample | Sequence[Any], weight: float) -> LabelledExample:
    """An example learned at run time: (text, field, urgency[, source_id]) or a LabelledExample.

    Its topic is dropped whatever it was: only the project's own examples describe themselves.
    """
    if isinstance(item, LabelledExample):
        return dataclasses.replace(item, topic="")
    text, field, urgency = item[0], item[1], item[2]
    source_id = int(item[3]) if len(item) > 3 and item[3] is not None else None
    return LabelledExample(
        str(text), SupportField(field), Urgency(urgency), weight=weight, source_id=source_id
    )


def as_examples(items: Sequence[LabelledExample | Sequence[Any]]) -> list[LabelledExample]:
    """Examples learned at run time (staff reviews), weighted as such."""
    return [as_example(item, STAFF_WEIGHT) for item in items]


# Grouped cross-validation (python -m triage.train fits on it; python -m bench triage reports it).


def example_groups(examples: Sequence[LabelledExample]) -> list[str]:
    """Each example's group; an example without one is a group of its own."""
    return [e.group or f"row-{i}" for i, e in enumerate(examples)]


def grouped_folds(groups: Sequence[str], k: int, seed: int) -> list[int]:
    """Fold number of each row: whole groups go to one fold, in a seeded random order,
    each to the fold with the fewest rows so far (sizes stay even with uneven groups)."""
    sizes: dict[str, int] = {}
    for g in groups:
        sizes[g] = sizes.get(g, 0) + 1
    order = sorted(sizes)
    np.random.default_rng(seed).shuffle(order)
    load = [0] * k
    fold_of: dict[str, int] = {}
    for g in order:
        fold = min(range(k), key=lambda f: (load[f], f))
        fold_of[g] = fold
        load[fold] += sizes[g]
    return [fold_of[g] for g in groups]
