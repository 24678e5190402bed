"""The web app's translations (web/src/i18n/*.json) against the English reference.

A locale file that exists must have every key its pages use (common.* plus <page>.* for each
page listed for it in locales.json), no key English lacks, the same {parameters}, and ruby
markup {漢字|かな} only where the reading is kana. A locale listed without a file yet (left to
the translator) is reported as skipped, loudly, by name."""

import json
import re
from pathlib import Path
from typing import Any

import pytest

I18N = Path(__file__).resolve().parents[1] / "web" / "src" / "i18n"
CATALOG: list[dict[str, Any]] = json.loads((I18N / "locales.json").read_text())["locales"]
RESIDENT_LOCALES = {
    "zh-Hans", "zh-Hant", "vi", "ko", "tl", "ne", "pt", "id", "my", "en", "th", "si", "es", "ja-easy", "ja",
}  # fmt: skip
TOKEN = re.compile(r"\{([^{}|]+)\|([^{}|]+)\}|\{(\w+)\}")
KANA = re.compile(r"^[\u3041-\u309f\u30a0-\u30ffー]+$")


def _load(code: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((I18N / f"{code}.json").read_text())
    data.pop("$comment", None)
    return data


ENGLISH = _load("en")


def _params(text: str) -> set[str]:
    return {m.group(3) for m in TOKEN.finditer(text) if m.group(3)}


def _required(pages: list[str]) -> set[str]:
    prefixes = ("common.", *(f"{p}." for p in pages))
    return {k for k in ENGLISH if k.startswith(prefixes)}


def test_every_page_offers_its_languages() -> None:
    by_page: dict[str, set[str]] = {}
    for locale in CATALOG:
        for page in locale["pages"]:
            by_page.setdefault(page, set()).add(locale["code"])
    assert by_page["resident"] == RESIDENT_LOCALES
    assert by_page["volunteer"] == {"ja", "en"}
    assert by_page["staff"] == {"ja", "en"}


def test_every_file_is_a_listed_locale() -> None:
    listed = {locale["code"] for locale in CATALOG}
    files = {p.stem for p in I18N.glob("*.json")} - {"locales"}
    assert files <= listed, f"translation files not in locales.json: {sorted(files - listed)}"


@pytest.mark.parametrize("locale", CATALOG, ids=[loc["code"] for loc in CATALOG])
def test_locale_is_complete(locale: dict[str, Any]) -> None:
    code = locale["code"]
    if not (I18N / f"{code}.json").exists():
        pytest.skip(f"NOT TRANSLATED YET: web/src/i18n/{code}.json is missing ({locale['name']})")
    messages = _load(code)
    missing = sorted(_required(locale["pages"]) - messages.keys())
    assert missing == [], f"{code}.json lacks {len(missing)} keys: {missing}"
    unknown = sorted(messages.keys() - ENGLISH.keys())
    assert unknown == [], f"{code}.json has keys English does not: {unknown}"
    for key, text in messages.items():
        assert isinstance(text, str) and text.strip(), f"{code}.json {key} is empty"
        assert _params(text) == _params(ENGLISH[key]), f"{code}.json {key}: parameters differ from English"
        leftover = TOKEN.sub("", text)
        assert "{" not in leftover and "}" not in leftover, f"{code}.json {key}: unbalanced braces"
        for match in TOKEN.finditer(text):
            if match.group(2) is not None:
                assert KANA.match(match.group(2)), (
                    f"{code}.json {key}: ruby reading {match.group(2)!r} is not kana"
                )


def test_easy_japanese_uses_furigana_for_kanji() -> None:
    """Kanji left in easy Japanese carry a reading: every CJK ideograph sits inside {漢字|かな}."""
    if not (I18N / "ja-easy.json").exists():
        pytest.skip("NOT TRANSLATED YET: web/src/i18n/ja-easy.json is missing")
    for key, text in _load("ja-easy").items():
        bare = TOKEN.sub("", text)
        kanji = re.findall(r"[\u4e00-\u9fff]", bare)
        assert kanji == [], f"ja-easy.json {key}: kanji without furigana: {''.join(kanji)}"
