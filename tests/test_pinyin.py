"""Chinese typed in toneless pinyin, read by the encoder in characters (triage/pinyin.py, triage
step 61 of docs/benchmarks.md): how words split into syllables, how runs become characters, and
when the reading applies (the engine's own reading: tests/test_romanised.py)."""

from __future__ import annotations

import pytest

from triage.pinyin import PinyinReader
from triage.romanised import NativeScript, default_native_script

NATIVE = default_native_script()
PINYIN = NATIVE.pinyin or PinyinReader.load()


@pytest.mark.parametrize(
    ("word", "syllables"),
    [
        ("yiyuan", ["yi", "yuan"]),  # the fewest syllables: not yi yu an
        ("xianzai", ["xian", "zai"]),  # the longest first on a tie: not xi an zai
        ("zhuangtai", ["zhuang", "tai"]),
        ("xuexiao", ["xue", "xiao"]),  # ü typed as u after j, q, x, y
        ("lvse", ["lv", "se"]),  # and as v after l and n
        ("wobuxianghuole", ["wo", "bu", "xiang", "huo", "le"]),
    ],
)
def test_words_split_into_pinyin_syllables(word: str, syllables: list[str]) -> None:
    assert PINYIN.split(word) == syllables


@pytest.mark.parametrize("word", ["hospital", "byouin", "kuyakusho", "ok", "b"])
def test_words_that_are_not_pinyin_do_not_split(word: str) -> None:
    assert PINYIN.split(word) is None


def test_runs_of_pinyin_become_characters_and_other_words_stay() -> None:
    assert PINYIN.convert("wo erzi fashao le, qu nage yiyuan?") == "我儿子发烧了, 去那个医院?"
    assert PINYIN.convert("wobuxianghuole") == "我不想活了"
    # Not pinyin: kept as typed, and a run ends there.
    assert PINYIN.convert("hello wo de pengyou zai kuyakusho") == "hello 我的朋友在 kuyakusho"
    assert PINYIN.convert("119 dadianhua") == "119 打电话"
    assert PINYIN.convert("") == "" and PINYIN.convert("ok!! 🙂") == "ok!! 🙂"


def test_a_phrase_never_takes_part_of_a_typed_word() -> None:
    # The phrase tables' best path over "wo er zi fa shao le" starts 沃尔 + 自发; the writer typed
    # "erzi" and "fashao" as words.
    assert PINYIN.characters([["wo"], ["er", "zi"], ["fa", "shao"], ["le"]]) == "我儿子发烧了"
    assert PINYIN.characters([["wo", "er", "zi", "fa", "shao", "le"]]) == "沃尔自发少了"


def test_only_latin_text_detected_as_chinese_is_read_in_characters() -> None:
    assert NATIVE.encoder_text("wo de haizi fashao le, zenme ban") == "我的孩子发烧了, 怎么办"
    for text in [
        "my son has a fever since yesterday",  # English
        "anak saya demam, mau ke rumah sakit",  # Indonesian
        "我的孩子发烧了",  # characters already
        "wo de haizi 发烧 le",  # a letter of another script: not typed in Latin letters only
    ]:
        assert NATIVE.encoder_text(text) == text


def test_the_pinyin_reader_is_in_the_digest() -> None:
    assert NATIVE.pinyin is not None
    without = NativeScript.load(pinyin=False)
    assert without.pinyin is None and without.digest != NATIVE.digest
    assert without.encoder_text("wo de haizi fashao le, zenme ban") == "wo de haizi fashao le, zenme ban"
