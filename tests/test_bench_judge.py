"""`python -m bench calls` and `python -m bench judge`: a step's two engines' calls on the blind
batches, written and compared. The counting on tiny hand-written calls files (no model); one test
calls a tiny labelled file with the real engine (the session's)."""

import json
import math
import os
from pathlib import Path
from typing import Any

import pytest

from bench.__main__ import main
from bench.calls import (
    CANDIDATES,
    HELD_BACK,
    LabelledRow,
    batch_files,
    call_rows,
    held_back,
    read_rows,
    source_name,
)
from bench.judge import compare, read_calls, selected, tally
from triage.engine import Triage
from triage.labels import SupportField, Urgency


def line(
    row_id: str,
    gold: str,
    call: str,
    *,
    lang: str = "en",
    call_lang: str | None = None,
    field: str = "MEDICAL",
    call_field: str | None = None,
    p: float = 0.5,
    tags: tuple[str, ...] = (),
    text: str = "t",
) -> dict[str, Any]:
    """One line of a calls file, as `bench calls` writes it."""
    return {
        "id": row_id,
        "text": text,
        "gold": {"lang": lang, "field": field, "urgency": gold},
        "call": {
            "language": call_lang or lang,
            "field": call_field or field,
            "urgency": call,
            "emergency_probability": p,
            "confidence": 0.5,
            "signals": [],
        },
        "variant": lang,
        "tags": list(tags),
        "engine": "test engine",
    }


