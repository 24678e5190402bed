"""Message templates (data: templates/<locale>.toml), the recipient's locale, plain text and HTML.

Locale rule: a person's chosen notification language when it has templates; otherwise volunteers
read Japanese, residents the first of their languages that has templates (zh -> zh-Hans,
ja -> ja-easy), else English. Staff get Japanese and English in one message.
"""

import html
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from service.i18n import LOCALES, locale_of_languages
from service.notifications.kinds import NotificationKind

TEMPLATES_DIR = Path(__file__).parent / "templates"
STAFF_LOCALES = ("ja", "en")
FOOTER = "FOOTER"


@dataclass(frozen=True)
class Template:
    subject: str
    body: str


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    locales: tuple[str, ...]


@cache
def templates(locale: str) -> Mapping[str, Template]:
    """One locale's templates: a table per kind (and FOOTER) with subject and body."""
    data = tomllib.loads((TEMPLATES_DIR / f"{locale}.toml").read_text(encoding="utf-8"))
    return {
        name: Template(subject=str(table.get("subject", "")), body=str(table["body"]).strip())
        for name, table in data.items()
    }


def person_locale(role: str, chosen: str | None, languages: Sequence[str]) -> str:
    if chosen in LOCALES:
        return str(chosen)
    if role == "VOLUNTEER":
        return "ja"
    return locale_of_languages(languages, resident=True) or "en"


def render(
    kind: NotificationKind, locales: Sequence[str], values: Mapping[str, str], *, footer: bool = True
) -> Rendered:
    """The message in each locale, one after the other (staff: Japanese, then English)."""
    # HTML: the template escaped, then the values escaped; only the *_url values become links
    # (a name or an area that looks like a URL stays text).
    html_values = {
        k: f'<a href="{html.escape(v)}">{html.escape(v)}</a>' if k.endswith("_url") else html.escape(v)
        for k, v in values.items()
    }
    subjects: list[str] = []
    texts: list[str] = []
    htmls: list[str] = []
    for locale in locales:
        found = templates(locale)
        template = found[kind.value]
        subjects.append(template.subject.format_map(values))
        bodies = [template.body] + ([found[FOOTER].body] if footer else [])
        texts.append("\n\n-- \n".join(b.format_map(values) for b in bodies))
        paragraphs = [p for b in bodies for p in b.split("\n\n") if p.strip()]
        rendered = "".join(
            "<p>" + html.escape(p, quote=False).format_map(html_values).replace("\n", "<br>") + "</p>"
            for p in paragraphs
        )
        htmls.append(f'<div lang="{html.escape(locale)}">{rendered}</div>')
    text = "\n\n----------\n\n".join(texts) + "\n"
    document = (
        f'<!DOCTYPE html><html lang="{html.escape(locales[0])}"><head><meta charset="utf-8"></head>'
        f"<body>{'<hr>'.join(htmls)}</body></html>"
    )
    return Rendered(" / ".join(subjects), text, document, tuple(locales))
