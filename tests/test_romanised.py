"""Japanese, Russian and Mongolian typed in Latin letters, read by the encoder in their own script
(triage/romanised.py, triage step 58 of docs/benchmarks.md): the tables, when they apply, and that
the engine's encoder reads the converted text while everything else keeps the text as written."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from triage.romanised import NativeScript, default_native_script

if TYPE_CHECKING:
    from triage.engine import Triage

NATIVE = default_native_script()


@pytest.mark.parametrize(
    ("word", "kana"),
    [
        ("kodomo", "こども"),
        ("byouin", "びょういん"),  # a contracted sound, "n" at the end
        ("kitte", "きって"),  # a doubled consonant is a small tsu
        ("matcha", "まっちゃ"),  # and so is the t of "tch"
        ("konnichiwa", "こんにちわ"),  # "n" before a consonant
        ("kon'nichiwa", "こんにちわ"),
        ("shinbun", "しんぶん"),
        ("kuyakusho", "くやくしょ"),
        ("sumimasen", "すみません"),
    ],
)
def test_romaji_words_become_hiragana(word: str, kana: str) -> None:
    assert NATIVE.tables["ja"].word(word) == kana


@pytest.mark.parametrize("word", ["ok", "wifi", "lol", "x"])
def test_a_word_that_is_not_romaji_is_left_as_written(word: str) -> None:
    assert NATIVE.tables["ja"].word(word) is None
    assert NATIVE.tables["ja"].convert(f"ashita {word} desu") == f"あした {word} です"


@pytest.mark.parametrize(
    ("word", "hangul"),
    [
        ("annyeonghaseyo", "안녕하세요"),
        ("jigeum", "지금"),
        ("appa", "아빠"),  # a doubled initial
        ("mot", "못"),  # a final t is ㅅ
        ("hangugeo", "한구거"),  # the consonant before a vowel opens the next syllable: as it sounds
        ("isseoyo", "이써요"),
        ("gwaenchanayo", "괜차나요"),
    ],
)
def test_romanised_korean_becomes_hangul_blocks(word: str, hangul: str) -> None:
    assert NATIVE.tables["ko"].word(word) == hangul


@pytest.mark.parametrize("word", ["hokenshou", "wifi", "xyz", "q"])
def test_a_word_that_is_not_romanised_korean_is_left_as_written(word: str) -> None:
    assert NATIVE.tables["ko"].word(word) is None


@pytest.mark.parametrize(
    ("language", "typed", "native"),
    [
        ("ru", "privet, u menya syn zabolel", "привет, у меня сын заболел"),
        ("ru", "chto delat'? shchi, zhena, khorosho", "что делать? щи, жена, хорошо"),
        ("ru", "novyy dom, moy syn", "новый дом, мой сын"),  # y: ы, and й after a vowel
        ("mn", "minii huuhed haluurch baina", "миний хүүхэд халүүрч байна"),
        ("mn", "emneleg hayag ni haana ve", "эмнэлэг хаяг ни хаана вэ"),
    ],
)
def test_cyrillic_tables(language: str, typed: str, native: str) -> None:
    assert NATIVE.tables[language].convert(typed) == native


def test_it_applies_only_to_latin_text_detected_as_a_language_with_a_table() -> None:
    assert NATIVE.encoder_text("kodomo ga netsu wo dashite imasu, doushitara ii desu ka") == (
        "こども が ねつ を だして います, どうしたら いい です か"
    )
    assert NATIVE.encoder_text("aiga yeoli nayo, jigeum eodi gaya haeyo?") == (
        "아이가 여리 나요, 지금 어디 가야 해요?"
    )
    for text in [
        "my son has a fever since yesterday",  # English
        "anak saya demam, mau ke rumah sakit",  # Indonesian: its syllables would read as Korean
        "anak saya demam sejak kemarin, harus ke byouin?",  # Indonesian with a romaji word
        "kodomo ga 熱 desu",  # a letter of another script: not typed in Latin letters only
        "子供が熱を出しています",
        "у меня сын заболел",
        "🙂 119",
    ]:
        assert NATIVE.encoder_text(text) == text


def test_the_tables_are_checked_and_hashed(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[ja]\nwhole_words = true\n[ja.pieces]\nKA = "か"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="lower-case"):
        NativeScript.load(bad)
    bad.write_text('[ko]\nwhole_words = true\n[ko.vowels]\na = "a"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="Hangul letters"):
        NativeScript.load(bad)
    assert NATIVE.digest == NativeScript.load().digest and len(NATIVE.digest) == 12


def test_the_engine_reads_romaji_in_hiragana(triage_engine: Triage) -> None:
    typed = "kodomo ga netsu wo dashite imasu, doushitara ii desu ka"
    read = triage_engine.encoder_text(typed)
    assert read == NATIVE.encoder_text(typed) and read != typed
    as_typed, converted = triage_engine.embed_for_triage([typed, read])
    assert np.allclose(as_typed, converted, atol=1e-5)
    assert triage_engine.encoder_text("my son has a fever") == "my son has a fever"
