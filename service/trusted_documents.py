"""Trusted documents: the manifest of the GraphQL documents our own clients send, and the
command that builds it from the web app's operations.

The manifest (JSON) maps each document's SHA-256 (lower-case hex of its UTF-8 text) to the
document, exactly as the client sends it: web/src/shared/graphql.ts sends one operation of an
operations.graphql file followed by the fragments it reaches (in the order first reached), each
definition trimmed, joined by newlines. With OTONARI_TRUSTED_DOCUMENTS naming a manifest, the
server runs those documents only (service.persisted_documents).

    python -m service.trusted_documents build   # rewrite schema/trusted-documents.json
    python -m service.trusted_documents check   # exit 1 if it does not match web/src
"""

import json
import re
import sys
from pathlib import Path

from service.persisted_documents import document_hash

REPO = Path(__file__).resolve().parent.parent
MANIFEST = REPO / "schema" / "trusted-documents.json"
WEB_SRC = REPO / "web" / "src"
# The same patterns as web/src/shared/graphql.ts (Operations), so the texts match byte for byte.
_DEFINITION = re.compile(r"^(query|mutation|subscription|fragment)\s+(\w+)", re.MULTILINE)
_SPREAD = re.compile(r"\.\.\.\s*(\w+)")


def definitions(source: str) -> dict[str, str]:
    """Each named definition of an operations file, trimmed (as Operations' constructor)."""
    starts = list(_DEFINITION.finditer(source))
    found: dict[str, str] = {}
    for i, match in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(source)
        found[match.group(2)] = source[match.start() : end].strip()
    return found


def document(defined: dict[str, str], name: str) -> str:
    """One operation and the fragments it reaches (as Operations.get)."""
    needed: list[str] = []

    def visit(text: str) -> None:
        for spread in _SPREAD.finditer(text):
            fragment = spread.group(1)
            if fragment == "on" or fragment in needed:
                continue
            if fragment not in defined:
                raise ValueError(f"no fragment named {fragment}")
            needed.append(fragment)
            visit(defined[fragment])

    visit(defined[name])
    return "\n".join([defined[name], *(defined[f] for f in needed)])


def web_documents(root: Path = WEB_SRC) -> dict[str, str]:
    """Every operation the web app can send, by `file:name`."""
    found: dict[str, str] = {}
    for path in sorted(root.rglob("operations.graphql")):
        defined = definitions(path.read_text(encoding="utf-8"))
        for name, text in defined.items():
            if not text.startswith("fragment"):
                found[f"{path.relative_to(root)}:{name}"] = document(defined, name)
    return found


def build(root: Path = WEB_SRC) -> dict[str, str]:
    """The manifest: {sha256: document}, sorted by hash."""
    return dict(sorted((document_hash(text), text) for text in web_documents(root).values()))


def render(manifest: dict[str, str]) -> str:
    return json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"


def load(path: Path) -> dict[str, str]:
    """A manifest file, checked: a JSON object of documents under their own SHA-256."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"trusted documents manifest {path}: not readable JSON ({exc})") from None
    if not isinstance(data, dict) or not data:
        raise ValueError(
            f"trusted documents manifest {path}: expected a non-empty object {{sha256: document}}"
        )
    for key, text in data.items():
        if not isinstance(text, str) or document_hash(text) != key:
            raise ValueError(
                f"trusted documents manifest {path}: {key[:80]!r} is not the SHA-256 of its document"
            )
    return data


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command == "build":
        MANIFEST.write_text(render(build()), encoding="utf-8")
        print(f"wrote {MANIFEST.relative_to(REPO)} ({len(build())} documents)")
        return 0
    if command == "check":
        current = MANIFEST.read_text(encoding="utf-8") if MANIFEST.exists() else ""
        if current != render(build()):
            print(
                f"{MANIFEST.relative_to(REPO)} is out of date: run python -m service.trusted_documents build"
            )
            return 1
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
