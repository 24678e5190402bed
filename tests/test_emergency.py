"""Emergency cues: every sentence the cue data carries, and the matcher's contract.

The sentences live next to the patterns they test (``triage/cues/*.toml``), written for the
project (not taken from any data set): a cue's positives must fire that very cue, firm; its
negatives (the same words in an everyday request: a gas bill, a blood test, being fired) must
not. A context's positives are qualified by it (not firm), its negatives stay firm.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from triage.emergency import (
    CONTEXTS,
    CUE_LABELS,
    CueDataError,
    CueScan,
    emergency_cue_count,
    find_emergency_cues,
    iter_test_sentences,
    load_cues,
    scan_emergency_cues,
)

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "triage" / "examples"
CUES = load_cues()
SENTENCES = list(iter_test_sentences(CUES))
PRIORITY = ("zh", "vi", "ko", "tl", "ne", "pt", "id", "my", "en", "th", "si", "es", "ja")


def _case_id(case: tuple[str, str, str]) -> str:
    where, what, text = case
    return f"{where}-{what}-{text[:24]}"


@pytest.mark.parametrize(("where", "what", "text"), SENTENCES, ids=[_case_id(c) for c in SENTENCES])
def test_sentence(where: str, what: str, text: str) -> None:
    scan = CUES.scan(text)
    matching = CUES.matching_cues(text)
    if what == "never":
        assert scan.firm == [], (text, scan)
        return
    if ".context." in where:
        context = CONTEXTS[where.rsplit(".", 1)[1]]
        if context.firm:  # a word of "now" keeps the cue firm; without it, it is qualified
            assert bool(scan.firm) == (what == "positive"), (text, scan)
        elif what == "positive":
            assert scan.firm == [] and any(h.context == context.name for h in scan.hits), (text, scan)
        else:
            assert scan.firm, (text, scan)
        return
    cue = next(c for c in CUES.cues if c.id == where)
    label = CUE_LABELS[[k.id for k in CUES.kinds].index(cue.kind)]
    if what == "positive":
        assert (cue.id, None) in matching, (text, matching)
        assert label in scan.firm, (text, scan)
    else:
        assert (cue.id, None) not in matching, (text, matching)
        assert label not in scan.firm, (text, scan)


def test_every_cue_is_tested_by_a_positive_sentence() -> None:
    untested = [c.id for c in CUES.cues if not c.positive]
    assert not untested, untested


def test_every_priority_language_has_cues_sentences_and_contexts() -> None:
    for lang in PRIORITY:
        cues = [c for c in CUES.cues if c.language == lang]
        kinds = {c.kind for c in cues}
        assert len(kinds) >= 12, (lang, sorted(kinds))
        assert sum(len(c.positive) for c in cues) >= 15, lang
        never = next(f.never for f in CUES.languages if f.language == lang)
        negatives = sum(len(c.negative) for c in cues) + len(never)
        assert negatives >= 5, lang
        contexts = [w for w in CUES.context_words if w.language == lang]
        assert {"negation", "past"} <= {w.context for w in contexts}, lang
        assert sum(len(w.positive) for w in contexts) >= 2, lang


def test_fever_alone_is_not_an_emergency_but_with_convulsions_it_is() -> None:
    assert find_emergency_cues("My son has a high fever of 39.5") == []
    assert find_emergency_cues("My son has a high fever and now convulsions") == ["seizure"]
    assert find_emergency_cues("My son has a high fever and he is unresponsive") == [
        "unconscious / unresponsive"
    ]


def test_labels_are_ordered_and_unique() -> None:
    text = "Fire! smoke everywhere and my dad collapsed, he is not breathing"
    cues = find_emergency_cues(text)
    assert cues == ["unconscious / unresponsive", "breathing difficulty", "fire"]
    assert cues == find_emergency_cues(text)  # deterministic
    assert len(set(CUE_LABELS)) == len(CUE_LABELS)
    assert all(label in CUE_LABELS for label in cues)


@pytest.mark.parametrize("text", ["", "   ", "👍👍👍", "12345", "hello", "テスト"])
def test_empty_and_trivial_texts(text: str) -> None:
    assert find_emergency_cues(text) == []
    assert scan_emergency_cues(text) == CueScan(())


def test_normalisation_full_width_case_and_apostrophes() -> None:
    assert find_emergency_cues("ＩＮ ＦＩＲＥ？ no — THE HOUSE IS ON FIRE") == ["fire"]
    assert find_emergency_cues("ｶﾞｽのにおいがする") == ["gas leak"]  # half-width katakana
    assert find_emergency_cues("I CAN’T BREATHE") == ["breathing difficulty"]  # typographic apostrophe
    assert find_emergency_cues("Uyda yongʻin") == ["fire"]  # Uzbek turned comma


def test_a_scan_reports_each_kind_once_firm_first_and_formats_signals() -> None:
    scan = scan_emergency_cues("He collapsed and he is not breathing")
    assert [h.kind for h in scan.hits] == ["unconscious", "breathing"]
    assert all(h.context is None for h in scan.hits)
    assert scan.signals() == ["mentions: unconscious / unresponsive, breathing difficulty"]
    assert scan.mentions == []


def test_find_is_the_firm_part_of_the_scan() -> None:
    for _, _, text in SENTENCES[:200]:
        assert find_emergency_cues(text) == scan_emergency_cues(text).firm


def test_the_prefilter_never_hides_a_match() -> None:
    # Without the automaton every cue runs: the results must be the same.
    unfiltered = load_cues()
    unfiltered._automaton = None
    unfiltered._always = tuple(range(len(unfiltered.cues)))
    for _, _, text in SENTENCES:
        assert unfiltered.scan(text) == CUES.scan(text), text


def test_a_long_text_repeating_a_cue_is_judged_on_its_words() -> None:
    assert scan_emergency_cues("Last year there was a fire in our building. " * 80).mentions == [
        ("fire", "past")
    ]
    assert find_emergency_cues("Last year there was a fire. " * 20 + "Now the kitchen is on fire!") == [
        "fire"
    ]


def test_cue_count_is_documented() -> None:
    assert emergency_cue_count() == len(CUES.cues) >= 300


def _write(directory: Path, name: str, text: str) -> None:
    (directory / name).write_text(text, encoding="utf-8")


def _minimal_index(directory: Path) -> None:
    _write(directory, "kinds.toml", '[[kind]]\nid = "fire"\nlabel = "fire"\n\n[[context]]\nname = "past"\n')


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('language = "xx"\n[[cue]]\nkind = "flood"\nmatch = ["x"]\n', "unknown kind"),
        ('language = "xx"\n[[cue]]\nkind = "fire"\nmatch = ["(x"]\n', "bad pattern"),
        ('language = "xx"\n[[cue]]\nkind = "fire"\nmatch = ["@{who}"]\n', "unknown part"),
        ('language = "xx"\n[[cue]]\nkind = "fire"\nmatchs = ["x"]\n', "unknown keys"),
        ('language = "yy"\n[[cue]]\nkind = "fire"\nmatch = ["x"]\n', "language must be"),
        (
            'language = "xx"\n[[cue]]\nkind = "fire"\nmatch = ["x"]\n[context.future]\naround = ["y"]\n',
            "unknown context",
        ),
    ],
)
def test_malformed_cue_files_are_rejected_with_the_place(tmp_path: Path, body: str, message: str) -> None:
    _minimal_index(tmp_path)
    _write(tmp_path, "xx.toml", body)
    with pytest.raises(CueDataError, match=re.escape(message)):
        load_cues(tmp_path)


def test_parts_and_contexts_from_a_small_cue_directory(tmp_path: Path) -> None:
    _minimal_index(tmp_path)
    _write(
        tmp_path,
        "xx.toml",
        'language = "xx"\ncontext_from = []\n[parts]\nplace = "house|flat"\n'
        '[[cue]]\nkind = "fire"\nmatch = ["(?:@{place}) (?:is )?burning"]\n'
        '[context.past]\naround = ["last year"]\n',
    )
    cues = load_cues(tmp_path)
    assert cues.scan("the flat is burning").firm == ["fire"]
    assert cues.scan("the house burning last year").mentions == [("fire", "past")]
    assert cues.scan("the housing is burning").hits == ()


def test_a_sure_cue_is_sure_only_when_firm_and_wins_over_an_ordinary_one(tmp_path: Path) -> None:
    _minimal_index(tmp_path)
    _write(
        tmp_path,
        "xx.toml",
        'language = "xx"\ncontext_from = []\n'
        '[[cue]]\nkind = "fire"\nmatch = ["smoke"]\n'
        '[[cue]]\nkind = "fire"\nmatch = ["flames (?:and|with) smoke"]\nsure = true\n'
        '[context.past]\naround = ["last year"]\n',
    )
    cues = load_cues(tmp_path)
    assert not cues.scan("smoke in the hall").sure  # an ordinary firm cue
    sure = cues.scan("smoke in the hall, flames and smoke now")
    assert sure.firm == ["fire"] and sure.sure and sure.hits[0].cue == "xx.fire.2"
    past = cues.scan("flames and smoke last year")
    assert past.mentions == [("fire", "past")] and not past.sure  # a context still qualifies it
    _write(tmp_path, "xx.toml", 'language = "xx"\n[[cue]]\nkind = "fire"\nmatch = ["x"]\nsure = "yes"\n')
    with pytest.raises(CueDataError, match="sure must be true or false"):
        load_cues(tmp_path)


def _rows(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_labelled_examples_emergency_recall() -> None:
    # A regression guard on the seed examples; `python -m bench cues` reports every miss and
    # false alarm, per language and kind, on these and the drafts.
    rows = [row for path in sorted(EXAMPLES.glob("*.jsonl")) for row in _rows(path)]
    emergencies = [r for r in rows if r["urgency"] == "EMERGENCY"]
    missed = [r["text"] for r in emergencies if not find_emergency_cues(r["text"])]
    assert len(missed) <= len(emergencies) // 20, missed  # >= 95 % of the reviewed emergencies
    others = [r for r in rows if r["urgency"] != "EMERGENCY"]
    false_alarms = [r["text"] for r in others if find_emergency_cues(r["text"])]
    assert len(false_alarms) <= max(3, len(others) // 40), false_alarms
