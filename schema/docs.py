"""docs/api.md, written from the served schema and the examples in schema/examples/.

Every type, field, argument and enum value comes with its description (tests/test_schema_descriptions.py
keeps them there); each mutation comes with an example document and its variables, which
tests/test_api_examples.py runs against a real server."""

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    Undefined,
    ast_from_value,
    print_ast,
)

from service import cost

ROOT = Path(__file__).resolve().parents[1]
DOCS_FILE = ROOT / "docs" / "api.md"
EXAMPLES_DIR = Path(__file__).parent / "examples"
BUILT_IN_SCALARS = {"String", "Int", "Float", "Boolean", "ID"}
_HEADER = re.compile(r"^#\s*(\w+):\s*(.*)$")


@dataclass(frozen=True)
class Example:
    """One example operation: schema/examples/<field>.graphql, its variables in <field>.json.
    Header comments say who runs it (`# as: resident|volunteer|staff|anyone`) and, with
    `# expect: ok`, that it succeeds on a fresh database (no payload errors); `# fresh: account`:
    it ends its account (eraseMe), so the test runs it as a new one."""

    field: str
    document: str
    variables: dict[str, Any]
    headers: dict[str, str]

    @property
    def role(self) -> str:
        return self.headers.get("as", "anyone")

    @property
    def expects_success(self) -> bool:
        return self.headers.get("expect") == "ok"

    @property
    def body(self) -> str:
        """The document without its header comments."""
        lines = self.document.strip().splitlines()
        while lines and _HEADER.match(lines[0]):
            lines.pop(0)
        return "\n".join(lines).strip()


def load_examples() -> dict[str, Example]:
    found: dict[str, Example] = {}
    for path in sorted(EXAMPLES_DIR.glob("*.graphql")):
        document = path.read_text()
        headers: dict[str, str] = {}
        for line in document.splitlines():
            match = _HEADER.match(line)
            if not match:
                break
            headers[match.group(1)] = match.group(2).strip()
        variables_file = path.with_suffix(".json")
        variables = json.loads(variables_file.read_text()) if variables_file.exists() else {}
        found[path.stem] = Example(path.stem, document, variables, headers)
    return found


def _describe(text: str | None) -> str:
    return (text or "").strip()


def _cell(text: str | None) -> str:
    return _describe(text).replace("|", "\\|").replace("\n", " ")


def _type_link(type_: Any) -> str:
    """`[Offer!]!` with the named type linked to its section."""
    printed = str(type_)
    name = re.sub(r"[\[\]!]", "", printed)
    if name in BUILT_IN_SCALARS:
        return f"`{printed}`"
    return f"[`{printed}`](#{name.lower()})"


def _default(arg: GraphQLArgument | GraphQLInputField) -> str:
    if arg.default_value is Undefined:
        return ""
    node = ast_from_value(arg.default_value, arg.type)
    return f"`{print_ast(node)}`" if node is not None else ""


def _arguments(args: dict[str, GraphQLArgument]) -> list[str]:
    if not args:
        return []
    rows = ["| argument | type | default | description |", "| --- | --- | --- | --- |"]
    for name, arg in args.items():
        rows.append(f"| `{name}` | {_type_link(arg.type)} | {_default(arg)} | {_cell(arg.description)} |")
    return [*rows, ""]


def _signature(name: str, field: GraphQLField) -> str:
    args = ", ".join(f"{a}: {t.type}" for a, t in field.args.items())
    return f"{name}({args}): {field.type}" if args else f"{name}: {field.type}"


def _operation(kind: str, name: str, field: GraphQLField, example: Example | None) -> list[str]:
    # "query `node`": an anchor of its own (#query-node), apart from the type Node (#node).
    heading = f"### {kind} `{name}`"
    lines = [heading, "", f"`{_signature(name, field)}`", "", _describe(field.description), ""]
    lines += _arguments(field.args)
    lines.append(f"Returns {_type_link(field.type)}.")
    lines.append("")
    if example is not None:
        who = {"anyone": "anyone, no token"}.get(example.role, f"a {example.role}'s token")
        lines += [f"Example (as {who}):", "", "```graphql", example.body, "```", ""]
        if example.variables:
            variables = json.dumps(example.variables, indent=2, ensure_ascii=False)
            lines += ["Variables:", "", "```json", variables, "```", ""]
    return lines


def _fields_table(kind: GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType) -> list[str]:
    rows = ["| field | type | description |", "| --- | --- | --- |"]
    for name, field in kind.fields.items():
        text = _cell(field.description)
        if isinstance(field, GraphQLInputField) and _default(field):
            text += f" Default {_default(field)}."
        if isinstance(field, GraphQLField) and field.args:
            args = "; ".join(
                f"`{a}: {arg.type}`{' = ' + _default(arg) if _default(arg) else ''} {_cell(arg.description)}"
                for a, arg in field.args.items()
            )
            text += f" Arguments: {args}"
        rows.append(f"| `{name}` | {_type_link(field.type)} | {text} |")
    return [*rows, ""]


