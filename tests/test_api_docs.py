"""docs/api.md is generated from the served schema (a drift check like schema.graphql's), and
each mutation's example in schema/examples/ is a valid operation, run against a real server."""

from datetime import timedelta
from typing import Any

import asyncpg
from graphql import OperationDefinitionNode, parse

from schema import build_schema
from schema.docs import DOCS_FILE, Example, api_docs, load_examples
from service.auth import issue_token, viewer_for_token
from tests.flows import register_resident, register_volunteer
from tests.support import Api

EXAMPLES = load_examples()


def test_committed_api_docs_match_the_schema() -> None:
    assert DOCS_FILE.read_text() == api_docs(), "docs/api.md is stale: run `python -m schema` and commit it"


def test_every_mutation_has_an_example_and_every_example_is_one_mutation() -> None:
    mutations = set(build_schema()._schema.mutation_type.fields)  # type: ignore[union-attr]
    missing = sorted(mutations - EXAMPLES.keys())
    assert missing == [], f"add schema/examples/<name>.graphql (+ <name>.json variables) for: {missing}"
    assert sorted(EXAMPLES.keys() - mutations) == [], "examples named after no mutation"
    for name, example in EXAMPLES.items():
        (operation,) = parse(example.document).definitions
        assert isinstance(operation, OperationDefinitionNode)
        assert operation.operation.value == "mutation", name
        fields = [s.name.value for s in operation.selection_set.selections]  # type: ignore[attr-defined]
        assert fields == [name], f"{name}.graphql should run the mutation {name} only, runs {fields}"
        assert example.role in {"anyone", "resident", "volunteer", "staff"}, f"{name}: # as: {example.role}"
        assert f"### mutation `{name}`" in DOCS_FILE.read_text() and example.body in DOCS_FILE.read_text()


async def test_every_example_runs_on_a_real_server(api: Api, staff_token: str, db_url: str) -> None:
    resident, _ = await register_resident(api, name="Example Resident")
    volunteer, _ = await register_volunteer(api, displayName="Example Volunteer")
    accounts: dict[str, str] = {"resident": resident, "volunteer": volunteer, "staff": staff_token}
    account_ids: dict[str, int] = {}
    db = await asyncpg.connect(db_url)
    try:
        for role, token in accounts.items():
            viewer = await viewer_for_token(db, token)
            assert viewer is not None
            account_ids[role] = viewer.account_id
    finally:
        await db.close()

    async def token_for(example: Example) -> str | None:
        """A fresh token per example: some end the one they run with (rotateToken, revokeToken);
        `# fresh: account` ones end the whole account (eraseMe) and get a new one."""
        if example.role == "anyone":
            return None
        if example.headers.get("fresh") == "account":
            return (await register_resident(api, name=f"Example {example.field}"))[0]
        conn = await asyncpg.connect(db_url)
        try:
            return await issue_token(conn, account_ids[example.role], timedelta(hours=1))
        finally:
            await conn.close()

    for name, example in EXAMPLES.items():
        body = await api.raw(example.document, example.variables, await token_for(example))
        # Valid: it parses, validates and its variables coerce; it ran to its payload.
        assert "errors" not in body, (name, body)
        payload: dict[str, Any] = body["data"][name]
        assert isinstance(payload["errors"], list), (name, payload)
        for error in payload["errors"]:
            # Examples name objects a fresh database lacks: only "not found" may come back.
            assert error["code"] == "NOT_FOUND", (name, error)
        if example.expects_success:
            assert payload["errors"] == [], (name, payload)
