"""/metrics, /livez, /readyz and the request log, over real HTTP and WebSocket, with a second
server process: process figures are each process's own, queue figures come from PostgreSQL."""

import asyncio
import json
import os
import subprocess
import sys
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from service.config import Settings
from service.metrics import OperationNames
from tests.conftest import REPO, free_port, serve
from tests.flows import register_resident, submit, wait_triaged
from tests.security.scenario import EMERGENCY_A, RESPOND, approved_with_offers
from tests.support import Api, LiveClient, eventually, server_process
from triage.engine import Triage

# Every family the issue names, with its type (the deploy/ rules and dashboard use these too).
FAMILIES = {
    "otonari_graphql_operation_seconds": "histogram",
    "otonari_triage_jobs_pending": "gauge",
    "otonari_triage_job_age_seconds": "gauge",
    "otonari_triage_seconds": "histogram",
    "otonari_time_to_triage_seconds": "histogram",
    "otonari_time_to_offer_seconds": "histogram",
    "otonari_offers": "counter",
    "otonari_subscriptions_active": "gauge",
    "otonari_events_delivered": "counter",
    "otonari_rate_limited": "counter",
    "otonari_emergency_unreviewed_age_seconds": "gauge",
    "otonari_http_responses": "counter",
    "otonari_graphql_internal_errors": "counter",
}


class Scrape:
    def __init__(self, text: str) -> None:
        self.text = text
        self.families = {f.name: f for f in text_string_to_metric_families(text)}

    def value(self, sample_name: str, /, **labels: str) -> float:
        """A sample's value (0 when absent: a labelled series not yet seen)."""
        for family in self.families.values():
            for sample in family.samples:
                if sample.name == sample_name and all(sample.labels.get(k) == v for k, v in labels.items()):
                    return float(sample.value)
        return 0.0

    def labels(self, sample_name: str, label: str) -> set[str]:
        return {
            s.labels[label]
            for f in self.families.values()
            for s in f.samples
            if s.name == sample_name and label in s.labels
        }


async def scrape(base_url: str, headers: dict[str, str] | None = None) -> Scrape:
    async with httpx.AsyncClient() as client:
        response = await client.get(base_url + "/metrics", headers=headers or {})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return Scrape(response.text)


async def test_every_family_is_exposed_with_its_type(api: Api) -> None:
    found = await scrape(api.base_url)
    for name, kind in FAMILIES.items():
        assert name in found.families, name
        assert found.families[name].type == kind, (name, found.families[name].type)
    outcomes = found.labels("otonari_offers_total", "outcome")
    assert outcomes == {"sent", "accepted", "declined", "expired", "withdrawn"}


async def test_figures_follow_what_happens(api: Api, staff_token: str, db: asyncpg.Connection) -> None:
    before = await scrape(api.base_url)
    offered = await approved_with_offers(api, staff_token, 3)
    declined = await api.gql(
        RESPOND, {"id": offered.helpers[0].offer, "accept": False}, offered.helpers[0].token
    )
    assert declined["respondToOffer"]["errors"] == []
    accepted = await api.gql(
        RESPOND, {"id": offered.helpers[1].offer, "accept": True}, offered.helpers[1].token
    )
    assert accepted["respondToOffer"]["errors"] == []
    named = await api.raw("query ViewerRole { viewer { role } }", token=staff_token)
    assert named["data"]["viewer"]["role"] == "STAFF"
    after = await scrape(api.base_url)

    def delta(sample: str, /, **labels: str) -> float:
        return after.value(sample, **labels) - before.value(sample, **labels)

    # One request triaged and offered: its waits observed once each; three offers sent, one
    # declined, one accepted (the third withdrawn by the acceptance, or sent again to a 4th).
    assert delta("otonari_triage_seconds_count") >= 1
    assert delta("otonari_time_to_triage_seconds_count") >= 1
    assert delta("otonari_time_to_offer_seconds_count") == 1
    assert delta("otonari_offers_total", outcome="sent") == 3
    assert delta("otonari_offers_total", outcome="declined") == 1
    assert delta("otonari_offers_total", outcome="accepted") == 1
    assert delta("otonari_offers_total", outcome="withdrawn") == 1
    assert delta("otonari_graphql_operation_seconds_count", type="query", name="ViewerRole") == 1
    assert delta("otonari_graphql_operation_seconds_count", type="mutation", name="other") >= 1
    assert delta("otonari_http_responses_total", status="2xx") >= 5


