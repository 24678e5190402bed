"""Persisted documents: Apollo's automatic persisted queries (APQ) and trusted documents.

**APQ.** A client sends `extensions.persistedQuery = {version: 1, sha256Hash}` instead of the
document. A hash this process knows runs its document; an unknown one is the request error
`PERSISTED_QUERY_NOT_FOUND` (message `PersistedQueryNotFound`, as Apollo's clients expect), and
the client sends the hash again with the document: the hash is checked against it (a mismatch
is `PERSISTED_QUERY_HASH_MISMATCH`), the document runs, and, if it parsed and validated, it is
remembered. Works over GET too (`?extensions=…`, the point of it: short, cacheable URLs).
Remembered documents live in each process, in a least-recently-used cache bounded by their
total length (APQ_CACHE_BYTES): a client that reaches another process, or the same one after a
restart, gets `PERSISTED_QUERY_NOT_FOUND` once more and sends the document again, which is the
protocol's normal path. That is simpler than a table, and nothing is lost by forgetting.

**Trusted documents** (`OTONARI_TRUSTED_DOCUMENTS`: a manifest `{sha256: document}` made by
`python -m service.trusted_documents build`): only the manifest's documents run, whether sent
by hash alone or in full (the web app sends them in full); APQ registration is off; any other
document is `DOCUMENT_NOT_TRUSTED`, over HTTP and WebSocket alike.
"""

import hashlib
import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from service.wire import RequestErrorCode

APQ_CACHE_BYTES = 2 * 1024 * 1024
APQ_MAX_DOCUMENT_BYTES = 64 * 1024
APQ_VERSION = 1
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")

# extensions.code of each refusal.
NOT_FOUND = RequestErrorCode.PERSISTED_QUERY_NOT_FOUND.value
HASH_MISMATCH = RequestErrorCode.PERSISTED_QUERY_HASH_MISMATCH.value
NOT_TRUSTED = RequestErrorCode.DOCUMENT_NOT_TRUSTED.value
BAD_PERSISTED_QUERY = RequestErrorCode.BAD_REQUEST.value


def document_hash(document: str) -> str:
    """The key of a document: SHA-256 of its UTF-8 text, in lower-case hex (as APQ clients send)."""
    return hashlib.sha256(document.encode()).hexdigest()


class DocumentRefused(Exception):
    """The request names a document this server will not run.

    `request_error`: a GraphQL request error of a well-formed request (a legacy application/json
    client gets it with a 200, as any other GraphQL error); else the request itself is malformed."""

    def __init__(self, code: str, message: str, status: int, *, request_error: bool) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.request_error = request_error


@dataclass(frozen=True)
class Resolved:
    """The document to run, and the hash to remember it under once it has run (APQ)."""

    query: str | None
    register_as: str | None = None


class PersistedDocuments:
    """APQ's per-process cache, or (trusted mode) the manifest; one per app."""

    def __init__(
        self,
        trusted: Mapping[str, str] | None = None,
        *,
        cache_bytes: int = APQ_CACHE_BYTES,
        max_document_bytes: int = APQ_MAX_DOCUMENT_BYTES,
    ) -> None:
        self.trusted = dict(trusted) if trusted is not None else None
        self.cache_bytes = cache_bytes
        self.max_document_bytes = max_document_bytes
        self.size = 0
        self._cache: OrderedDict[str, str] = OrderedDict()

    @property
    def trusted_only(self) -> bool:
        return self.trusted is not None

    def resolve(self, query: str | None, extensions: Mapping[str, Any] | None) -> Resolved:
        """The document a request asks to run (DocumentRefused if it may not)."""
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is None:
            if query is not None and self.trusted is not None and document_hash(query) not in self.trusted:
                raise _not_trusted()
            return Resolved(query)
        sha = _checked_hash(persisted)
        if query is None:
            known = self.trusted.get(sha) if self.trusted is not None else self._lookup(sha)
            if known is None:
                raise DocumentRefused(NOT_FOUND, "PersistedQueryNotFound", 400, request_error=True)
            return Resolved(known)
        if document_hash(query) != sha:
            raise DocumentRefused(
                HASH_MISMATCH,
                "extensions.persistedQuery.sha256Hash is not the SHA-256 of the query sent with it",
                400,
                request_error=False,
            )
        if self.trusted is not None:
            if sha not in self.trusted:
                raise _not_trusted()
            return Resolved(query)
        return Resolved(query, register_as=sha)

    def remember(self, resolved: Resolved) -> None:
        """Keep a document that ran under its hash (APQ registration), within the byte budget."""
        sha, query = resolved.register_as, resolved.query
        if sha is None or query is None or sha in self._cache or len(query) > self.max_document_bytes:
            return
        self._cache[sha] = query
        self.size += len(query)
        while self.size > self.cache_bytes:
            _, evicted = self._cache.popitem(last=False)
            self.size -= len(evicted)

    def _lookup(self, sha: str) -> str | None:
        found = self._cache.get(sha)
        if found is not None:
            self._cache.move_to_end(sha)
        return found

    def __len__(self) -> int:
        return len(self._cache)


def _checked_hash(persisted: Any) -> str:
    if not isinstance(persisted, Mapping):
        raise _bad("extensions.persistedQuery must be an object {version: 1, sha256Hash}")
    if persisted.get("version") != APQ_VERSION:
        raise _bad(f"extensions.persistedQuery.version must be {APQ_VERSION}")
    sha = persisted.get("sha256Hash")
    if not isinstance(sha, str) or not _SHA256_HEX.fullmatch(sha.lower()):
        raise _bad("extensions.persistedQuery.sha256Hash must be 64 hexadecimal digits (SHA-256)")
    return sha.lower()


def _bad(message: str) -> DocumentRefused:
    return DocumentRefused(BAD_PERSISTED_QUERY, message, 400, request_error=False)


def _not_trusted() -> DocumentRefused:
    return DocumentRefused(
        NOT_TRUSTED,
        "this server runs only its trusted documents: send one of them (or its sha256Hash in "
        "extensions.persistedQuery)",
        403,
        request_error=True,
    )
