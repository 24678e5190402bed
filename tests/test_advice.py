"""Emergency advice: every priority language gets its own text with all three numbers."""

from __future__ import annotations

import dataclasses
import re

import pytest

from triage.advice import ADVICE_LANGUAGES, EmergencyAdvice, EmergencyNumber, emergency_advice

PRIORITY = ("zh", "vi", "ko", "tl", "ne", "pt", "id", "my", "en", "th", "si", "es", "ja")

# A character class that only the expected language's text can match (its script, or for
# Latin-script languages letters and words that English does not use).
SCRIPT = {
    "zh": r"[\u4e00-\u9fff]",
    "ko": r"[\uac00-\ud7a3]",
    "th": r"[\u0e00-\u0e7f]",
    "my": r"[\u1000-\u109f]",
    "si": r"[\u0d80-\u0dff]",
    "ne": r"[\u0900-\u097f]",
    "ja": r"[\u3041-\u309f]",
    "vi": r"[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]",
    "pt": r"ambulância|bombeiros|polícia|orientação|Tóquio",
    "es": r"ambulancia|bomberos|policía|consulta médica|Tokio",
    "id": r"ambulans|polisi|rumah sakit|darurat",
    "tl": r"ambulansya|bumbero|pulis|payo|ospital",
    "en": r"ambulance|police|advice",
}


def all_text(advice: EmergencyAdvice) -> str:
    return advice.message + "\n" + "\n".join(n.label for n in advice.numbers)


def test_priority_languages_are_all_translated() -> None:
    assert set(PRIORITY) <= ADVICE_LANGUAGES


@pytest.mark.parametrize("lang", PRIORITY)
def test_each_language_has_its_own_text_with_the_three_numbers(lang: str) -> None:
    advice = emergency_advice(lang)
    assert [n.number for n in advice.numbers] == ["119", "110", "#7119"]
    for number in ("119", "110", "#7119"):
        assert number in advice.message
    assert all(n.label.strip() for n in advice.numbers)
    # Message and every label are written in the resident's language.
    assert re.search(SCRIPT[lang], advice.message, re.IGNORECASE), advice.message
    for n in advice.numbers:
        assert re.search(SCRIPT[lang], n.label, re.IGNORECASE), (lang, n.label)


@pytest.mark.parametrize("lang", [lang for lang in PRIORITY if lang != "en"])
def test_translations_are_not_the_english_fallback(lang: str) -> None:
    advice = emergency_advice(lang)
    assert advice != emergency_advice("en")
    assert "If a life is in danger" not in advice.message
    assert advice != emergency_advice("und")


def test_translations_are_distinct() -> None:
    messages = {emergency_advice(lang).message for lang in PRIORITY}
    assert len(messages) == len(PRIORITY)


def test_easy_japanese_is_hiragana_with_spaces() -> None:
    message = emergency_advice("ja").message
    assert not re.search(r"[\u4e00-\u9fff]", message)  # no kanji
    assert not re.search(r"[\u30a1-\u30fa]", message)  # no katakana
    assert message.count(" ") >= 20  # words are separated


@pytest.mark.parametrize("lang", ["und", "xx", "fr", "ru", "", "UND"])
def test_other_languages_get_english_and_easy_japanese(lang: str) -> None:
    advice = emergency_advice(lang)
    assert "If a life is in danger" in advice.message
    assert re.search(SCRIPT["ja"], advice.message)
    for number in ("119", "110", "#7119"):
        assert number in advice.message
    for n in advice.numbers:
        assert re.search(SCRIPT["en"] + "|Tokyo", n.label, re.IGNORECASE), n.label
        assert re.search(SCRIPT["ja"], n.label), n.label


@pytest.mark.parametrize(
    ("tag", "same_as"), [("pt-BR", "pt"), ("ZH", "zh"), ("zh-CN", "zh"), ("fil", "tl"), ("en_US", "en")]
)
def test_language_tags_are_normalised(tag: str, same_as: str) -> None:
    assert emergency_advice(tag) == emergency_advice(same_as)


def test_traditional_chinese_variant() -> None:
    hant = emergency_advice("zh-Hant")
    assert hant == emergency_advice("zh-TW")
    assert "請" in hant.message and "救護車" in hant.message
    assert "请" in emergency_advice("zh").message


def test_advice_is_immutable() -> None:
    advice = emergency_advice("en")
    assert isinstance(advice.numbers, tuple)
    assert all(isinstance(n, EmergencyNumber) for n in advice.numbers)
    with pytest.raises(dataclasses.FrozenInstanceError):
        advice.message = "x"  # type: ignore[misc]