def test_operation_names_are_a_closed_set() -> None:
    names = OperationNames(limit=3)
    assert [names.label(n) for n in ("A", "B", "A", "C", "D", None, "bad name", "x" * 65)] == [
        "A", "B", "A", "C", "other", "other", "other", "other"
    ]  # fmt: skip


async def test_rate_limits_and_subscriptions_are_counted(
    settings: Settings, triage_engine: Triage, staff_token: str
) -> None:
    async with serve(replace(settings, submit_rate_per_minute=1), triage_engine) as base_url:
        api = Api(base_url)
        before = await scrape(base_url)
        resident, _ = await register_resident(api)
        first = await submit(api, resident, "Tôi cần giúp đỡ điền giấy tờ ở phường")
        assert first["errors"] == []
        second = await submit(api, resident, "Tôi cần giúp đỡ điền giấy tờ ở phường lần nữa")
        assert second["errors"][0]["code"] == "RATE_LIMITED"
        after = await scrape(base_url)
        assert after.value("otonari_rate_limited_total") - before.value("otonari_rate_limited_total") == 1

        live = await LiveClient.connect(base_url, resident)
        await live.subscribe(
            "subscription($id: ID!) { requestUpdated(id: $id) { kind } }", {"id": first["request"]["id"]}
        )
        opened = await eventually(lambda: _active(base_url, before.value("otonari_subscriptions_active") + 1))
        assert opened
        cancelled = await api.gql(
            "mutation($id: ID!) { cancelRequest(id: $id) { errors { code } } }",
            {"id": first["request"]["id"]},
            resident,
        )
        assert cancelled["cancelRequest"]["errors"] == []
        event = await live.next()
        assert event["payload"]["data"]["requestUpdated"]["kind"] in ("CANCELLED", "TRIAGED")
        delivered = (await scrape(base_url)).value("otonari_events_delivered_total")
        assert delivered - before.value("otonari_events_delivered_total") >= 1
        await live.close()
        await eventually(lambda: _active(base_url, before.value("otonari_subscriptions_active")))
        await api.close()


async def _active(base_url: str, expected: float) -> bool:
    return (await scrape(base_url)).value("otonari_subscriptions_active") == expected


async def test_queue_figures_come_from_postgresql(
    settings: Settings, triage_engine: Triage, db: asyncpg.Connection
) -> None:
    # No worker: the jobs wait.
    async with serve(settings, triage_engine, workers=False) as base_url:
        api = Api(base_url)
        resident, _ = await register_resident(api)
        for text in ("Tôi cần giúp đỡ điền giấy tờ", "Tôi cần người phiên dịch ở bệnh viện"):
            assert (await submit(api, resident, text))["errors"] == []
        await db.execute("UPDATE triage_jobs SET created_at = now() - interval '90 seconds'")
        found = await scrape(base_url)
        assert found.value("otonari_triage_jobs_pending") == 2
        assert 90 <= found.value("otonari_triage_job_age_seconds") < 150
        await db.execute("UPDATE triage_jobs SET done_at = now()")
        found = await scrape(base_url)
        assert found.value("otonari_triage_jobs_pending") == 0
        assert found.value("otonari_triage_job_age_seconds") == 0
        await api.close()


async def test_an_unreviewed_emergency_shows_its_age(api: Api, staff_token: str) -> None:
    resident, _ = await register_resident(api)
    request = (await submit(api, resident, EMERGENCY_A))["request"]["id"]
    triaged = await wait_triaged(api, resident, request)
    assert triaged["status"] == "ESCALATED"
    assert (await scrape(api.base_url)).value("otonari_emergency_unreviewed_age_seconds") > 0
    review = {"requestId": request, "decision": "CLOSE"}
    closed = await api.gql(
        "mutation($input: ReviewTriageInput!) { reviewTriage(input: $input) { errors { code } } }",
        {"input": review},
        staff_token,
    )
    assert closed["reviewTriage"]["errors"] == []
    assert (await scrape(api.base_url)).value("otonari_emergency_unreviewed_age_seconds") == 0


