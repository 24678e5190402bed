"""One authentication story (issue 9, item 4): no valid credentials is UNAUTHENTICATED in queries
and mutation payloads alike, whatever is wrong with the token; FORBIDDEN only for a known viewer
whose role may not do it. Who may call each field is declared once, on the field."""

from typing import Any

import asyncpg
import pytest
from strawberry.types.base import get_object_definition

from schema.operations import Mutation, Query, Subscription
from schema.permissions import Allowed
from service.auth import hash_token
from tests.flows import register_resident, submit, wait_triaged
from tests.support import Api, eventually

VIEWER = "{ viewer { role } }"
STATS = "{ stats { triageAgreement } }"
SUBMIT = 'mutation { submitRequest(input: {text: "I need help with a letter"}) { request { id } errors { code message } } }'
REVIEW = """mutation($id: ID!) {
  reviewTriage(input: {requestId: $id, decision: APPROVE}) { request { id } errors { code } } }"""
VET = 'mutation { setVolunteerVerified(volunteerId: "Vm9sdW50ZWVyOjE", verified: true) { volunteer { id } errors { code } } }'
# Fields anyone may call: registration makes the token everything else needs; a one-click answer
# link's signed token is its own credential, for its one offer (service/notifications/links.py).
ANONYMOUS = {"registerResident", "registerVolunteer", "answerLink", "answerOfferByLink"}


async def _codes(
    api: Api, query: str, token: str | None, variables: dict[str, Any] | None = None
) -> list[str]:
    body = await api.raw(query, variables, token)
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def _payload_codes(
    api: Api, query: str, field: str, token: str | None, variables: dict[str, Any] | None = None
) -> list[str]:
    body = await api.raw(query, variables, token)
    assert "errors" not in body, body
    payload = body["data"][field]
    assert all(v is None for k, v in payload.items() if k != "errors"), payload
    return [e["code"] for e in payload["errors"]]


async def _bad_tokens(api: Api, db: asyncpg.Connection) -> dict[str, str | None]:
    """A missing, an unknown, a revoked and an expired token."""
    revoked, _ = await register_resident(api, name="Revoked", languages=["en"])
    assert await _codes(api, VIEWER, revoked) == []  # valid, and now in the server's cache
    await db.execute("UPDATE tokens SET revoked_at = now() WHERE token_hash = $1", hash_token(revoked))
    expired, _ = await register_resident(api, name="Expired", languages=["en"])
    await db.execute(
        "UPDATE tokens SET expires_at = now() - interval '1 second', created_at = now() - interval '1 day' "
        "WHERE token_hash = $1",
        hash_token(expired),
    )
    # The revocation reaches the server's viewer cache at commit.
    await eventually(lambda: _refused(api, revoked), timeout=10)
    return {"missing": None, "unknown": "oto_not-a-real-token", "revoked": revoked, "expired": expired}


async def _refused(api: Api, token: str) -> bool:
    return await _codes(api, VIEWER, token) == ["UNAUTHENTICATED"]


async def test_no_valid_token_is_unauthenticated_everywhere(
    api: Api, staff_token: str, db: asyncpg.Connection
) -> None:
    resident, _ = await register_resident(api, languages=["en"])
    request = (await submit(api, resident, "I need help with my pension letter"))["request"]["id"]
    await wait_triaged(api, resident, request)
    for why, token in (await _bad_tokens(api, db)).items():
        # Queries: any field, staff-only or not.
        assert await _codes(api, VIEWER, token) == ["UNAUTHENTICATED"], why
        assert await _codes(api, STATS, token) == ["UNAUTHENTICATED"], why
        # Mutations: the same code, in the payload, for a resident's and for a staff mutation.
        assert await _payload_codes(api, SUBMIT, "submitRequest", token) == ["UNAUTHENTICATED"], why
        assert await _payload_codes(api, REVIEW, "reviewTriage", token, {"id": request}) == [
            "UNAUTHENTICATED"
        ], why
    assert await db.fetchval("SELECT count(*) FROM requests") == 1  # nothing was written
    assert await db.fetchval("SELECT count(*) FROM reviews") == 0


async def test_a_known_viewer_without_the_role_is_forbidden(api: Api, staff_token: str) -> None:
    resident, _ = await register_resident(api, languages=["en"])
    request = (await submit(api, resident, "I need help with my pension letter"))["request"]["id"]
    assert await _codes(api, STATS, resident) == ["FORBIDDEN"]
    assert await _codes(api, STATS, staff_token) == []
    assert await _payload_codes(api, REVIEW, "reviewTriage", resident, {"id": request}) == ["FORBIDDEN"]
    assert await _payload_codes(api, VET, "setVolunteerVerified", resident) == ["FORBIDDEN"]
    # Staff may not submit as a resident.
    assert await _payload_codes(api, SUBMIT, "submitRequest", staff_token) == ["FORBIDDEN"]


@pytest.mark.parametrize("root", [Query, Mutation, Subscription])
def test_every_operation_declares_who_may_call_it(root: type) -> None:
    definition = get_object_definition(root, strict=True)
    undeclared = [
        f.graphql_name or f.python_name
        for f in definition.fields
        if not any(isinstance(e, Allowed) for e in f.extensions)
    ]
    names = {f.python_name for f in definition.fields}
    assert names  # the walk saw the fields
    assert {_camel(n) for n in undeclared} <= ANONYMOUS, undeclared


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
