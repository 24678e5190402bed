"""The frozen test sets of issue 8: evaluation data nothing is ever chosen on. One list, read by
`python -m bench triage` (which reports each), `python -m bench cues` (which refuses to read them)
and the tests (which guard them); no heavy imports, so the light data tests can use it. Each set
is a clean estimate only at its first read (its README)."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
# By the name `bench triage --sets` and its `--<name>` options use.
FROZEN_SETS: dict[str, Path] = {
    "frozen": DATA / "triage_test",  # written before any tuning
    "frozen2": DATA / "triage_test_2",  # by new writers, read cleanly for engine 1.14
    "frozen3": DATA / "triage_test_3",  # for engine 1.18
    "frozen4": DATA / "triage_test_4",  # for engine 1.19
    "frozen5": DATA / "triage_test_5",  # for engine 1.20 (steps 49-52)
    "frozen6": DATA / "triage_test_6",  # for engine 1.21 (step 53)
    "frozen7": DATA / "triage_test_7",  # for engine 1.22 (step 54)
    "frozen8": DATA / "triage_test_8",  # a second clean read of engine 1.22
    "frozen9": DATA / "triage_test_9",  # for engine 1.24 (steps 56-58), with variants typed in Latin letters
    "frozen10": DATA / "triage_test_10",  # for the engine after steps 61 and 62
    "frozen11": DATA / "triage_test_11",  # for the engine after step 67 (1.29)
    "frozen12": DATA / "triage_test_12",  # for the engine after step 68 (1.30)
    "frozen13": DATA / "triage_test_13",  # for engine 1.32 (steps 69 and 71)
    "frozen14": DATA / "triage_test_14",  # a second clean read of engine 1.32 (step 72 was rejected)
    "frozen15": DATA / "triage_test_15",  # for engine 1.33 (step 73)
    "frozen16": DATA / "triage_test_16",  # a second clean read of engine 1.33 (step 74 was rejected)
    "frozen17": DATA / "triage_test_17",  # for the engine after step 75
    "frozen18": DATA / "triage_test_18",  # a second clean read of engine 1.34 (step 76 was rejected)
    "frozen19": DATA / "triage_test_19",  # a third clean read of engine 1.34 (step 77 was rejected)
    "frozen20": DATA / "triage_test_20",  # for engine 1.35 (step 78)
    "frozen21": DATA / "triage_test_21",  # a second clean read of engine 1.35 (step 79 was rejected)
    "frozen22": DATA / "triage_test_22",  # a third clean read of engine 1.35 (step 80 was rejected)
    "frozen23": DATA / "triage_test_23",  # for engine 1.36 (step 81)
}
