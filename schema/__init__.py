"""The GraphQL schema: the contract in ../shared/api.graphql plus a few additions."""

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    QueryDepthLimiter,
)
from strawberry.schema.schema import DEFAULT_ALLOWED_OPERATION_TYPES
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from db.availability import RETRY_AFTER_SECONDS, database_unavailable
from schema.operations import Mutation, Query, Subscription
from schema.types import LongTermPair, Offer, Resident, SupportRequest, Volunteer
from service.cost import CostLimit
from service.documents import DocumentCache, DocumentGuard, OperationNameRequired, code_execution_error
from service.errors import UNAVAILABLE_MESSAGE, ErrorCode
from service.observe import OperationObserver, current_request
from service.statements import CountStatements

log = logging.getLogger("otonari.graphql")

SCHEMA_FILE = Path(__file__).parent / "schema.graphql"


def _is_unexpected(error: GraphQLError) -> bool:
    # Errors we raise on purpose (GraphQLError with a code) and malformed queries pass through;
    # anything else is a bug whose message might leak internals.
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def _unavailable(error: GraphQLError) -> bool:
    return database_unavailable(error.original_error)


class MaskUnexpected(MaskErrors):
    """Unexpected errors become "Internal error"; a database that could not answer becomes
    SERVICE_UNAVAILABLE (a client retries; the driver's message is not shown)."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_is_unexpected, error_message="Internal error")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        if not _unavailable(error):
            return super().anonymise_error(error)
        return GraphQLError(
            message=UNAVAILABLE_MESSAGE,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={
                "code": ErrorCode.SERVICE_UNAVAILABLE.value,
                "retryAfterSeconds": RETRY_AFTER_SECONDS,
            },
        )


class OtonariSchema(strawberry.Schema):
    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        """One result per call: a subscription (a stream) is refused here, with a 400 over HTTP,
        instead of failing inside execution; subscriptions run through `subscribe`/`stream`."""
        allowed = set(allowed_operation_types or DEFAULT_ALLOWED_OPERATION_TYPES)
        allowed.discard(OperationType.SUBSCRIPTION)
        return await super().execute(
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            allowed,
            operation_extensions,
        )

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Refusals (our own coded errors, syntax and validation errors) are expected: one line
        each, no traceback (within a request, its own line: service.observe, `outcome`); anything
        else is a bug and keeps its traceback."""
        for error in errors:
            code_execution_error(error)
            if _unavailable(error):
                log.warning("database unavailable: %r", str(error.original_error)[:200])
            elif _is_unexpected(error):
                log.error("%s", error.message, exc_info=error.original_error)
            elif current_request.get() is None:
                code = (error.extensions or {}).get("code", "ERROR")
                log.info("refused %s: %r", code, error.message[:200])


def build_schema(
    *,
    max_depth: int = 10,
    max_aliases: int = 15,
    max_tokens: int = 1000,
    max_cost: int = 1000,
    count_statements: bool = False,
) -> strawberry.Schema:
    # The limits' rule classes are built once, so that a cached validation result stays right
    # for every request; a limiter built per request would make new classes.
    limits = [
        *QueryDepthLimiter(max_depth=max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules,
    ]
    documents = DocumentCache()
    return OtonariSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Resident, Volunteer, SupportRequest, Offer, LongTermPair],
        # Factories, not instances: extensions keep per-execution state, so each request gets its
        # own; the document cache is this schema's and shared by all of them.
        extensions=[
            lambda: AddValidationRules(limits),
            lambda: DocumentGuard(documents, max_tokens),
            OperationNameRequired,
            lambda: CostLimit(documents, max_cost),
            MaskUnexpected,
            OperationObserver,  # after MaskUnexpected: it sees a bug before it is masked
            *([CountStatements] if count_statements else []),
        ],
    )


def printed_schema() -> str:
    return build_schema().as_str() + "\n"