def _named_type(kind: GraphQLNamedType) -> list[str]:
    lines = [f"### {kind.name}", "", _describe(kind.description), ""]
    if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType):
        if kind.interfaces:
            lines += ["Implements " + ", ".join(_type_link(i) for i in kind.interfaces) + ".", ""]
        lines += _fields_table(kind)
    elif isinstance(kind, GraphQLInputObjectType):
        lines += _fields_table(kind)
    elif isinstance(kind, GraphQLEnumType):
        lines += ["| value | description |", "| --- | --- |"]
        lines += [f"| `{name}` | {_cell(value.description)} |" for name, value in kind.values.items()]
        lines.append("")
    elif isinstance(kind, GraphQLUnionType):
        lines += ["One of " + ", ".join(_type_link(t) for t in kind.types) + ".", ""]
    return lines


def _section(title: str, kinds: list[GraphQLNamedType]) -> list[str]:
    if not kinds:
        return []
    lines = [f"## {title}", ""]
    for kind in kinds:
        lines += _named_type(kind)
    return lines


INTRO = """\
# Spot Otonari-san GraphQL API

<!-- Generated by `python -m schema` from the served schema and schema/examples/: do not edit. -->

One endpoint, `/graphql`: queries and mutations by HTTP POST (JSON), subscriptions over WebSocket
(`graphql-transport-ws`). Send `Authorization: Bearer <token>`; a token comes from
`registerResident` or `registerVolunteer` (shown once), staff tokens from the CLI. The committed
SDL is `schema/schema.graphql`; the README explains limits and how to start.

**Errors.** A mutation that refuses its input changes nothing and returns `errors: [UserError!]!`
in its payload: `path` (the input field at fault), `code` (a coarse class), `reason` (the exact
reason: see ErrorReason, which lists each one's `params`), `limit` (the bound of TOO_LONG, TOO_MANY
and AT_CAPACITY), and `message` for a person to read, in their language (`messageLanguage`: the
viewer's notificationLanguage, else their first language with messages, else the request's
`Accept-Language`, else English). Branch on `reason`, or on `code` for a reason added later.
Requests that cannot run at all (no valid token on a query, malformed documents, limits) get the
top-level GraphQL `errors` with `extensions.code` (in English); a query field's refusal (a role
that may not, a bad cursor or ID) also carries `extensions.reason`.
"""

_SIZES = ", ".join(f"`{name}` {size}" for name, size in cost.LIST_SIZES.items())
COST = f"""\
**Cost.** Before a query or mutation runs, its cost is counted from the document: an object
field {cost.OBJECT_COST}, a connection {cost.CONNECTION_COST}, a leaf 0, and a list multiplies the cost of
each item by how many it can return: the page size (`first`/`last`, else the argument's
default, at most 100), or for a list without one {cost.DEFAULT_LIST_SIZE} ({_SIZES}).
Over the server's limit (`OTONARI_MAX_QUERY_COST`, 1000 by default) nothing runs: the error has
`extensions.code` `{cost.TOO_COMPLEX}` with the `cost` and the `limit`. Every costed response says
what it cost in `extensions.cost {{requested, limit}}`. Introspection costs nothing.
"""


def render(schema: GraphQLSchema, examples: dict[str, Example]) -> str:
    lines = [INTRO, COST]
    roots = [
        ("Queries", "query", schema.query_type),
        ("Mutations", "mutation", schema.mutation_type),
        ("Subscriptions", "subscription", schema.subscription_type),
    ]
    for title, kind, root in roots:
        if root is None:
            continue
        lines += [f"## {title}", "", _describe(root.description), ""]
        for name, field in root.fields.items():
            lines += _operation(kind, name, field, examples.get(name) if kind == "mutation" else None)
    root_names = {r.name for _, _, r in roots if r is not None}
    named = [
        t
        for name, t in sorted(schema.type_map.items())
        if not name.startswith("__") and name not in BUILT_IN_SCALARS and name not in root_names
    ]
    lines += _section("Objects", [t for t in named if isinstance(t, GraphQLObjectType)])
    lines += _section("Interfaces", [t for t in named if isinstance(t, GraphQLInterfaceType)])
    lines += _section("Unions", [t for t in named if isinstance(t, GraphQLUnionType)])
    lines += _section("Inputs", [t for t in named if isinstance(t, GraphQLInputObjectType)])
    lines += _section("Enums", [t for t in named if isinstance(t, GraphQLEnumType)])
    lines += _section("Scalars", [t for t in named if isinstance(t, GraphQLScalarType)])
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).rstrip() + "\n"


def api_docs() -> str:
    from schema import build_schema

    return render(build_schema()._schema, load_examples())
