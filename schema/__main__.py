"""`python -m schema` writes schema/schema.graphql, the printed schema that tests compare with."""

from schema import SCHEMA_FILE, printed_schema

SCHEMA_FILE.write_text(printed_schema())
print(f"wrote {SCHEMA_FILE}")
