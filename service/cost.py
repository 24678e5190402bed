"""Query cost, computed before execution and refused over a budget (OTONARI_MAX_QUERY_COST).

Like Shopify's: an object field costs 1, a connection 2, a leaf 0; a list multiplies the cost of
each item by how many items it can return: the page size (`first`/`last`, else the argument's
default; at most MAX_PAGE, beyond which the resolver refuses anyway) for a paged field or the
first list inside a paged connection, else LIST_SIZES or DEFAULT_LIST_SIZE. Fragments count
every type condition (an over-estimate for abstract types). Introspection costs nothing: it is
served from memory.

The plan (which fields, which multipliers, which variables set them) is computed once per
document and operation and kept with the cached document (service.documents); a request only
evaluates it against its variables.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    is_list_type,
)
from graphql.type.definition import GraphQLField, GraphQLInterfaceType
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from service.documents import DocumentCache
from service.events import TIMELINE_LIMIT
from service.offers import MY_OFFERS_LIMIT
from service.validation import MAX_PAGE

TOO_COMPLEX = "QUERY_TOO_COMPLEX"
OBJECT_COST = 1
CONNECTION_COST = 2
# How many items a list without a page size is taken to hold.
DEFAULT_LIST_SIZE = 10
LIST_SIZES: Mapping[str, int] = {
    # A few pending at a time (OTONARI_OFFERS_PER_REQUEST), a few more over the request's life.
    "SupportRequest.offers": 5,
    # The fields' own bounds: a volunteer's latest offers, a request's timeline.
    "Query.myOffers": MY_OFFERS_LIMIT,
    "SupportRequest.events": TIMELINE_LIMIT,
}
PAGE_ARGUMENTS = ("first", "last")


@dataclass(frozen=True)
class Size:
    """A page size: a literal, or a variable (with what applies when it is null or absent)."""

    literal: int | None
    variable: str | None
    fallback: int
    # The variable holds a list (of IDs): its length is the size.
    length: bool = False

    def value(self, variables: Mapping[str, Any]) -> int:
        found = self.literal
        if self.variable is not None:
            raw = variables.get(self.variable)
            if self.length:
                found = len(raw) if isinstance(raw, list) else 1 if raw is not None else None
            else:
                found = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
        return max(0, min(MAX_PAGE, self.fallback if found is None else found))


@dataclass(frozen=True)
class Step:
    """One costed field: its own cost, how many times (None: once), what it selects."""

    weight: int
    sizes: tuple[Size, ...] | None
    children: tuple["Step", ...]

    def cost(self, variables: Mapping[str, Any]) -> int:
        inner = self.weight + sum(child.cost(variables) for child in self.children)
        if self.sizes is None:
            return inner
        return max(size.value(variables) for size in self.sizes) * inner


def plan(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None
) -> tuple[Step, ...] | None:
    """The cost plan of the operation a request runs; None when there is no such operation."""
    operation = None
    fragments: dict[str, FragmentDefinitionNode] = {}
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            fragments[definition.name.value] = definition
        elif isinstance(definition, OperationDefinitionNode) and (
            operation_name is None or (definition.name and definition.name.value == operation_name)
        ):
            operation = operation or definition
    if operation is None:
        return None
    root = schema.get_root_type(operation.operation)
    if root is None:
        return None
    defaults = {
        d.variable.name.value: int(d.default_value.value)
        for d in operation.variable_definitions or ()
        if isinstance(d.default_value, IntValueNode)
    }
    return _Planner(schema, fragments, defaults).selections(root, operation.selection_set, None)


class _Planner:
    def __init__(
        self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode], defaults: dict[str, int]
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.defaults = defaults

    def selections(
        self, parent: GraphQLNamedType, selection_set: SelectionSetNode, pending: tuple[Size, ...] | None
    ) -> tuple[Step, ...]:
        """Steps of a selection set; `pending`: a connection's page size, for its first list."""
        steps = []
        for owner, field in self._fields(parent, selection_set):
            step = self.field(owner, field, pending)
            if step is not None:
                steps.append(step)
        return tuple(steps)

    def _fields(
        self, parent: GraphQLNamedType, selection_set: SelectionSetNode, seen: frozenset[str] = frozenset()
    ) -> Iterator[tuple[GraphQLNamedType, FieldNode]]:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield parent, selection
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                owner = self.schema.get_type(condition.name.value) if condition else parent
                yield from self._fields(owner or parent, selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:  # validation refuses both before this runs
                    continue
                owner = self.schema.get_type(fragment.type_condition.name.value)
                yield from self._fields(owner or parent, fragment.selection_set, seen | {name})

    def field(
        self, owner: GraphQLNamedType, node: FieldNode, pending: tuple[Size, ...] | None
    ) -> Step | None:
        name = node.name.value
        if name.startswith("__") or not isinstance(owner, GraphQLObjectType | GraphQLInterfaceType):
            return None
        definition = owner.fields.get(name)
        if definition is None or node.selection_set is None:
            return None  # a leaf (or unknown: validation refused it)
        result = get_nullable_type(definition.type)
        named = get_named_type(definition.type)
        if not is_composite_type(named):
            return None
        page = self._page_sizes(definition, node)
        if is_list_type(result):
            sizes = page or pending or (self._list_size(owner.name, name),)
            children = self.selections(named, node.selection_set, None)
            return Step(OBJECT_COST, sizes, children)
        if page is not None:  # a connection: its page size applies to the list inside it
            return Step(CONNECTION_COST, None, self.selections(named, node.selection_set, page))
        return Step(OBJECT_COST, None, self.selections(named, node.selection_set, pending))

    def _page_sizes(self, definition: GraphQLField, node: FieldNode) -> tuple[Size, ...] | None:
        """A paged field's sizes (the largest applies): `first` and `last` as sent, else the
        default; a `last` alone wins over `first`'s default, as the resolvers read them. A
        list of `ids` is as long as it is."""
        given = {a.name.value: a.value for a in node.arguments or ()}
        if "ids" in definition.args:
            return (self._length(given.get("ids")),)
        declared = [a for a in PAGE_ARGUMENTS if a in definition.args]
        if not declared:
            return None
        defaults = [definition.args[a].default_value for a in declared]
        default = next((d for d in defaults if isinstance(d, int)), DEFAULT_LIST_SIZE)
        sent = [self._size(given[a], default) for a in declared if _sent(given.get(a))]
        return tuple(sent) or (Size(default, None, default),)

    def _size(self, value: ValueNode, default: int) -> Size:
        if isinstance(value, VariableNode):
            variable = value.name.value
            return Size(None, variable, self.defaults.get(variable, default))
        return Size(int(value.value) if isinstance(value, IntValueNode) else default, None, default)

    def _length(self, value: ValueNode | None) -> Size:
        if isinstance(value, ListValueNode):
            return Size(len(value.values), None, 0)
        if isinstance(value, VariableNode):
            return Size(None, value.name.value, MAX_PAGE, length=True)
        return Size(1, None, 1)  # one ID, coerced to a list of one

    @staticmethod
    def _list_size(owner: str, name: str) -> Size:
        size = LIST_SIZES.get(f"{owner}.{name}", DEFAULT_LIST_SIZE)
        return Size(size, None, size)


def _sent(value: ValueNode | None) -> bool:
    return value is not None and not isinstance(value, NullValueNode)


class CostLimit(SchemaExtension):
    """Refuses a query or mutation over the budget before it runs; every one it costs reports
    `extensions.cost {requested, limit}`."""

    def __init__(self, documents: DocumentCache, limit: int) -> None:
        super().__init__()
        self.documents = documents
        self.limit = limit
        self.requested: int | None = None

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        refused = context.result is not None  # by an extension before this one
        if document is not None and not refused and context.operation_type is not OperationType.SUBSCRIPTION:
            steps = self._plan(document)
            if steps is not None:
                variables = context.variables or {}
                self.requested = sum(step.cost(variables) for step in steps)
                if self.requested > self.limit:
                    error = GraphQLError(
                        f"this query would cost {self.requested}, over the limit of {self.limit}: "
                        "ask for smaller pages (first/last) or fewer nested lists",
                        extensions={"code": TOO_COMPLEX, "cost": self.requested, "limit": self.limit},
                    )
                    # A result set here is what strawberry returns instead of executing.
                    context.result = ExecutionResult(data=None, errors=[error])
        yield

    def _plan(self, document: DocumentNode) -> tuple[Step, ...] | None:
        context = self.execution_context
        name = context.operation_name
        checked = self.documents.get(context.query) if context.query else None
        if checked is not None and name in checked.plans:
            found: tuple[Step, ...] | None = checked.plans[name]
            return found
        steps = plan(context.schema._schema, document, name)
        if checked is not None:
            checked.plans[name] = steps
        return steps

    def get_results(self) -> dict[str, Any]:
        if self.requested is None:
            return {}
        return {"cost": {"requested": self.requested, "limit": self.limit}}
