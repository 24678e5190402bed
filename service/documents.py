"""GraphQL documents: bounded before they are parsed, checked cheaply before they are validated,
and cached within a byte budget.

graphql-core's validation runs every rule in one pass, so a cheap rule that refuses a document
does not spare the expensive ones: OverlappingFieldsCanBeMerged compares every pair of fields
sharing a response name, recursively, and `{ a { a { id } a { id } } a { ... } }` grows as the
square of its size (1,800 tokens of it took 229 ms). So the shapes that make validation
expensive are refused before it, in one linear walk (`shape_problems`):

- a field with a selection repeated in one selection set (inline fragments count as the same
  set; merge the selections instead), or a leaf field more than MAX_LEAF_REPEATS times;
- a directive repeated on one node, or more than MAX_DIRECTIVES on one node;
- more than MAX_FRAGMENTS fragment definitions (spreads of distinct fragments compare pairwise).

Parsing itself is bounded by a token limit (graphql-core stops counting at the limit). The
cache keeps a document's parse and validation result keyed by its text, and only documents up
to MAX_CACHED_BYTES, within CACHE_BYTES of text and CACHE_TOKENS of parsed tokens in all: a
parsed document weighs ~600 bytes per token (~100x its text, more for dense text), so a cache
counted in entries (strawberry's) could hold gigabytes of large ones; this one holds ~25 MB at
most, and ~500 typical documents of ~100 tokens.
"""

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DirectiveNode,
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    InlineFragmentNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableDefinitionNode,
)
from strawberry.extensions import SchemaExtension

MAX_LEAF_REPEATS = 3
MAX_DIRECTIVES = 4
MAX_FRAGMENTS = 32
MAX_CACHED_BYTES = 8 * 1024
CACHE_BYTES = 512 * 1024
CACHE_TOKENS = 40_000
_PARSER_GAVE_UP = "tokens. Parsing aborted"  # graphql-core's message when max_tokens is reached

# extensions.code of each refusal.
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
INVALID_VARIABLES = "INVALID_INPUT"
TOO_MANY_TOKENS = "QUERY_TOO_LARGE"
DUPLICATE_FIELD = "DUPLICATE_FIELD"
REPEATED_DIRECTIVE = "REPEATED_DIRECTIVE"
TOO_MANY_FRAGMENTS = "TOO_MANY_FRAGMENTS"
OPERATION_NAME_REQUIRED = "OPERATION_NAME_REQUIRED"


@dataclass(frozen=True)
class Checked:
    document: DocumentNode
    errors: tuple[GraphQLError, ...]
    # Per operation name: its cost plan (service.cost), made on first use.
    plans: dict[str | None, Any] = field(default_factory=dict, compare=False)

    @property
    def tokens(self) -> int:
        """Tokens of the parsed document (what its memory grows with), 1 without locations."""
        loc = self.document.loc
        token = loc.start_token if loc is not None else None
        count = 0
        while token is not None:
            count += 1
            token = token.next
        return max(1, count)


class DocumentCache:
    """Least recently used, bounded by the total length of the cached texts and by their
    total number of parsed tokens."""

    def __init__(
        self, budget: int = CACHE_BYTES, max_entry: int = MAX_CACHED_BYTES, token_budget: int = CACHE_TOKENS
    ) -> None:
        self.budget = budget
        self.max_entry = max_entry
        self.token_budget = token_budget
        self.size = 0
        self.tokens = 0
        self._entries: OrderedDict[str, tuple[Checked, int]] = OrderedDict()

    def get(self, text: str) -> Checked | None:
        found = self._entries.get(text)
        if found is None:
            return None
        self._entries.move_to_end(text)
        return found[0]

    def put(self, text: str, checked: Checked) -> None:
        if len(text) > self.max_entry or text in self._entries:
            return
        tokens = checked.tokens
        self._entries[text] = (checked, tokens)
        self.size += len(text)
        self.tokens += tokens
        while self.size > self.budget or self.tokens > self.token_budget:
            evicted, (_, evicted_tokens) = self._entries.popitem(last=False)
            self.size -= len(evicted)
            self.tokens -= evicted_tokens

    def __len__(self) -> int:
        return len(self._entries)


def shape_problems(document: DocumentNode) -> list[GraphQLError]:
    """The first problem of each kind that makes validation expensive (see the module doc)."""
    fragments = [d for d in document.definitions if isinstance(d, FragmentDefinitionNode)]
    if len(fragments) > MAX_FRAGMENTS:
        return [
            GraphQLError(
                f"at most {MAX_FRAGMENTS} fragment definitions in one document",
                fragments[MAX_FRAGMENTS],
                extensions={"code": TOO_MANY_FRAGMENTS},
            )
        ]
    for node in _nodes(document):
        directives = getattr(node, "directives", None)
        if directives:
            problem = _directive_problem(directives)
            if problem is not None:
                return [problem]
        if isinstance(node, (OperationDefinitionNode, FragmentDefinitionNode, FieldNode)):
            selection_set = node.selection_set
            if selection_set is not None:
                problem = _repeat_problem(selection_set)
                if problem is not None:
                    return [problem]
    return []


