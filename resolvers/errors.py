"""Refusals told in the reader's language (service.i18n): the locale is found once per request."""

import asyncio
from collections.abc import Coroutine
from typing import Any

from starlette.requests import Request

from service import i18n
from service.context import Context
from service.errors import ErrorReason, UserError


def _accept_language(request: Any) -> str | None:
    headers = getattr(request, "headers", None)  # an HTTP request or the WebSocket's handshake
    return headers.get("accept-language") if headers is not None else None


def _lookup(ctx: Context) -> Coroutine[Any, Any, str]:
    return i18n.viewer_locale(ctx.pool, ctx.viewer, _accept_language(ctx.request))


async def message_locale(ctx: Context) -> str:
    if not isinstance(ctx.request, Request):
        return await _lookup(ctx)  # a WebSocket's context lives as long as the connection: no cache
    if ctx.message_locale is None:
        # One lookup shared by every error of the response, even when resolved concurrently.
        ctx.message_locale = asyncio.ensure_future(_lookup(ctx))
    return await ctx.message_locale


async def error_locale(ctx: Context, error: UserError) -> str:
    if error.reason is ErrorReason.SERVICE_UNAVAILABLE:
        # The database did not answer: the viewer's languages cannot be read either.
        return i18n.choose_locale(None, (), resident=False, accept_language=_accept_language(ctx.request))
    return await message_locale(ctx)


async def message(ctx: Context, error: UserError) -> str:
    return i18n.message(error, await error_locale(ctx, error))
