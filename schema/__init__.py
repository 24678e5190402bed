"""The GraphQL schema: the contract in ../shared/api.graphql plus a few additions."""

from pathlib import Path

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)

from schema.operations import Mutation, Query, Subscription
from schema.types import LongTermPair, Offer, Resident, SupportRequest, Volunteer

SCHEMA_FILE = Path(__file__).parent / "schema.graphql"


def _is_unexpected(error: GraphQLError) -> bool:
    # Errors we raise on purpose (GraphQLError with a code) and malformed queries pass through;
    # anything else is a bug whose message might leak internals.
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def build_schema(*, max_depth: int = 10, max_aliases: int = 15) -> strawberry.Schema:
    # The limits' rule classes are built once, so that the validation cache (keyed by the
    # document and the rule classes) hits; a limiter built per request would make new classes.
    limits = [
        *QueryDepthLimiter(max_depth=max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules,
    ]
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Resident, Volunteer, SupportRequest, Offer, LongTermPair],
        # Factories, not instances: extensions keep per-execution state, so each request gets its
        # own; the parser and validation caches themselves live at module level and are shared.
        extensions=[
            lambda: AddValidationRules(limits),
            lambda: ParserCache(maxsize=512),
            lambda: ValidationCache(maxsize=512),
            lambda: MaskErrors(should_mask_error=_is_unexpected, error_message="Internal error"),
        ],
    )


def printed_schema() -> str:
    return build_schema().as_str() + "\n"