TOKEN = "metrics-" + "x" * 24


async def test_metrics_need_the_token_beyond_loopback(settings: Settings, triage_engine: Triage) -> None:
    proxied = replace(settings, trusted_proxy_header="x-forwarded-for", metrics_token=TOKEN)
    async with serve(proxied, triage_engine, workers=False) as base_url, httpx.AsyncClient() as client:
        # Straight from this machine: no token needed.
        assert (await client.get(base_url + "/metrics")).status_code == 200
        # Through the proxy (its header present): a client elsewhere.
        remote = {"X-Forwarded-For": "203.0.113.7"}
        for headers in (remote, {**remote, "Authorization": "Bearer wrong-token-0123456789"}):
            refused = await client.get(base_url + "/metrics", headers=headers)
            assert refused.status_code == 401 and "otonari_" not in refused.text
            assert refused.headers["www-authenticate"].startswith("Bearer")
        allowed = await client.get(
            base_url + "/metrics", headers={**remote, "Authorization": f"Bearer {TOKEN}"}
        )
        assert allowed.status_code == 200 and "otonari_triage_jobs_pending" in allowed.text


def test_metrics_settings_are_checked() -> None:
    assert Settings.from_env({"OTONARI_METRICS_TOKEN": TOKEN}).metrics_token == TOKEN
    for bad in ("short", "has a space in it 0123456789"):
        with pytest.raises(ValueError, match="OTONARI_METRICS_TOKEN"):
            Settings.from_env({"OTONARI_METRICS_TOKEN": bad})
    assert Settings.from_env({"OTONARI_LOG_FORMAT": "JSON"}).log_format == "json"
    with pytest.raises(ValueError, match="OTONARI_LOG_FORMAT"):
        Settings.from_env({"OTONARI_LOG_FORMAT": "xml"})
    with pytest.raises(ValueError, match="OTONARI_METRICS_PORT"):
        Settings.from_env({"OTONARI_METRICS_PORT": "70000"})


async def test_livez_and_readyz(api: Api, db: asyncpg.Connection) -> None:
    async with httpx.AsyncClient(base_url=api.base_url) as client:
        assert (await client.get("/livez")).json() == {"status": "ok"}
        assert (await client.get("/readyz")).json() == {"status": "ok"}
        # A release whose migration was not applied is not ready, and says which.
        latest = await db.fetchval("SELECT max(name) FROM schema_migrations")
        await db.execute("DELETE FROM schema_migrations WHERE name = $1", latest)
        answer = await client.get("/readyz")
        assert answer.status_code == 503
        assert answer.json() == {"status": "unavailable", "reasons": [f"migrations not applied: {latest}"]}
        assert (await client.get("/livez")).status_code == 200


