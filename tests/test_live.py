"""Live updates over graphql-transport-ws, with real WebSocket clients and two server processes."""

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from service.config import Settings
from tests.conftest import REPO, free_port
from tests.flows import REVIEW, register_resident, register_volunteer, submit, verify, wait_triaged
from tests.support import Api, LiveClient, eventually

REQUEST_UPDATED = "subscription($id: ID!) { requestUpdated(id: $id) { kind at request { id status } } }"
QUEUE_UPDATED = "subscription { reviewQueueUpdated { kind request { id status } } }"
OFFER_RECEIVED = "subscription { offerReceived { id status request { id text } } }"


@contextlib.contextmanager
def second_server(db_url: str, data_dir: Path) -> Iterator[str]:
    """Another uvicorn process on the same database, without workers of its own."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "OTONARI_DATA_DIR": str(data_dir),
        "OTONARI_WORKERS": "0",
        "HF_HUB_OFFLINE": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "main.py", "serve", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


async def _healthy(base_url: str) -> bool:
    try:
        async with httpx.AsyncClient() as client:
            return (await client.get(base_url + "/healthz")).status_code == 200
    except httpx.HTTPError:
        return False


async def test_connection_init_must_carry_a_valid_token(api: Api) -> None:
    for token in (None, "oto_wrong"):
        with pytest.raises((AssertionError, websockets.ConnectionClosed)):
            await LiveClient.connect(api.base_url, token)


async def test_events_cross_processes_and_respect_visibility(
    api: Api, staff_token: str, db_url: str, settings: Settings, data_dir: Path
) -> None:
    resident, _ = await register_resident(api, languages=["vi"], area="Katsushika")
    other, _ = await register_resident(api, name="Other", languages=["en"])
    volunteer, volunteer_id = await register_volunteer(api)
    await verify(api, staff_token, volunteer_id)
    request = (await submit(api, resident, "Tôi cần người đi cùng đến bệnh viện để phiên dịch"))["request"]
    await wait_triaged(api, resident, request["id"])

    with second_server(db_url, data_dir) as remote_url:
        await eventually(lambda: _healthy(remote_url), timeout=120, interval=0.3)
        owner = await LiveClient.connect(remote_url, resident)
        staff = await LiveClient.connect(remote_url, staff_token)
        helper = await LiveClient.connect(remote_url, volunteer)
        stranger = await LiveClient.connect(remote_url, other)
        try:
            await owner.subscribe(REQUEST_UPDATED, {"id": request["id"]})
            await staff.subscribe(QUEUE_UPDATED)
            await helper.subscribe(OFFER_RECEIVED)
            await stranger.subscribe(REQUEST_UPDATED, {"id": request["id"]})
            refused = await stranger.next()
            assert refused["type"] == "error" or refused["payload"].get("errors"), refused

            # The mutation is handled by this process; the subscribers sit on the other one.
            reviewed = await api.gql(
                REVIEW, {"input": {"requestId": request["id"], "decision": "APPROVE"}}, staff_token
            )
            assert reviewed["reviewTriage"]["errors"] == []

            event = await owner.next()
            assert event["type"] == "next", event
            assert event["payload"]["data"]["requestUpdated"]["kind"] == "REVIEWED"
            queue_event = await staff.next()
            assert queue_event["payload"]["data"]["reviewQueueUpdated"]["kind"] == "REVIEWED"
            offer = (await helper.next())["payload"]["data"]["offerReceived"]
            assert offer["status"] == "PENDING" and offer["request"]["id"] == request["id"]
            assert offer["request"]["text"].startswith("Tôi cần")
            offered = (await owner.next())["payload"]["data"]["requestUpdated"]
            assert offered["kind"] == "OFFERED" and offered["request"]["status"] == "OPEN"
        finally:
            for client in (owner, staff, helper, stranger):
                await client.close()