def _nodes(document: DocumentNode) -> Iterator[Node]:
    """Definitions, fields and inline fragments, iteratively (documents can be deep)."""
    stack: list[Node] = list(document.definitions)
    while stack:
        node = stack.pop()
        yield node
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)


def _directive_problem(directives: Sequence[DirectiveNode]) -> GraphQLError | None:
    if len(directives) > MAX_DIRECTIVES:
        return GraphQLError(
            f"at most {MAX_DIRECTIVES} directives on one field or fragment",
            directives[MAX_DIRECTIVES],
            extensions={"code": REPEATED_DIRECTIVE},
        )
    seen: set[str] = set()
    for directive in directives:
        if directive.name.value in seen:
            return GraphQLError(
                f"directive @{directive.name.value} is repeated",
                directive,
                extensions={"code": REPEATED_DIRECTIVE},
            )
        seen.add(directive.name.value)
    return None


def _repeat_problem(selection_set: SelectionSetNode) -> GraphQLError | None:
    """Repeated response keys in one selection set, inline fragments flattened into it."""
    leaves: dict[str, int] = {}
    composites: set[str] = set()
    stack = list(selection_set.selections)
    while stack:
        selection = stack.pop()
        if isinstance(selection, InlineFragmentNode):
            stack.extend(selection.selection_set.selections)
            continue
        if not isinstance(selection, FieldNode):
            continue
        key = selection.alias.value if selection.alias else selection.name.value
        if selection.selection_set is not None:
            if key in composites:
                return GraphQLError(
                    f"field '{key}' is selected more than once here: merge its selections into one",
                    selection,
                    extensions={"code": DUPLICATE_FIELD},
                )
            composites.add(key)
            continue
        leaves[key] = leaves.get(key, 0) + 1
        if leaves[key] > MAX_LEAF_REPEATS:
            return GraphQLError(
                f"field '{key}' is selected more than {MAX_LEAF_REPEATS} times here",
                selection,
                extensions={"code": DUPLICATE_FIELD},
            )
    return None


class DocumentGuard(SchemaExtension):
    """Token limit, shape checks and the shared cache (one DocumentGuard per request, one cache
    per schema: build it with a factory closing over the cache)."""

    def __init__(self, cache: DocumentCache, max_tokens: int) -> None:
        super().__init__()
        self.cache = cache
        self.max_tokens = max_tokens
        self.hit: Checked | None = None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        self.hit = self.cache.get(query) if query else None
        if self.hit is not None:
            context.graphql_document = self.hit.document
        else:
            # strawberry parses (and reports syntax errors) itself, within the limit.
            context.parse_options["max_tokens"] = self.max_tokens
        yield
        if context.graphql_document is None:
            for error in context.pre_execution_errors or ():
                _set_code(error, TOO_MANY_TOKENS if _PARSER_GAVE_UP in error.message else PARSE_FAILED)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if self.hit is not None:
            context.pre_execution_errors = list(self.hit.errors)
            yield
            return
        document = context.graphql_document
        problems = shape_problems(document) if document is not None else []
        if problems:
            # Setting the errors here makes strawberry skip graphql-core's validation.
            context.pre_execution_errors = problems
        yield
        errors = tuple(context.pre_execution_errors or ())
        for error in errors:
            _set_code(error, VALIDATION_FAILED)
        if document is not None and context.query:
            self.cache.put(context.query, Checked(document, errors))


def code_execution_error(error: GraphQLError) -> None:
    """Variables that do not fit their declared types: graphql-core reports them at the
    variable's definition, before anything runs, without a code. (Called from the schema's
    process_errors, which sees every execution error before it is sent or logged.)"""
    if error.nodes and all(isinstance(n, VariableDefinitionNode) for n in error.nodes):
        _set_code(error, INVALID_VARIABLES)


def _set_code(error: GraphQLError, code: str) -> None:
    """Give a parse or validation error a code, unless it has one (ours do)."""
    if not (error.extensions or {}).get("code"):
        error.extensions = {**(error.extensions or {}), "code": code}


class OperationNameRequired(SchemaExtension):
    """A document with several operations runs only the one `operationName` names: without
    it, strawberry would run the first one silently. graphql-core's own request error, refused
    before execution (over HTTP and WebSocket alike)."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        # strawberry keeps the name the client sent apart from the one it falls back to.
        if document is not None and context._provided_operation_name is None:
            operations = sum(isinstance(d, OperationDefinitionNode) for d in document.definitions)
            if operations > 1:
                error = GraphQLError(
                    "this document has several operations: say which one to run with operationName",
                    extensions={"code": OPERATION_NAME_REQUIRED},
                )
                # A result set here is what strawberry returns instead of executing.
                context.result = ExecutionResult(data=None, errors=[error])
        yield
