"""Every notification template exists in every supported language, with the same placeholders."""

import json

import pytest

from service.i18n import LOCALES, placeholders
from service.notifications.kinds import NotificationKind
from service.notifications.templates import (
    FOOTER,
    TEMPLATES_DIR,
    person_locale,
    render,
    templates,
)
from tests.conftest import REPO

SECTIONS = [k.value for k in NotificationKind] + [FOOTER]


def test_the_locales_are_the_web_apps() -> None:
    web = json.loads((REPO / "web/src/i18n/locales.json").read_text())
    assert sorted(LOCALES) == sorted(entry["code"] for entry in web["locales"])
    assert sorted(p.stem for p in TEMPLATES_DIR.glob("*.toml")) == sorted(LOCALES)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_kind_with_the_same_placeholders(locale: str) -> None:
    reference = templates("en")
    found = templates(locale)
    assert sorted(found) == sorted(SECTIONS)
    for name in SECTIONS:
        ours, theirs = found[name], reference[name]
        assert placeholders(ours.body) == placeholders(theirs.body), (locale, name)
        assert placeholders(ours.subject) == placeholders(theirs.subject), (locale, name)
        assert ours.body.strip(), (locale, name)
        if name != FOOTER:
            assert ours.subject.strip(), (locale, name)
    # Translated, not copied: only the proper names and placeholders may repeat English.
    if locale != "en":
        assert found["REQUEST_TRIAGED"].body != reference["REQUEST_TRIAGED"].body


@pytest.mark.parametrize("kind", list(NotificationKind))
def test_every_kind_renders_in_every_locale(kind: NotificationKind) -> None:
    values = {
        name: f"<{name}>" if not name.endswith("_url") else f"https://example.org/{name}?a=1&b=2"
        for locale in LOCALES
        for template in (templates(locale)[kind.value], templates(locale)[FOOTER])
        for name in placeholders(template.body) | placeholders(template.subject)
    }
    for locale in LOCALES:
        rendered = render(kind, [locale], values)
        assert "{" not in rendered.subject and "}" not in rendered.text.replace("{", "")
        # Values are escaped in HTML; only URL placeholders become links.
        assert "<name>" not in rendered.html
        if "answer_url" in values and kind.value.startswith("OFFER"):
            assert '<a href="https://example.org/answer_url?a=1&amp;b=2">' in rendered.html


def test_locale_rule() -> None:
    assert person_locale("VOLUNTEER", None, ["en", "vi"]) == "ja"
    assert person_locale("VOLUNTEER", "en", ["ja"]) == "en"
    assert person_locale("RESIDENT", None, ["vi", "en"]) == "vi"
    assert person_locale("RESIDENT", None, ["zh"]) == "zh-Hans"
    assert person_locale("RESIDENT", "zh-Hant", ["zh"]) == "zh-Hant"
    assert person_locale("RESIDENT", None, ["ja"]) == "ja-easy"
    assert person_locale("RESIDENT", None, ["fr", "es"]) == "es"
    assert person_locale("RESIDENT", None, ["fr"]) == "en"
