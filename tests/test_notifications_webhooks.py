"""Webhooks: staff register endpoints; deliveries are signed as Standard Webhooks says, carry no
contact or request text unless the endpoint is trusted, are retried, parked after N failures,
and retried by staff. A real HTTP receiver and the real app."""

import base64
import hashlib
import hmac
from collections.abc import AsyncIterator
from dataclasses import replace

import asyncpg
import pytest

from service.config import Settings
from service.notifications.webhooks import url_problem
from tests.conftest import serve
from tests.flows import register_resident, submit
from tests.support import Api, eventually
from tests.webhook_receiver import Delivery, Receiver
from triage.engine import Triage

REGISTER = """
mutation($input: RegisterWebhookInput!) {
  registerWebhook(input: $input) { endpoint { id url kinds trusted } secret errors { path message code reason } }
}"""
ENDPOINTS = "{ webhookEndpoints { id url kinds trusted } }"
FAILED = """
{ failedNotifications { totalCount items { id kind channel status recipient attempts lastError } } }"""
RETRY = """
mutation($id: ID!) { retryNotification(id: $id) { notification { id status attempts } errors { code message } } }"""
EMERGENCY = "Con tôi sốt cao, co giật, không tỉnh. Cứu với!"


def verify(secret: str, delivery: Delivery) -> bool:
    """Standard Webhooks verification, written here from the specification."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    msg_id = delivery.headers["webhook-id"]
    timestamp = delivery.headers["webhook-timestamp"]
    signed = f"{msg_id}.{timestamp}.".encode() + delivery.body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    given = [s.split(",", 1)[1] for s in delivery.headers["webhook-signature"].split() if s.startswith("v1,")]
    return any(hmac.compare_digest(expected, g) for g in given)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with Receiver().running() as running:
        yield running


@pytest.fixture
async def hook_api(settings: Settings, triage_engine: Triage) -> AsyncIterator[Api]:
    local = replace(settings, webhook_allow_local_http=True, notify_retry_seconds=0.1, notify_max_attempts=3)
    async with serve(local, triage_engine) as base_url:
        client = Api(base_url)
        try:
            yield client
        finally:
            await client.close()


async def _register(api: Api, staff: str, url: str, kinds: list[str], trusted: bool = False) -> dict:
    data = await api.gql(REGISTER, {"input": {"url": url, "kinds": kinds, "trusted": trusted}}, staff)
    payload = data["registerWebhook"]
    assert payload["errors"] == [], payload
    return payload


async def test_signed_deliveries_without_private_words_unless_trusted(
    hook_api: Api, receiver: Receiver, staff_token: str
) -> None:
    plain = await _register(hook_api, staff_token, receiver.url("/plain"), ["EMERGENCY_RECEIVED"])
    trusted = await _register(hook_api, staff_token, receiver.url("/trusted"), ["EMERGENCY_RECEIVED"], True)
    assert plain["secret"].startswith("whsec_") and plain["secret"] != trusted["secret"]
    listed = (await hook_api.gql(ENDPOINTS, token=staff_token))["webhookEndpoints"]
    assert [e["url"] for e in listed] == [receiver.url("/plain"), receiver.url("/trusted")]

    resident, _ = await register_resident(hook_api, name="Minh", languages=["vi"])
    request = (await submit(hook_api, resident, EMERGENCY))["request"]
    await eventually(lambda: _count(receiver, 2))
    by_path = {d.path: d for d in receiver.deliveries}
    for path, secret in (("/plain", plain["secret"]), ("/trusted", trusted["secret"])):
        delivery = by_path[path]
        assert verify(secret, delivery), path
        assert not verify(trusted["secret"] if path == "/plain" else plain["secret"], delivery)
        assert delivery.headers["webhook-id"].startswith("msg_")
        assert delivery.json["type"] == "request.emergency"
        assert delivery.json["data"]["requestId"] == request["id"]
        assert delivery.json["data"]["urgency"] == "EMERGENCY"
    untrusted = by_path["/plain"].body.decode()
    assert (
        "sốt cao" not in untrusted and "minh@example.org" not in untrusted and "Katsushika" not in untrusted
    )
    assert by_path["/trusted"].json["data"]["text"] == EMERGENCY
    assert by_path["/trusted"].json["data"]["residentContact"] == "minh@example.org"
    # Two endpoints, two messages: different ids.
    assert by_path["/plain"].headers["webhook-id"] != by_path["/trusted"].headers["webhook-id"]


async def _count(receiver: Receiver, n: int) -> bool:
    return len(receiver.deliveries) >= n


def test_local_http_only_under_the_development_setting() -> None:
    assert url_problem("http://127.0.0.1:8080/hook", allow_local_http=True) is None
    assert url_problem("http://127.0.0.1:8080/hook", allow_local_http=False) is not None
    assert url_problem("http://localhost:8080/hook", allow_local_http=True) is not None
    assert url_problem("https://hooks.example.org/x", allow_local_http=False) is None


async def test_bad_endpoints_and_non_staff_are_refused(hook_api: Api, staff_token: str) -> None:
    for url, reason in (
        ("http://example.org/hook", "URL_NOT_HTTPS"),
        ("ftp://example.org/hook", "URL_NOT_HTTPS"),
        ("https://user:pw@example.org/hook", "URL_WITH_CREDENTIALS"),
        ("not a url", "URL_NOT_HTTPS"),
        ("https://example.org/" + "h" * 2000, "TOO_LONG"),
    ):
        data = await hook_api.gql(REGISTER, {"input": {"url": url, "kinds": ["OFFER_SENT"]}}, staff_token)
        payload = data["registerWebhook"]
        assert payload["secret"] is None and payload["endpoint"] is None
        assert [(e["path"], e["code"], e["reason"]) for e in payload["errors"]] == [
            (["input", "url"], "INVALID_INPUT", reason)
        ]
    empty = await hook_api.gql(
        REGISTER, {"input": {"url": "https://example.org/h", "kinds": []}}, staff_token
    )
    assert empty["registerWebhook"]["errors"][0]["path"] == ["input", "kinds"]
    resident, _ = await register_resident(hook_api)
    refused = await hook_api.gql(
        REGISTER, {"input": {"url": "https://example.org/h", "kinds": ["OFFER_SENT"]}}, resident
    )
    assert refused["registerWebhook"]["errors"][0]["code"] == "FORBIDDEN"
    denied = await hook_api.raw(ENDPOINTS, token=resident)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert (await hook_api.gql(ENDPOINTS, token=staff_token))["webhookEndpoints"] == []


async def test_failures_are_retried_then_parked_then_retried_by_staff(
    hook_api: Api, receiver: Receiver, staff_token: str, db: asyncpg.Connection
) -> None:
    await _register(hook_api, staff_token, receiver.url(), ["REQUEST_TRIAGED"])
    receiver.status = 500
    resident, _ = await register_resident(hook_api)
    await submit(hook_api, resident, "Tôi cần giúp điền giấy tờ ở phường")

    async def parked() -> dict | None:
        page = (await hook_api.gql(FAILED, token=staff_token))["failedNotifications"]
        return page if page["totalCount"] == 1 else None

    page = await eventually(parked)
    item = page["items"][0]
    assert item["kind"] == "REQUEST_TRIAGED" and item["channel"] == "WEBHOOK" and item["status"] == "PARKED"
    assert item["attempts"] == 3 and item["lastError"] == "webhook: HTTP 500"
    assert item["recipient"] == f"webhook {receiver.url()}"
    assert receiver.attempts == 3

    denied = await hook_api.gql(RETRY, {"id": item["id"]}, resident)
    assert denied["retryNotification"]["errors"][0]["code"] == "FORBIDDEN"
    receiver.status = 204
    retried = await hook_api.gql(RETRY, {"id": item["id"]}, staff_token)
    assert retried["retryNotification"]["errors"] == []
    await eventually(lambda: _count(receiver, 1))
    # (The resident's own email waits in the outbox: this server has no SMTP configured.)
    await eventually(
        lambda: db.fetchval("SELECT status = 'SENT' FROM notifications WHERE channel = 'WEBHOOK'")
    )
    assert (await hook_api.gql(FAILED, token=staff_token))["failedNotifications"]["totalCount"] == 0
    again = await hook_api.gql(RETRY, {"id": item["id"]}, staff_token)
    assert again["retryNotification"]["errors"][0]["code"] == "CONFLICT"
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE action = 'NOTIFICATION_RETRIED'") == 1
