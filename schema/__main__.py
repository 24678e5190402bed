"""`python -m schema` writes schema/schema.graphql (the printed schema that tests compare with)
and docs/api.md (the reference generated from it); `python -m schema docs` writes only the docs."""

import sys

from schema import SCHEMA_FILE, printed_schema
from schema.docs import DOCS_FILE, api_docs

if sys.argv[1:] not in ([], ["docs"]):
    sys.exit("usage: python -m schema [docs]")
if not sys.argv[1:]:
    SCHEMA_FILE.write_text(printed_schema())
    print(f"wrote {SCHEMA_FILE}")
DOCS_FILE.write_text(api_docs())
print(f"wrote {DOCS_FILE}")
