"""Languages typed in Latin letters (step 43 of docs/benchmarks.md): each sentence of
tests/language_sentences.toml must be detected as its language, romaji Japanese words borrowed
by other languages must not pull them to Japanese, and Uzbek in Cyrillic must be told from
Russian and Mongolian. Pure unit tests: the bundled fastText and langdetect profiles only."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from triage.language import detect_language

with (Path(__file__).with_name("language_sentences.toml")).open("rb") as _fh:
    SENTENCES = tomllib.load(_fh)

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