async def test_json_request_log_across_two_processes(
    api: Api, staff_token: str, db_url: str, data_dir: Path, tmp_path: Path
) -> None:
    """The second process logs JSON; its lines carry the request id, operation, role, duration and
    outcome, and never a token, a request's text or a contact. Its process figures are its own;
    its queue figures are the database's, as the first process's are."""
    marker = "Zq" + uuid.uuid4().hex[:12]
    log_file = tmp_path / "server.log"
    async with server_process(db_url, data_dir, log_file=log_file, OTONARI_LOG_FORMAT="json") as remote:
        other = Api(remote)
        registered = await other.gql(
            "mutation Register($input: RegisterResidentInput!) { registerResident(input: $input) { token errors { code } } }",
            {
                "input": {
                    "displayName": "Lan",
                    "languages": ["vi"],
                    "area": "Adachi",
                    "contact": f"{marker}@example.org",
                }
            },
        )
        token = registered["registerResident"]["token"]
        async with httpx.AsyncClient(base_url=remote) as client:
            sent = await client.post(
                "/graphql",
                json={
                    "query": "mutation Submit($input: SubmitRequestInput!) { submitRequest(input: $input) { errors { code } } }",
                    "variables": {"input": {"text": f"Tôi cần giúp đỡ điền giấy tờ {marker}"}},
                    "operationName": "Submit",
                },
                headers={"Authorization": f"Bearer {token}", "X-Request-Id": "trace-abc-123"},
            )
            assert sent.status_code == 200 and sent.headers["x-request-id"] == "trace-abc-123"
            made = await client.get("/graphql", params={"query": f"query Echo {{ __typename }} # {marker}"})
            assert len(made.headers["x-request-id"]) == 32
            bad = await client.post(
                "/graphql",
                json={"query": "query Who { viewer { role } }"},
                headers={"Authorization": f"Bearer {token}x"},
            )
            assert bad.status_code in (200, 401)
        live = await LiveClient.connect(remote, token)
        await live.subscribe("subscription Queue { reviewQueueUpdated { kind } }")
        refused = await live.next()
        assert refused["type"] == "error"
        await live.close()

        # Names as labels are bounded: past the first 200 a process sees, each is "other".
        for i in range(220):
            probe = await other.raw(f"query Probe{uuid.uuid4().hex[:8]}{i} {{ __typename }}")
            assert probe["data"] == {"__typename": "Query"}
        names = (await scrape(remote)).labels("otonari_graphql_operation_seconds_count", "name")
        assert len(names) <= 201 and "other" in names and "Submit" in names

        mine, theirs = await scrape(api.base_url), await scrape(remote)
        # Queue figures: the same database, the same figure in both processes.
        assert mine.value("otonari_triage_jobs_pending") == theirs.value("otonari_triage_jobs_pending")
        # Process figures: the Submit mutation ran on the second process only.
        assert theirs.value("otonari_graphql_operation_seconds_count", type="mutation", name="Submit") == 1
        assert mine.value("otonari_graphql_operation_seconds_count", type="mutation", name="Submit") == 0
        await other.close()

    text = log_file.read_text()
    assert token not in text and marker not in text and "example.org" not in text
    lines: list[dict[str, Any]] = [json.loads(line) for line in text.splitlines() if line.strip()]
    http = [line for line in lines if line.get("kind") == "http" and line.get("path") == "/graphql"]
    submitted = next(line for line in http if line["request_id"] == "trace-abc-123")
    assert submitted["operation"] == "Submit" and submitted["operation_type"] == "mutation"
    assert submitted["role"] == "RESIDENT" and submitted["outcome"] == "ok" and submitted["status"] == 200
    assert submitted["duration_ms"] > 0
    assert any(line.get("operation") == "Who" and line["outcome"] == "UNAUTHENTICATED" for line in http)
    assert any(line.get("operation") == "Echo" and line["role"] == "anonymous" for line in http)
    ws = [line for line in lines if line.get("kind") == "ws"]
    assert any(line["operation"] == "Queue" and line["outcome"] == "FORBIDDEN" for line in ws), ws


async def test_a_worker_serves_its_own_figures(
    settings: Settings, triage_engine: Triage, db_url: str, data_dir: Path
) -> None:
    """`main.py worker` with OTONARI_METRICS_PORT: its triage figures are on its /metrics."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "OTONARI_DATA_DIR": str(data_dir),
        "OTONARI_METRICS_PORT": str(port),
        "HF_HUB_OFFLINE": "1",
    }
    worker_url = f"http://127.0.0.1:{port}"
    async with serve(settings, triage_engine, workers=False) as base_url:
        api = Api(base_url)
        worker = subprocess.Popen(  # noqa: ASYNC220 - waited for below
            [sys.executable, "main.py", "worker"], cwd=REPO, env=env, stderr=subprocess.DEVNULL
        )
        try:
            await eventually(lambda: _answers(worker_url + "/readyz"), timeout=180, interval=0.3)
            resident, _ = await register_resident(api)
            request = (await submit(api, resident, "Tôi cần giúp đỡ điền giấy tờ ở phường"))["request"]["id"]
            await wait_triaged(api, resident, request)
            figures = await scrape(worker_url)
            assert figures.value("otonari_triage_seconds_count") >= 1
            assert figures.value("otonari_time_to_triage_seconds_count") >= 1
        finally:
            worker.terminate()
            await asyncio.to_thread(worker.wait, 30)
            await api.close()


async def _answers(url: str) -> bool:
    try:
        async with httpx.AsyncClient() as client:
            return (await client.get(url)).status_code == 200
    except httpx.HTTPError:
        return False
