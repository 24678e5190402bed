"""The per-request GraphQL context and the application state it points to."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from db.types import Pool
from service.auth import Viewer
from service.config import Settings
from service.viewer_cache import ViewerCache

if TYPE_CHECKING:
    from service.events import EventBroker
    from service.loaders import Loaders
    from service.matching import Matcher
    from triage.engine import Triage


@dataclass
class AppState:
    """Everything the lifespan opens: one pool, one model, one event broker per process."""

    settings: Settings
    pool: Pool
    engine: Triage
    broker: EventBroker
    matcher: Matcher
    viewers: ViewerCache = field(default_factory=ViewerCache)


@dataclass
class Context:
    state: AppState
    viewer: Viewer | None
    # Batched reads of nested objects (service.loaders): one set per HTTP operation, or per
    # WebSocket connection without caching.
    loaders: Loaders
    # Filled in by strawberry from the WebSocket connection_init payload.
    connection_params: dict[str, Any] | None = None
    request: Any = None
    response: Any = None
    # WebSocket only: the account holding one of its per-account connection slots.
    socket_account_id: int | None = None
    # HTTP only: the locale of this operation's error messages, looked up once (resolvers.errors).
    message_locale: asyncio.Task[str] | None = None

    @property
    def pool(self) -> Pool:
        return self.state.pool
