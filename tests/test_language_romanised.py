"""Languages typed in Latin letters (step 43 of docs/benchmarks.md): each sentence of
tests/language_sentences*.toml must be detected as its language, romaji Japanese words borrowed
by other languages must not pull them to Japanese, and Uzbek in Cyrillic must be told from
Russian and Mongolian; Thai, Burmese, Sinhala and Japanese named by their word tables (steps 68
and 69). Pure unit tests: the bundled fastText and langdetect profiles and the word tables only."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from triage.language import (
    LanguageGuess,
    _named_by_vietnamese_syllables,
    _named_by_word_table,
    detect_language,
)


def _load_sentences() -> dict[str, dict[str, list[Any]]]:
    """Every ``language_sentences*.toml`` beside this file (one per authoring step), merged."""
    merged: dict[str, dict[str, list[Any]]] = {}
    for path in sorted(Path(__file__).parent.glob("language_sentences*.toml")):
        with path.open("rb") as fh:
            for section, table in tomllib.load(fh).items():
                for key, items in table.items():
                    merged.setdefault(section, {}).setdefault(key, []).extend(items)
    return merged


SENTENCES = _load_sentences()

TYPED_IN_LATIN = [(text, code) for code, texts in SENTENCES["typed_in_latin"].items() for text in texts]


@pytest.mark.parametrize(("text", "code"), TYPED_IN_LATIN)
def test_typed_in_latin_letters(text: str, code: str) -> None:
    assert detect_language(text).code == code


@pytest.mark.parametrize(("text", "code"), SENTENCES["keep_their_language"]["sentences"])
def test_romaji_islands_keep_their_language(text: str, code: str) -> None:
    assert detect_language(text).code == code


@pytest.mark.parametrize(("text", "code"), SENTENCES["cyrillic"]["sentences"])
def test_uzbek_in_cyrillic_beside_russian_and_mongolian(text: str, code: str) -> None:
    assert detect_language(text).code == code


def test_every_language_has_enough_sentences() -> None:
    counts = {code: len(texts) for code, texts in SENTENCES["typed_in_latin"].items()}
    assert all(count >= 6 for count in counts.values()), counts
    assert len(SENTENCES["keep_their_language"]["sentences"]) >= 24


# Steps 68 and 69: the word tables of Thai, Burmese, Sinhala and Japanese typed in Latin letters
# name the language where the vote named one without a table.
@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("kyay zu tin par tal, nay ma kaung bu", "my"),
        ("mata bada ridenawa, ispirithalayata yanna ona", "si"),
        ("mae mai sabai mak, yak pai rong phayaban ka", "th"),
        ("heya gasu kusai dou shiyou", "ja"),  # short romaji: the vote said Chinese
    ],
)
def test_a_text_most_of_whose_words_a_word_table_knows_is_its_language(text: str, code: str) -> None:
    named = _named_by_word_table(text, LanguageGuess("tl", 0.6, "vote"))
    assert named.code == code and named.evidence.startswith(f"word table: {code}")
    assert _named_by_word_table(text, LanguageGuess(code, 0.6, "vote")).evidence == "vote"


@pytest.mark.parametrize(
    "text",
    [
        "salamat po sa inyo, pupunta ako bukas",  # the tables know too few of its words
        "nay kaung",  # ... and here all of them, but two words are too few to tell
        "mae mai sabai mak, yak pai rong phayaban ká",  # a letter no word table spells
    ],
)
def test_otherwise_the_vote_stands(text: str) -> None:
    assert _named_by_word_table(text, LanguageGuess("tl", 0.6, "vote")).code == "tl"


def test_no_training_example_of_another_language_is_named_by_a_word_table() -> None:
    """The choice of step 68's share (docs/benchmarks.md): it names no example wrongly."""
    from triage.corpus import load_examples

    wrong = [
        (e.lang, guess.code, e.text)
        for e in load_examples()
        if "word table" in (guess := detect_language(e.text)).evidence and guess.code != e.lang
    ]
    assert wrong == []


# Step 78: Vietnamese typed without its marks is named by its syllables where the vote named a
# language with no reader of its own.
@pytest.mark.parametrize(
    "text",
    [
        "chi oi em bi dau bung qua, gio di benh vien nao a",
        "con em sot cao tu toi qua, ko ha sot, phai lam sao",
        "nha em bi cup dien tu sang, goi ai bay gio",
    ],
)
def test_vietnamese_typed_without_marks_is_named_by_its_syllables(text: str) -> None:
    named = _named_by_vietnamese_syllables(text, LanguageGuess("pt", 0.5, "vote"))
    assert named.code == "vi" and named.evidence.startswith("Vietnamese syllables")
    # A vote for a language the triage reads in its own way stands (here: a word table's).
    assert _named_by_vietnamese_syllables(text, LanguageGuess("th", 0.5, "vote")).code == "th"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("cheiro forte de gas no corredor", "pt"),  # half its words are Vietnamese syllables too
        ("Nawala passport ko sa tren, sa isang araw", "tl"),
        ("halo, ada orang di sini?", "id"),
        ("em bi", "pt"),  # Vietnamese syllables, but two words are too few to tell
        ("chi oi em bị dau bung", "pt"),  # a marked letter: not typed without marks
    ],
)
def test_other_languages_keep_their_vote(text: str, code: str) -> None:
    assert _named_by_vietnamese_syllables(text, LanguageGuess(code, 0.5, "vote")).code == code


def test_no_training_example_of_another_language_is_named_vietnamese_by_its_syllables() -> None:
    """The choice of step 78's share (docs/benchmarks.md): it names no example wrongly."""
    from triage.corpus import load_examples

    wrong = [
        (e.lang, e.text)
        for e in load_examples()
        if "Vietnamese syllables" in detect_language(e.text).evidence and e.lang != "vi"
    ]
    assert wrong == []
