"""The served schema contains the whole public contract, and the committed copy is current."""

from pathlib import Path

import pytest
from graphql import build_schema as parse_sdl
from graphql import find_breaking_changes

from schema import SCHEMA_FILE, printed_schema

CONTRACT = Path(__file__).resolve().parents[2] / "shared" / "api.graphql"


@pytest.mark.skipif(not CONTRACT.exists(), reason="../shared/api.graphql is not beside the project")
def test_no_breaking_change_against_the_contract() -> None:
    contract = parse_sdl(CONTRACT.read_text())
    served = parse_sdl(printed_schema())
    breaking = find_breaking_changes(contract, served)
    assert breaking == [], "\n".join(f"{c.type.name}: {c.description}" for c in breaking)


def test_committed_schema_matches_what_is_served() -> None:
    assert SCHEMA_FILE.read_text() == printed_schema(), (
        "schema/schema.graphql is stale: run `python -m schema` and commit it"
    )
