"""Every part of the public schema says what it is: types, fields, arguments, input fields and
enum values. A client developer reads these in GraphiQL and in docs/api.md."""

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
)

from schema import build_schema

BUILT_IN_SCALARS = {"String", "Int", "Float", "Boolean", "ID"}


def undescribed(schema: GraphQLSchema) -> list[str]:
    """Every named part without a description, as `Type`, `Type.field`, `Type.field(arg)` or
    `Enum.VALUE`."""
    missing: list[str] = []
    for name, kind in sorted(schema.type_map.items()):
        if name.startswith("__") or name in BUILT_IN_SCALARS:
            continue
        if not (kind.description or "").strip():
            missing.append(name)
        if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in kind.fields.items():
                if not (field.description or "").strip():
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in field.args.items():
                    if not (arg.description or "").strip():
                        missing.append(f"{name}.{field_name}({arg_name})")
        elif isinstance(kind, GraphQLInputObjectType):
            for field_name, input_field in kind.fields.items():
                if not (input_field.description or "").strip():
                    missing.append(f"{name}.{field_name}")
        elif isinstance(kind, GraphQLEnumType):
            for value_name, value in kind.values.items():
                if not (value.description or "").strip():
                    missing.append(f"{name}.{value_name}")
        elif isinstance(kind, GraphQLUnionType):
            pass  # its description is checked above; members are types of their own
    return missing


def test_every_type_field_argument_and_enum_value_is_described() -> None:
    missing = undescribed(build_schema()._schema)
    assert missing == [], (
        f"{len(missing)} parts of the schema have no description. Give each one "
        "(strawberry.type/field/argument/enum_value(description=...); for a domain enum, "
        "schema.types._domain_enum); staff-only fields begin with 'Staff only'. Missing:\n  "
        + "\n  ".join(missing)
    )


def test_the_check_sees_a_missing_description() -> None:
    from graphql import build_schema as parse_sdl

    sdl = '"A type." type Query { "A field." a(x: Int): Int b: Int } "E." enum E { "V." V W }'
    assert undescribed(parse_sdl(sdl)) == ["E.W", "Query.a(x)", "Query.b"]
