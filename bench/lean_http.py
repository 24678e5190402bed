"""A lean HTTP/1.1 keep-alive client for load generators: POST JSON, read the answer.

The soak bench drives two API processes from one Python process on the same cores. Profiled
(py-spy, 100 operations/s) it spent 82% of its process in httpx: connection-pool bookkeeping,
URL objects, and a failed `import sniffio` (a file-system lookup) on every request. A load
generator that takes a core away from the servers measures itself; this client does only what
the bench needs: one base URL, JSON bodies, Content-Length or chunked answers, a bounded pool
of kept-alive connections.
"""

import asyncio
import contextlib
import json
from collections import deque
from typing import Any
from urllib.parse import urlsplit


class LeanHTTPError(Exception):
    """The connection failed or the answer was not HTTP/1.1 as expected."""


class Response:
    def __init__(self, status_code: int, body: bytes) -> None:
        self.status_code = status_code
        self.content = body

    def json(self) -> Any:
        return json.loads(self.content)


_Conn = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class LeanClient:
    """POSTs to one server, with `headers` on every request and at most `connections` at once."""

    def __init__(
        self,
        base_url: str,
        headers: dict[str, str] | None = None,
        connections: int = 10,
        timeout: float = 60.0,
    ) -> None:
        url = urlsplit(base_url)
        self.host = url.hostname or "127.0.0.1"
        self.port = url.port or 80
        extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self._head = f"Host: {self.host}:{self.port}\r\nContent-Type: application/json\r\n{extra}"
        self.timeout = timeout
        self._idle: deque[_Conn] = deque()
        self._slots = asyncio.Semaphore(connections)

    async def post(self, path: str, json_body: Any) -> Response:
        body = json.dumps(json_body).encode()
        request = (
            f"POST {path} HTTP/1.1\r\n{self._head}Content-Length: {len(body)}\r\n\r\n".encode("latin-1")
            + body
        )
        async with self._slots:
            while self._idle:  # a kept-alive connection the server may have closed meanwhile
                conn = self._idle.pop()
                try:
                    return await asyncio.wait_for(self._exchange(conn, request, reused=True), self.timeout)
                except _StaleConnection:
                    continue
            conn = await asyncio.wait_for(asyncio.open_connection(self.host, self.port), self.timeout)
            return await asyncio.wait_for(self._exchange(conn, request, reused=False), self.timeout)

    async def _exchange(self, conn: _Conn, request: bytes, *, reused: bool) -> Response:
        reader, writer = conn
        try:
            writer.write(request)
            await writer.drain()
            try:
                status_line = await reader.readline()
            except ConnectionError:
                status_line = b""
            if not status_line:
                _close(writer)
                if reused:  # closed while idle: nothing was read, send it on a fresh one
                    raise _StaleConnection
                raise LeanHTTPError("connection closed before an answer")
            parts = status_line.split(b" ", 2)
            if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
                raise LeanHTTPError(f"not an HTTP answer: {status_line[:80]!r}")
            status = int(parts[1])
            length: int | None = None
            chunked = False
            keep_alive = True
            while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"transfer-encoding" and b"chunked" in value.lower():
                    chunked = True
                elif name == b"connection" and b"close" in value.lower():
                    keep_alive = False
            if chunked:
                body = await _read_chunked(reader)
            elif length is not None:
                body = await reader.readexactly(length)
            else:
                body = await reader.read()
                keep_alive = False
        except _StaleConnection:
            raise
        except (OSError, asyncio.IncompleteReadError, ValueError) as error:
            _close(writer)
            raise LeanHTTPError(f"{type(error).__name__}: {error}") from error
        except BaseException:
            _close(writer)
            raise
        if keep_alive:
            self._idle.append(conn)
        else:
            _close(writer)
        return Response(status, body)

    async def aclose(self) -> None:
        while self._idle:
            _close(self._idle.pop()[1])


class _StaleConnection(Exception):
    pass


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    while True:
        size = int((await reader.readline()).split(b";")[0], 16)
        if size == 0:
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass
            return b"".join(chunks)
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)


def _close(writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(Exception):
        writer.close()