def write(path: Path, lines: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    return path


def calls_of(tmp_path: Path, name: str, lines: list[dict[str, Any]]) -> Any:
    return read_calls(write(tmp_path / name, lines))


# --------------------------------------------------------------------------- counting


def test_tally_counts_every_measure(tmp_path: Path) -> None:
    calls = calls_of(
        tmp_path,
        "c.jsonl",
        [
            line("a", "EMERGENCY", "EMERGENCY"),  # caught
            line("b", "EMERGENCY", "NORMAL"),  # missed, two levels off
            line("c", "LOW", "EMERGENCY", tags=("spam", "emoji")),  # false alarm on spam, three off
            line("d", "NORMAL", "HIGH", call_lang="ja", call_field="WELFARE"),  # one off, two errors
            line("e", "HIGH", "EMERGENCY", tags=("chat",), field="LIFELINE"),  # false alarm on chat, one off
        ],
    )
    t = tally(list(calls.values()))
    assert (t.rows, t.emergencies, t.missed, t.false_alarms) == (5, 2, 1, 2)
    assert (t.two_off, t.language_errors, t.never_emergency_called) == (2, 1, 2)
    assert t.field_accuracy == pytest.approx(4 / 5)
    assert t.urgency_accuracy == pytest.approx(1 / 5)
    assert t.within_one == pytest.approx(3 / 5)


def test_no_rows_tally_to_zero_and_no_share() -> None:
    t = tally([])
    assert (t.rows, t.emergencies, t.missed, t.false_alarms, t.never_emergency_called) == (0, 0, 0, 0, 0)
    assert math.isnan(t.field_accuracy) and math.isnan(t.urgency_accuracy)


def test_rows_are_paired_by_id_and_those_one_file_holds_are_counted(tmp_path: Path) -> None:
    base = calls_of(tmp_path, "b.jsonl", [line(i, "LOW", "LOW") for i in ("x:1 a", "x:2 b", "y:1 c")])
    cand = calls_of(
        tmp_path, "c.jsonl", [line(i, "LOW", "LOW") for i in ("y:1 c", "x:2 b", "z:1 d", "z:2 e")]
    )
    c = compare(base, cand)
    assert [b.id for b in c.base] == [d.id for d in c.cand] == ["x:2 b", "y:1 c"]  # the base file's order
    assert (c.only_base, c.only_cand, c.data_differs) == (1, 2, 0)
    selection = compare(base, cand, only=["x:", "z:"], exclude=["e"])
    assert [b.id for b in selection.base] == ["x:2 b"]
    assert (selection.only_base, selection.only_cand) == (1, 1)


def test_selection_by_variant(tmp_path: Path) -> None:
    rows = [line("y37a:1 a", "LOW", "LOW", lang="vi"), line("y37a:2 b", "LOW", "LOW", lang="tl")]
    base, cand = calls_of(tmp_path, "b.jsonl", rows), calls_of(tmp_path, "c.jsonl", rows)
    assert [b.id for b in compare(base, cand, variants=["vi"]).base] == ["y37a:1 a"]
    assert [b.id for b in compare(base, cand, only=["y37a"], variants=["vi", "tl"]).base] == [
        "y37a:1 a",
        "y37a:2 b",
    ]
    assert compare(base, cand, variants=["ko"]).base == []


def test_selection_by_substring_of_the_id() -> None:
    row = "candidates/batch-y/y34a.jsonl:4 y34a-0004"
    assert selected(row) and selected(row, only=["y34"]) and selected(row, only=["y33", "batch-y/"])
    assert not selected(row, only=["y33"])
    assert not selected(row, exclude=["y34a"]) and not selected(row, only=["y34"], exclude=[":4 "])


def test_changes_and_emergencies_newly_missed_or_caught(tmp_path: Path) -> None:
    base = [
        line("same", "EMERGENCY", "EMERGENCY", p=0.9),
        line("p only", "LOW", "LOW", p=0.01),
        line("lost", "EMERGENCY", "EMERGENCY", p=0.5),
        line("found", "EMERGENCY", "HIGH", p=0.1),
        line("field", "LOW", "LOW", field="OTHER"),
        line("missed by both", "EMERGENCY", "HIGH"),
    ]
    cand = [dict(x) for x in base]
    cand[1] = line("p only", "LOW", "LOW", p=0.02)
    cand[2] = line("lost", "EMERGENCY", "NORMAL", p=0.05)
    cand[3] = line("found", "EMERGENCY", "EMERGENCY", p=0.3)
    cand[4] = line("field", "LOW", "LOW", field="OTHER", call_field="LIFELINE", call_lang="fr")
    cand[5] = line("missed by both", "EMERGENCY", "NORMAL")
    c = compare(calls_of(tmp_path, "b.jsonl", base), calls_of(tmp_path, "c.jsonl", cand))
    assert [b.id for b, _ in c.changes()] == ["lost", "found", "field", "missed by both"]
    assert [b.id for b, _ in c.newly_missed()] == ["lost"]
    assert [b.id for b, _ in c.newly_caught()] == ["found"]


def test_rows_whose_data_differ_are_counted(tmp_path: Path) -> None:
    base = calls_of(tmp_path, "b.jsonl", [line("a", "LOW", "LOW"), line("b", "LOW", "LOW")])
    cand = calls_of(tmp_path, "c.jsonl", [line("a", "HIGH", "LOW"), line("b", "LOW", "LOW", text="u")])
    assert compare(base, cand).data_differs == 2


def test_a_calls_file_holds_each_row_once(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="twice"):
        calls_of(tmp_path, "c.jsonl", [line("a", "LOW", "LOW"), line("a", "LOW", "HIGH")])


def test_the_report_is_markdown_with_the_rows_that_moved(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    long_text = "gas | smell " + "x" * 200
    base = write(
        tmp_path / "base.jsonl",
        [
            line("y35a:1 g1", "EMERGENCY", "EMERGENCY", p=0.61, text=long_text),
            line("y35a:2 g2", "EMERGENCY", "HIGH", p=0.07, text="help"),
            line("y35a:3 g3", "LOW", "EMERGENCY", tags=("spam",)),
            line("y1a:1 g4", "LOW", "LOW"),
        ],
    )
    cand = write(
        tmp_path / "cand.jsonl",
        [
            line("y35a:1 g1", "EMERGENCY", "HIGH", p=0.04, text=long_text),
            line("y35a:2 g2", "EMERGENCY", "EMERGENCY", p=0.2, text="help"),
            line("y35a:3 g3", "LOW", "LOW", tags=("spam",)),
            line("y35a:4 g5", "LOW", "LOW"),
        ],
    )
    assert main(["judge", str(base), str(cand), "--only", "y35"]) == 0
    out = capsys.readouterr().out
    assert "rows compared: 3 held by both, ids holding y35; held by one only: 0 base, 1 candidate" in out
    assert "| | base | candidate | change |" in out
    assert "| missed emergencies | 1 | 1 | 0 |" in out
    assert "| false alarms | 1 | 0 | -1 |" in out
    assert "| spam or chat called EMERGENCY | 1 | 0 | -1 |" in out
    assert "| urgency accuracy | 33.3% | 66.7% | +33.3 pts |" in out
    assert "calls changed: 3 (language 0, field 0, urgency 3)" in out
    assert "emergencies newly missed: 1" in out and "emergencies newly caught: 1" in out
    shown = " ".join(long_text.split())[:100].replace("|", "\\|")
    assert (
        f"| y35a:1 g1 | en MEDICAL/EMERGENCY | en MEDICAL/EMERGENCY, P 0.6100 | en MEDICAL/HIGH, P 0.0400 "
        f"| {shown}… |"
    ) in out
    assert "every changed call" not in out
    assert main(["judge", str(base), str(cand), "--exclude", "y35", "--show-changes"]) == 0
    out = capsys.readouterr().out
    assert "rows compared: 0 held by both, none holding y35; held by one only: 1 base, 0 candidate" in out
    assert "| rows | 0 | 0 | 0 |" in out and "| field accuracy | n/a | n/a |  |" in out
    assert "every changed call (0):" in out


# --------------------------------------------------------------------------- which rows, named how


def test_the_held_back_batches_are_known_by_their_file_names() -> None:
    assert "y25" in HELD_BACK
    assert held_back(Path("batch-y/y25a.jsonl")) and held_back(Path("y25c.jsonl"))
    assert not held_back(Path("y2a.jsonl")) and not held_back(Path("y250a.jsonl"))
    assert not held_back(Path("y25a.md")) and not held_back(Path("xy25a.jsonl"))


def test_by_default_every_candidate_batch_but_the_held_back_ones() -> None:
    files, skipped = batch_files([CANDIDATES])
    names = [p.name for p in files]
    assert names and files == sorted(files) and "y34a.jsonl" in names and "fa.jsonl" in names
    assert not [n for n in names if held_back(Path(n))]
    assert {p.name for p in skipped} == {"y25a.jsonl", "y25b.jsonl", "y25c.jsonl"}
    everything, none = batch_files([CANDIDATES], include_held_back=True)
    assert not none and sorted(everything) == sorted(files + skipped)
    # A file named twice, and a held-back file named explicitly, are read once, and not at all.
    again, skipped_again = batch_files([CANDIDATES / "batch-y" / "y34a.jsonl", CANDIDATES / "batch-y"])
    assert [p.name for p in again].count("y34a.jsonl") == 1 and skipped_again


def test_rows_are_named_by_their_file_under_bench_data_line_and_id_or_group(tmp_path: Path) -> None:
    assert source_name(CANDIDATES / "batch-y" / "y34a.jsonl") == "candidates/batch-y/y34a.jsonl"
    other = tmp_path / "checkout" / "bench" / "data" / "candidates" / "batch-q"
    other.mkdir(parents=True)
    path = other / "q.jsonl"
    path.write_text(
        json.dumps({"text": "a", "lang": "en", "field": "OTHER", "urgency": "LOW", "group": "g-1"})
        + "\n\n"
        + json.dumps(
            {"id": "i-2", "group": "g-2", "text": "b", "lang": "ja", "field": "OTHER", "urgency": "LOW"}
        )
        + "\n"
        + json.dumps({"text": "c", "lang": "ne", "field": "MEDICAL", "urgency": "HIGH", "variant": "ne-latn"})
        + "\n",
        encoding="utf-8",
    )
    rows = read_rows(path)
    assert [r.id for r in rows] == [
        "candidates/batch-q/q.jsonl:1 g-1",
        "candidates/batch-q/q.jsonl:3 i-2",
        "candidates/batch-q/q.jsonl:4",
    ]
    assert [r.variant for r in rows] == ["en", "ja", "ne-latn"] and rows[0].tags == ()
    path.write_text(json.dumps({"text": "a", "lang": "en", "field": "OTHER", "urgency": "SOON"}) + "\n")
    with pytest.raises(ValueError):
        read_rows(path)


def test_rows_are_called_in_batches() -> None:
    class Result:
        def __init__(self) -> None:
            self.language, self.field, self.urgency = "en", SupportField.OTHER, Urgency.LOW
            self.emergency_probability, self.confidence, self.signals = 0.123456, 0.654321, ("s",)

    class Engine:
        version = "fake"

        def __init__(self) -> None:
            self.batches: list[int] = []

        def triage_many(self, texts: list[str]) -> list[Result]:
            self.batches.append(len(texts))
            return [Result() for _ in texts]

    rows = [LabelledRow(f"r{i}", f"t{i}", "en", "OTHER", "LOW", "en", ()) for i in range(5)]
    engine = Engine()
    calls = call_rows(engine, rows, batch_size=2)  # type: ignore[arg-type]
    assert engine.batches == [2, 2, 1]
    assert [c.id for c in calls] == [r.id for r in rows]
    assert (calls[0].emergency_probability, calls[0].confidence, calls[0].engine) == (0.1235, 0.6543, "fake")


# --------------------------------------------------------------------------- the real engine


def test_calls_with_the_real_engine_then_judged_against_itself(
    tmp_path: Path,
    triage_engine: Triage,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = [
        {
            "text": "There is a fire in my kitchen and the smoke is everywhere, please help!",
            "lang": "en",
            "field": "LIFELINE",
            "urgency": "EMERGENCY",
            "variant": "en",
            "tags": ["now"],
            "group": "t-0001",
        },
        {
            "id": "t-0002",
            "text": "燃えるゴミの日は何曜日ですか？",
            "lang": "ja",
            "field": "LIFELINE",
            "urgency": "LOW",
            "variant": "ja",
            "tags": ["question"],
        },
        {
            "text": "Earn 50,000 yen a day from home!! Click the link now 💰💰",
            "lang": "en",
            "field": "OTHER",
            "urgency": "LOW",
            "tags": ["spam"],
        },
    ]
    labelled = write(tmp_path / "tiny.jsonl", rows)
    loaded: list[Path] = []

    def load(data_dir: Path, **kwargs: object) -> Triage:
        loaded.append(data_dir)
        return triage_engine  # the session's engine: the model is not loaded twice

    monkeypatch.setattr(Triage, "load", staticmethod(load))
    out = tmp_path / "calls.jsonl"
    assert main(["calls", "--out", str(out), str(labelled)]) == 0
    assert loaded == [Path(os.environ.get("OTONARI_DATA_DIR") or "var")]  # --data-dir's default
    assert "3 rows of 1 file called" in capsys.readouterr().out
    written = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [w["id"].rsplit("/", 1)[-1] for w in written] == [
        "tiny.jsonl:1 t-0001",
        "tiny.jsonl:2 t-0002",
        "tiny.jsonl:3",
    ]
    assert [w["gold"] for w in written] == [{k: r[k] for k in ("lang", "field", "urgency")} for r in rows]
    assert [w["variant"] for w in written] == ["en", "ja", "en"]
    assert [w["tags"] for w in written] == [["now"], ["question"], ["spam"]]
    expected = triage_engine.triage_many([r["text"] for r in rows])
    for w, result in zip(written, expected, strict=True):
        call = w["call"]
        assert (call["language"], call["field"], call["urgency"]) == (
            result.language,
            result.field.value,
            result.urgency.value,
        )
        assert call["emergency_probability"] == round(result.emergency_probability, 4)
        assert call["signals"] == list(result.signals)
        assert w["engine"] == triage_engine.version
    assert written[0]["call"]["urgency"] == "EMERGENCY"
    assert written[1]["call"]["language"] == "ja"

    assert main(["judge", str(out), str(out)]) == 0
    report = capsys.readouterr().out
    assert "rows compared: 3 held by both; held by one only: 0 base, 0 candidate" in report
    assert "| emergencies | 1 | 1 | 0 |" in report and "calls changed: 0" in report
