"""A real HTTP receiver for webhook deliveries (uvicorn, in the test's event loop)."""

import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.conftest import free_port
from tests.support import uvicorn_running


@dataclass(frozen=True)
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        found: dict[str, Any] = json.loads(self.body)
        return found


class Receiver:
    def __init__(self) -> None:
        self.port = free_port()
        self.deliveries: list[Delivery] = []
        self.attempts = 0
        self.status = 204  # what it answers; set to 500 to fail

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def _hook(self, request: Request) -> Response:
        self.attempts += 1
        body = await request.body()
        if self.status >= 300:
            return Response(status_code=self.status)
        self.deliveries.append(Delivery(request.url.path, dict(request.headers), body))
        return Response(status_code=self.status)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator["Receiver"]:
        app = Starlette(routes=[Route("/{path:path}", self._hook, methods=["POST"])])
        async with uvicorn_running(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        ):
            yield self
