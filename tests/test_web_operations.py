"""Every GraphQL operation the web app sends (web/src/**/operations.graphql) is valid against the
served schema, and each one, sent with only the fragments it uses (as web/src/shared/graphql.ts
sends it), stays under the server's document token limit."""

import re
from pathlib import Path

import pytest
from graphql import parse, validate

from schema import build_schema
from service.config import Settings

WEB_SRC = Path(__file__).resolve().parents[1] / "web" / "src"
FILES = sorted(WEB_SRC.rglob("*.graphql"))
DEFINITION = re.compile(r"^(query|mutation|subscription|fragment)\s+(\w+)", re.MULTILINE)


def _definitions(source: str) -> dict[str, str]:
    starts = list(DEFINITION.finditer(source))
    return {
        m.group(2): source[m.start() : starts[i + 1].start() if i + 1 < len(starts) else len(source)]
        for i, m in enumerate(starts)
    }


def _document(definitions: dict[str, str], name: str) -> str:
    needed: list[str] = []

    def visit(text: str) -> None:
        for fragment in re.findall(r"\.\.\.\s*(\w+)", text):
            if fragment != "on" and fragment not in needed:
                needed.append(fragment)
                visit(definitions[fragment])

    visit(definitions[name])
    return "\n".join([definitions[name], *(definitions[f] for f in needed)])


def test_there_are_operation_files() -> None:
    assert FILES, "no operations.graphql under web/src"


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(WEB_SRC)) for p in FILES])
def test_operations_are_valid_and_small(path: Path) -> None:
    schema = build_schema()._schema
    source = path.read_text()
    errors = validate(schema, parse(source))
    assert errors == [], [e.message for e in errors]
    definitions = _definitions(source)
    limit = Settings().max_query_tokens
    for name, text in definitions.items():
        if text.lstrip().startswith("fragment"):
            continue
        document = _document(definitions, name)
        parse(document, max_tokens=limit)  # raises beyond the server's limit
        assert validate(schema, parse(document)) == [], name
