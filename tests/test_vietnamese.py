"""Vietnamese typed without its marks (triage.vietnamese): the restoration (pure logic, small
counts), the committed counts against a rebuild, and the engine reading the restored text."""

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tests.test_examples import DEV_SET, Row, copies_of, evaluation_rows, frozen_rows
from triage.corpus import load_examples
from triage.vietnamese import TEXT_FILE, MarkRestorer, restorer_for
from triage.wordlists import strip_latin_marks

if TYPE_CHECKING:
    from triage.engine import Triage

SMALL = MarkRestorer.from_texts(
    [
        "con tôi bị sốt cao từ tối qua",
        "tôi bị đau đầu, tối nay tôi đi khám",
        "chồng tôi bị đau ngực",
        "em bị co giật, làm sao đây",
        "đâu rồi? ở đâu",
    ]
)


def test_strip_latin_marks_removes_tones_vowel_marks_and_the_crossed_d() -> None:
    assert strip_latin_marks("Đau ngực, co giật, sốt") == "Dau nguc, co giat, sot"


def test_each_syllable_gets_its_most_frequent_marked_form() -> None:
    assert SMALL.restore("con toi bi sot") == "con tôi bị sốt"


def test_the_neighbouring_syllable_decides_between_forms() -> None:
    # "dau" alone is as often "đâu" as "đau"; after "bi" the pair counts say "đau".
    assert SMALL.restore("bi dau nguc") == "bị đau ngực"
    assert SMALL.restore("o dau") == "ở đâu"


def test_case_unknown_words_digits_and_other_scripts_are_kept() -> None:
    assert SMALL.restore("Con toi 38 do, 市役所 OK") == "Con tôi 38 do, 市役所 OK"
    assert SMALL.restore("TOI") == "TÔI"


def test_only_unmarked_vietnamese_is_restored() -> None:
    assert SMALL.applies("con toi bi sot cao tu toi qua, lam sao day")
    assert not SMALL.applies("con tôi bị sốt")  # already marked
    assert not SMALL.applies("my son has had a fever since last night")
    assert not SMALL.applies("子供が熱を出しました")
    assert SMALL.encoder_text("my son has a fever") == "my son has a fever"


def test_counts_round_trip_through_their_file(tmp_path: Path) -> None:
    path = tmp_path / "marks.json"
    SMALL.save(path)
    assert MarkRestorer.load(path) == SMALL
    assert MarkRestorer.load(path).digest == SMALL.digest


def test_the_committed_counts_are_what_the_command_builds() -> None:
    """`python -m triage.vietnamese` rebuilds them; run it after changing the examples."""
    assert MarkRestorer.load() == restorer_for(load_examples())


def test_the_written_text_copies_no_evaluation_text() -> None:
    lines = TEXT_FILE.read_text(encoding="utf-8").splitlines()
    assert lines and all(line.strip() == line and line for line in lines)
    rows = [Row(TEXT_FILE.name, n, {"text": line}) for n, line in enumerate(lines, 1)]
    evaluation = frozen_rows()
    if DEV_SET.exists():
        evaluation += evaluation_rows([DEV_SET])
    assert not copies_of(evaluation, rows)


def test_the_engine_reads_unmarked_vietnamese_with_its_marks(triage_engine: "Triage") -> None:
    typed = "con toi bi sot cao tu toi qua, khong ha sot"
    read = triage_engine.encoder_text(typed)
    assert read != typed and strip_latin_marks(read) == typed
    unmarked, restored = triage_engine.embed_for_triage([typed, read])
    assert np.allclose(unmarked, restored, atol=1e-5)
    assert triage_engine.encoder_text("my son has a fever") == "my son has a fever"
