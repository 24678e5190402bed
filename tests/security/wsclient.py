"""A raw graphql-transport-ws connection for hostile messages (tests.support.LiveClient speaks
only well-formed ones)."""

import asyncio
import json
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection


async def open_socket(base_url: str, token: str | None) -> ClientConnection:
    """Connected and acknowledged (or closed by the server, for the caller to inspect)."""
    ws = await websockets.connect(
        base_url.replace("http", "ws", 1) + "/graphql",
        subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
        max_size=None,
    )
    payload = {"authorization": f"Bearer {token}"} if token else {}
    await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
    return ws


async def acked(base_url: str, token: str) -> ClientConnection:
    ws = await open_socket(base_url, token)
    ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
    assert ack["type"] == "connection_ack", ack
    return ws


async def receive(ws: ClientConnection, timeout: float = 10) -> dict[str, Any]:
    while True:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if message["type"] == "ping":
            await ws.send(json.dumps({"type": "pong"}))
            continue
        return message


async def closed_with(ws: ClientConnection, timeout: float = 10) -> tuple[int | None, str]:
    """The close code and reason the server sent (waits for the close)."""
    try:
        while True:
            await asyncio.wait_for(ws.recv(), timeout)
    except websockets.ConnectionClosed as closed:
        if closed.rcvd is None:
            return None, ""
        return closed.rcvd.code, closed.rcvd.reason
    raise AssertionError("unreachable")


async def still_answers(ws: ClientConnection) -> bool:
    """The connection is usable: a ping gets its pong."""
    await ws.send(json.dumps({"type": "ping"}))
    return (await receive(ws))["type"] == "pong"
