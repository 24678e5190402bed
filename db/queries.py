"""Named SQL queries, kept in db/queries/*.sql as blocks headed by `-- name: query_name`."""

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType

QUERIES_DIR = Path(__file__).parent / "queries"
_HEADER = re.compile(r"^--\s*name:\s*(\w+)\s*$", re.MULTILINE)


def parse_queries(text: str) -> dict[str, str]:
    parts = _HEADER.split(text)
    # parts = [preamble, name1, body1, name2, body2, ...]
    found: dict[str, str] = {}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        if name in found:
            raise ValueError(f"query {name!r} is defined twice")
        found[name] = body.strip()
    return found


@cache
def queries() -> Mapping[str, str]:
    """All named queries, read once; a duplicate name across files is an error."""
    merged: dict[str, str] = {}
    for path in sorted(QUERIES_DIR.glob("*.sql")):
        for name, sql in parse_queries(path.read_text()).items():
            if name in merged:
                raise ValueError(f"query {name!r} is defined twice ({path.name})")
            merged[name] = sql
    return MappingProxyType(merged)


def q(name: str) -> str:
    """The SQL of one named query."""
    return queries()[name]
