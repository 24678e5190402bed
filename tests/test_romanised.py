"""Japanese, Korean, Russian and Mongolian typed in Latin letters, read by the encoder in their own
script (triage/romanised.py, triage steps 58, 59 and 62 of docs/benchmarks.md), and the words of
Thai, Burmese and Sinhala the word tables know (step 67): the tables, when they apply, and that the
engine's encoder reads the converted text while everything else keeps the text as written."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from triage.language import LanguageGuess
from triage.romanised import (
    LEARNED_AS_TYPED,
    NativeScript,
    SyllableCounts,
    WordsThenLetters,
    default_native_script,
)
from triage.wordtables import WordTable, load_word_tables

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
        # Where the consonants between two vowels split more than one way, the syllables Korean
        # uses most choose (step 62) ...
        ("hangugeo", "한국어"),  # not 한구거, as it sounds
        ("isseoyo", "있어요"),  # not 이써요 or 잇서요
        ("byeongwon", "병원"),  # "ng" is the final ㅇ here, not n + g (변권) ...
        ("hanguk", "한국"),  # ... and n + g here (not 항욱)
        ("halmeoni", "할머니"),  # not 할먼이
        # ... and where no split is likelier than another, it is written as it sounds.
        ("gwaenchanayo", "괜차나요"),
    ],
)
def test_romanised_korean_becomes_hangul_blocks(word: str, hangul: str) -> None:
    assert NATIVE.tables["ko"].word(word) == hangul


def test_without_syllable_counts_korean_is_written_as_it_sounds() -> None:
    as_sounds = replace(NATIVE.tables["ko"], syllable_counts=SyllableCounts({}, {}))
    assert [as_sounds.word(w) for w in ("hangugeo", "isseoyo", "byeongwon")] == ["한구거", "이써요", "변권"]


def test_syllable_counts_are_counted_within_words_and_checked(tmp_path: Path) -> None:
    counts = SyllableCounts.of(["병원 가요", "병원에 가요!", "hello 원"])
    assert counts.syllables == {"가": 2, "병": 2, "요": 2, "원": 3, "에": 1}
    assert counts.pairs == {"가요": 2, "병원": 2, "원에": 1}  # never across a space
    assert counts.total == 10
    path = tmp_path / "romanised.toml"
    path.write_text(
        '[ko]\nwhole_words = true\nsyllable_counts = "counts.json"\n[ko.vowels]\na = "ㅏ"\n', encoding="utf-8"
    )
    (tmp_path / "counts.json").write_text('{"syllables": {"가": 0}, "pairs": {}}', encoding="utf-8")
    with pytest.raises(ValueError, match="positive count"):
        NativeScript.load(path, pinyin=False)


def test_the_committed_syllable_counts_are_the_examples() -> None:
    from triage.corpus import load_examples

    made = SyllableCounts.of(e.text for e in load_examples() if e.lang == "ko")
    assert NATIVE.tables["ko"].syllable_counts == made, "rebuild them: python -m triage.romanised"


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
    # The words and phrases the Japanese word table knows as Japanese writes them (step 69), the
    # rest in hiragana by the letter table.
    assert NATIVE.encoder_text("kodomo ga netsu wo dashite imasu, doushitara ii desu ka") == (
        "子ども が 熱 を だして います, どうしたらいい ですか"
    )
    assert NATIVE.encoder_text("aiga yeoli nayo, jigeum eodi gaya haeyo?") == (
        "아이가 열이 나요, 지금 어디 가야 해요?"
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


@pytest.mark.parametrize(
    "typed",
    [
        "kodomo ga netsu wo dashite imasu, doushitara ii desu ka",  # romaji: hiragana
        "wo de haizi fashao le, zenme ban",  # pinyin: characters (triage/pinyin.py)
        "mae mai sabai mak, yak pai rong phayaban ka",  # Thai: the words its table knows (step 67)
        "amma leda wela inne, dosthara kenek hoyanna puluwanda",  # Sinhala, the same
    ],
)
def test_the_engine_reads_latin_text_in_its_script(triage_engine: Triage, typed: str) -> None:
    read = triage_engine.encoder_text(typed)
    assert read == NATIVE.encoder_text(typed) and read != typed
    as_typed, converted = triage_engine.embed_for_triage([typed, read])
    assert np.allclose(as_typed, converted, atol=1e-5)
    assert triage_engine.encoder_text("my son has a fever") == "my son has a fever"


# Step 67: the word tables. Each language's script, by Unicode block (marks and joiners included).
SCRIPT_BLOCKS = {
    "th": (0x0E00, 0x0E7F),
    "my": (0x1000, 0x109F),
    "si": (0x0D80, 0x0DFF),
    "ne": (0x0900, 0x097F),  # Devanagari (step 73)
}
JOINERS = {"\u200c", "\u200d", " "}


def test_a_word_table_writes_the_longest_phrase_it_knows_and_leaves_the_rest() -> None:
    table = WordTable("th", {"luk": "ลูก", "luk hai": "ลูกหาย", "mai sabai": "ไม่สบาย", "mai": "ไม่"})
    assert table.longest == 2
    assert (
        table.convert("Luk mai sabai ka, pai rong payaban dai mai?")
        == "ลูก ไม่สบาย ka, pai rong payaban dai ไม่?"
    )
    assert table.convert("LUK HAI ti Ikebukuro eki!! 5 khuap") == "ลูกหาย ti Ikebukuro eki!! 5 khuap"
    # A phrase spans spaces only: punctuation or a line between its words keeps them apart.
    assert table.convert("luk, hai") == "ลูก, hai"
    assert table.convert("luk\nhai") == "ลูก\nhai"
    assert table.convert("luk  hai") == "ลูกหาย"
    assert table.convert("rongpayaban 119 🙂") == "rongpayaban 119 🙂"
    assert WordTable("th", {}).convert("luk hai") == "luk hai"


def test_the_word_tables_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "th.toml"
    for body in [
        '"Luk" = "ลูก"',
        '"luk-hai" = "ลูกหาย"',
        '"luk  hai" = "ลูกหาย"',
        '"luk" = "luk"',
        '"luk" = " "',
    ]:
        path.write_text(f"[th]\n{body}\n", encoding="utf-8")
        with pytest.raises(ValueError, match="lower-case ASCII words"):
            load_word_tables(tmp_path)
    for body in ["[th]\n", '[my]\n"luk" = "ลูก"\n', '[th]\n"luk" = "ลูก"\n[my]\n"a" = "အ"\n']:
        path.write_text(body, encoding="utf-8")
        with pytest.raises(ValueError, match="one table of words"):
            load_word_tables(tmp_path)


@pytest.mark.parametrize("language", sorted(SCRIPT_BLOCKS))
def test_the_committed_word_tables_write_their_script(language: str) -> None:
    table = NATIVE.words[language]
    low, high = SCRIPT_BLOCKS[language]
    assert len(table.words) >= 700
    assert not [
        v for v in table.words.values() if any(not low <= ord(c) <= high and c not in JOINERS for c in v)
    ]


def test_the_word_tables_apply_to_latin_text_detected_as_their_language() -> None:
    typed = "luk mai sabai"
    for code in SCRIPT_BLOCKS:
        table = NATIVE.table_for(typed, LanguageGuess(code, 1.0))
        assert table is NATIVE.words[code]
    assert NATIVE.table_for(typed, LanguageGuess("en", 1.0)) is None
    assert NATIVE.table_for("ลูก mai sabai", LanguageGuess("th", 1.0)) is None  # not Latin letters only


def test_japanese_reads_its_word_table_first_and_the_rest_in_hiragana(tmp_path: Path) -> None:
    """Step 69: a word table beside the romaji letter table writes the words it knows as Japanese
    writes them; the letter table writes the rest in hiragana, as before."""
    (tmp_path / "ja.toml").write_text('[ja]\n"gasu" = "ガス"\n"kusai" = "臭い"\n', encoding="utf-8")
    native = NativeScript.load(words=tmp_path, pinyin=False)
    reader = native.table_for("heya gasu kusai desu!", LanguageGuess("ja", 1.0))
    assert isinstance(reader, WordsThenLetters)
    assert reader.convert("heya gasu kusai desu!") == "へや ガス 臭い です!"
    letters_only = NativeScript.load(words=None, pinyin=False)
    assert (
        letters_only.encoder_text("heya gasu kusai desu!", LanguageGuess("ja", 1.0))
        == "へや がす くさい です!"
    )
    assert native.digest != letters_only.digest  # what the encoder reads changed: caches refit


def test_the_committed_japanese_word_table_writes_japanese() -> None:
    table = NATIVE.words["ja"]
    assert len(table.words) >= 1200
    japanese = [(0x3040, 0x30FF), (0x4E00, 0x9FFF), (0x3005, 0x3006), (0xFF5E, 0xFF5E)]  # kana, kanji, 々, ～
    assert not [
        v for v in table.words.values() if any(not any(lo <= ord(c) <= hi for lo, hi in japanese) for c in v)
    ]
    assert NATIVE.encoder_text("byouin", LanguageGuess("ja", 1.0)) == table.words["byouin"]


def test_the_word_tables_touch_only_the_latin_sinhala_and_nepali_examples() -> None:
    """Why steps 67 and 73 kept the adapter and the calibration: of the training examples the word
    tables change what the encoder reads only for the Sinhala ones typed in Latin letters (18 rows
    of triage/examples/drafts/si.jsonl; the heads are fitted on their new reading at load) and the
    Nepali ones, which the heads also learn as typed (``LEARNED_AS_TYPED``). If other examples
    join them, retrain: python -m triage.train --finetune."""
    from triage.corpus import load_examples

    without = replace(NATIVE, words={})
    latin = [e for e in load_examples() if NativeScript.may_apply(e.text)]
    assert latin, "the examples hold Latin-script text"
    touched = [e for e in latin if NATIVE.encoder_text(e.text) != without.encoder_text(e.text)]
    assert {e.lang for e in touched} <= {"si", "ne"}
    assert sum(e.lang == "si" for e in touched) <= 18
    assert {e.lang for e in touched if e.lang not in ("si",)} <= LEARNED_AS_TYPED
