"""Helpers of the security suite: read everything a caller may read, and find another's words in it.

``every_field`` builds a selection of every field of a type from the served schema (so a field
added later is read too); ``leaked_runs`` finds runs of RUN consecutive characters of a secret
text in any string of a response (keys, values, error messages), except runs the reader may read
anyway because they are in texts they are allowed to see (their own request, say).
"""

from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from graphql import (
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLType,
)

from schema import build_schema

RUN = 12  # a leak is 12 or more consecutive characters of another resident's text
# Staff-only fields answer FORBIDDEN to everyone else (checked separately): a selection for
# other roles leaves them out so the rest of the response is not nulled by the error.
STAFF_ONLY_FIELDS = frozenset({"candidates", "similarReviewedRequests", "needsAttention", "events"})


@cache
def _schema() -> GraphQLSchema:
    return build_schema()._schema


def _named(type_: GraphQLType) -> GraphQLType:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_


def every_field(type_name: str, depth: int = 3, skip: frozenset[str] = STAFF_ONLY_FIELDS) -> str:
    """`{ a b c { ... } }`: every field of the type, objects followed `depth` levels deep
    (fields with required arguments and those in `skip` left out)."""
    type_ = _schema().type_map[type_name]
    assert isinstance(type_, GraphQLObjectType | GraphQLInterfaceType), type_name
    parts = []
    for name, field in type_.fields.items():
        if name in skip or any(
            isinstance(arg.type, GraphQLNonNull) and arg.default_value is None for arg in field.args.values()
        ):
            continue
        inner = _named(field.type)
        if isinstance(inner, GraphQLObjectType | GraphQLInterfaceType):
            if depth > 0:
                parts.append(f"{name} {every_field(inner.name, depth - 1, skip)}")
        else:
            parts.append(name)
    if not parts:
        parts.append("__typename")
    return "{ " + " ".join(parts) + " }"


def strings_in(value: Any) -> Iterator[str]:
    """Every string in a decoded JSON value: keys and values, at any depth."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from strings_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings_in(item)


def _squeeze(text: str) -> str:
    # Whitespace runs count as one space: a quote of the text may have re-flowed it.
    return " ".join(text.split())


def leaked_runs(secret: str, seen: Any, allowed: Iterable[str] = ()) -> list[str]:
    """The runs of RUN consecutive characters of `secret` found in any string of `seen` that are
    not in any of the `allowed` texts (what the reader may read anyway)."""
    secret = _squeeze(secret)
    haystack = "\x00".join(_squeeze(s) for s in strings_in(seen))
    permitted = "\x00".join(_squeeze(a) for a in allowed)
    runs = (secret[i : i + RUN] for i in range(len(secret) - RUN + 1))
    return list(dict.fromkeys(r for r in runs if r in haystack and r not in permitted))


def assert_no_leak(secret: str, seen: Any, allowed: Iterable[str] = (), where: str = "") -> None:
    runs = leaked_runs(secret, seen, allowed)
    assert not runs, f"{where}: {len(runs)} runs of another resident's text reached the reader: {runs[:3]}"
