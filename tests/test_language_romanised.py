"""Languages typed in Latin letters (step 43 of docs/benchmarks.md): each sentence of
tests/language_sentences*.toml must be detected as its language, romaji Japanese words borrowed
by other languages must not pull them to Japanese, and Uzbek in Cyrillic must be told from
Russian and Mongolian. Pure unit tests: the bundled fastText and langdetect profiles only."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from triage.language import detect_language


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
