"""Persisted documents (issue 9, point 6): Apollo's automatic persisted queries over POST and
GET, and the trusted-documents mode serving only the web app's own operations, over real HTTP
and WebSocket clients against real servers on a real PostgreSQL."""

import hashlib
import json
import subprocess
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from service import trusted_documents
from service.config import Settings
from service.persisted_documents import PersistedDocuments, Resolved, document_hash
from tests.conftest import free_port, serve
from tests.flows import REGISTER_RESIDENT, register_resident, register_volunteer, submit, wait_triaged
from tests.support import Api, LiveClient

if TYPE_CHECKING:
    from triage.engine import Triage

GQL = {"accept": "application/graphql-response+json", "content-type": "application/json"}
LEGACY = {"accept": "application/json", "content-type": "application/json"}


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def persisted(text: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha(text)}}


async def post(
    client: httpx.AsyncClient, body: dict[str, Any], headers: dict[str, str] = GQL, token: str | None = None
) -> httpx.Response:
    if token:
        headers = {**headers, "authorization": f"Bearer {token}"}
    return await client.post("/graphql", content=json.dumps(body).encode(), headers=headers)


def code(response: httpx.Response) -> str:
    value: str = response.json()["errors"][0]["extensions"]["code"]
    return value


async def test_apq_hash_only_then_register_then_hash_only(api: Api) -> None:
    query = "query Typename { __typename }"
    first = await post(api.client, {"extensions": persisted(query)})
    assert first.status_code == 400 and code(first) == "PERSISTED_QUERY_NOT_FOUND"
    assert first.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert first.headers["cache-control"] == "no-store"
    legacy = await post(api.client, {"extensions": persisted(query)}, LEGACY)
    assert legacy.status_code == 200 and code(legacy) == "PERSISTED_QUERY_NOT_FOUND"
    registered = await post(api.client, {"query": query, "extensions": persisted(query)})
    assert registered.status_code == 200 and registered.json()["data"] == {"__typename": "Query"}
    again = await post(api.client, {"extensions": persisted(query)})
    assert again.status_code == 200 and again.json()["data"] == {"__typename": "Query"}
    # ...and over GET, the point of APQ (short URLs).
    by_get = await api.client.get("/graphql", params={"extensions": json.dumps(persisted(query))})
    assert by_get.status_code == 200 and by_get.json()["data"] == {"__typename": "Query"}


async def test_apq_over_get_registers_and_keeps_mutations_off_get(api: Api) -> None:
    query = 'query Named { __type(name: "Query") { name } }'
    params = {"extensions": json.dumps(persisted(query))}
    assert code(await api.client.get("/graphql", params=params)) == "PERSISTED_QUERY_NOT_FOUND"
    assert (await api.client.get("/graphql", params={**params, "query": query})).status_code == 200
    found = await api.client.get("/graphql", params=params, headers={"accept": GQL["accept"]})
    assert found.json()["data"] == {"__type": {"name": "Query"}}
    # A mutation registered by POST still cannot run by GET.
    variables = {
        "input": {"displayName": "Lan", "languages": ["vi"], "area": "Meguro", "contact": "lan@example.org"}
    }
    stored = await post(
        api.client,
        {"query": REGISTER_RESIDENT, "variables": variables, "extensions": persisted(REGISTER_RESIDENT)},
    )
    assert stored.json()["data"]["registerResident"]["errors"] == []
    refused = await api.client.get(
        "/graphql",
        params={"extensions": json.dumps(persisted(REGISTER_RESIDENT)), "variables": json.dumps(variables)},
    )
    assert refused.status_code == 405 and refused.headers["allow"] == "POST"


async def test_apq_refuses_a_wrong_hash_and_does_not_keep_invalid_documents(api: Api) -> None:
    query = "{ __typename }"
    wrong = {"persistedQuery": {"version": 1, "sha256Hash": sha("something else")}}
    mismatch = await post(api.client, {"query": query, "extensions": wrong}, LEGACY)
    assert mismatch.status_code == 400 and code(mismatch) == "PERSISTED_QUERY_HASH_MISMATCH"
    assert code(await post(api.client, {"extensions": wrong})) == "PERSISTED_QUERY_NOT_FOUND"
    invalid = "{ noSuchField }"
    failed = await post(api.client, {"query": invalid, "extensions": persisted(invalid)})
    assert failed.status_code == 400 and code(failed) == "GRAPHQL_VALIDATION_FAILED"
    assert code(await post(api.client, {"extensions": persisted(invalid)})) == "PERSISTED_QUERY_NOT_FOUND"
    for bad in (
        {"persistedQuery": "abc"},
        {"persistedQuery": {"version": 2, "sha256Hash": sha(query)}},
        {"persistedQuery": {"version": 1, "sha256Hash": "not-hex"}},
    ):
        response = await post(api.client, {"extensions": bad})
        assert response.status_code == 400 and code(response) == "BAD_REQUEST", bad


def test_apq_cache_is_bounded_by_bytes_least_recently_used_first() -> None:
    documents = PersistedDocuments(cache_bytes=1000, max_document_bytes=400)
    texts = [f"query Q{i} {{ __typename }}" + " " * 250 for i in range(10)]
    for text in texts:
        documents.remember(Resolved(text, register_as=document_hash(text)))
        documents.resolve(None, persisted(texts[0]))  # texts[0] stays in use
    assert documents.size <= 1000 and len(documents) == 3
    assert documents.resolve(None, persisted(texts[0])).query == texts[0]
    assert documents.resolve(None, persisted(texts[9])).query == texts[9]
    too_big = "query Big { __typename }" + " " * 500
    documents.remember(Resolved(too_big, register_as=document_hash(too_big)))
    assert document_hash(too_big) not in {document_hash(t) for t in texts} and len(documents) == 3


def test_manifest_is_current_and_checked() -> None:
    current = trusted_documents.MANIFEST.read_text()
    assert current == trusted_documents.render(trusted_documents.build()), (
        "schema/trusted-documents.json is stale: run python -m service.trusted_documents build"
    )
    manifest = trusted_documents.load(trusted_documents.MANIFEST)
    assert len(manifest) == len(trusted_documents.web_documents()) >= 10


def test_manifest_with_a_wrong_hash_is_refused(tmp_path: Any) -> None:
    bad = tmp_path / "manifest.json"
    bad.write_text(json.dumps({sha("{ a }"): "{ b }"}))
    with pytest.raises(ValueError, match="SHA-256"):
        trusted_documents.load(bad)
    with pytest.raises(ValueError, match="OTONARI_TRUSTED_DOCUMENTS"):
        Settings.from_env({"OTONARI_TRUSTED_DOCUMENTS": str(tmp_path / "missing.json")})


async def test_trusted_mode_serves_the_web_apps_operations_and_nothing_else(
    api: Api, settings: Settings, triage_engine: "Triage", staff_token: str
) -> None:
    # Set-up through an ordinary server on the same database (its documents are not trusted).
    resident, _ = await register_resident(api)
    volunteer, volunteer_id = await register_volunteer(api)
    request_id = (await submit(api, resident, "I need help reading a letter from the ward office"))[
        "request"
    ]["id"]
    await wait_triaged(api, resident, request_id)
    documents = {key.rsplit(":", 1)[1]: text for key, text in trusted_documents.web_documents().items()}
    assert len(documents) == len(trusted_documents.web_documents()), "operation names must be unique"
    trusted = replace(settings, port=free_port(), trusted_documents=trusted_documents.MANIFEST)
    async with serve(trusted, triage_engine, workers=False) as base_url:
        client = httpx.AsyncClient(base_url=base_url, timeout=60)
        live = await LiveClient.connect(base_url, staff_token)
        volunteer_live = await LiveClient.connect(base_url, volunteer)
        try:
            ran: set[str] = set()

            async def run(
                name: str, variables: dict[str, Any], token: str | None = staff_token
            ) -> dict[str, Any]:
                response = await post(client, {"query": documents[name], "variables": variables}, token=token)
                assert response.status_code == 200 and "errors" not in response.json(), (name, response.text)
                ran.add(name)
                data: dict[str, Any] = response.json()["data"]
                return data

            queue_sub = await live.subscribe(documents["ReviewQueueUpdated"])
            request_sub = await live.subscribe(documents["RequestUpdated"], {"id": request_id})
            ran |= {"ReviewQueueUpdated", "RequestUpdated"}
            assert (await run("Viewer", {}))["viewer"]["role"] == "STAFF"
            queue = await run("ReviewQueue", {"first": 10})
            assert request_id in [edge["node"]["id"] for edge in queue["reviewQueue"]["edges"]]
            assert (await run("RequestDetail", {"id": request_id}))["request"]["id"] == request_id
            assert (await run("Volunteers", {"verified": False, "first": 10}))["volunteers"][
                "totalCount"
            ] == 1
            assert (await run("Dashboard", {"days": 7}))["stats"]["dashboard"]["days"] == 7
            await volunteer_live.subscribe(documents["OfferReceived"], {"after": None})
            ran.add("OfferReceived")
            verified = await run("SetVolunteerVerified", {"volunteerId": volunteer_id, "verified": True})
            assert verified["setVolunteerVerified"]["errors"] == []
            approved = await run("ReviewTriage", {"input": {"requestId": request_id, "decision": "APPROVE"}})
            assert approved["reviewTriage"]["errors"] == []
            offered = await run("SendOffers", {"requestId": request_id, "volunteerIds": [volunteer_id]})
            assert offered["sendOffers"]["request"] is not None or offered["sendOffers"]["errors"]
            # The volunteer page's, as the volunteer: the offer arrives, is accepted and completed.
            received = await volunteer_live.next()
            offer_id = received["payload"]["data"]["offerReceived"]["id"]
            await volunteer_live.subscribe(documents["OfferRequestUpdated"], {"id": request_id})
            ran.add("OfferRequestUpdated")
            assert [o["id"] for o in (await run("MyOffers", {}, volunteer))["myOffers"]] == [offer_id]
            link = await run("AnswerLink", {"token": "1.x"}, volunteer)
            assert link["answerLink"]["errors"][0]["code"] == "NOT_FOUND"
            by_link = await run("AnswerOfferByLink", {"token": "1.x", "accept": True}, volunteer)
            assert by_link["answerOfferByLink"]["errors"][0]["code"] == "NOT_FOUND"
            accepted = await run("RespondToOffer", {"offerId": offer_id, "accept": True}, volunteer)
            assert accepted["respondToOffer"]["offer"]["status"] == "ACCEPTED"
            assigned = await run("VolunteerRequests", {}, volunteer)
            assert [e["node"]["id"] for e in assigned["requests"]["edges"]] == [request_id]
            done = await run(
                "VolunteerComplete", {"input": {"requestId": request_id, "rating": 5}}, volunteer
            )
            assert done["completeRequest"]["request"]["viewerCompleted"] is True
            assert (await run("MyProfile", {}, volunteer))["viewer"]["volunteer"]["id"] == volunteer_id
            updated = await run("UpdateVolunteer", {"input": {"availability": "Sat AM"}}, volunteer)
            assert updated["updateVolunteer"]["volunteer"]["availability"] == "Sat AM"
            # The resident page's, with a resident's token (registration needs none).
            registration = {
                "displayName": "Mai",
                "languages": ["vi"],
                "area": "Adachi",
                "contact": "mai@example.org",
            }
            registered = (await run("RegisterResident", {"input": registration}, None))["registerResident"]
            mine = registered["token"]
            submitted = await run("SubmitRequest", {"input": {"text": "Help me read a tax letter"}}, mine)
            own_id = submitted["submitRequest"]["request"]["id"]
            assert (await run("MyRequests", {"first": 10}, mine))["viewer"]["resident"]["requests"][
                "totalCount"
            ] == 1
            own = (await run("MyRequest", {"id": own_id}, mine))["request"]
            assert own["id"] == own_id and own["lastEventId"] is not None
            resident_live = await LiveClient.connect(base_url, mine)
            try:
                await resident_live.subscribe(
                    documents["MyRequestUpdated"], {"id": own_id, "after": own["lastEventId"]}
                )
                ran.add("MyRequestUpdated")
                refused_completion = await run("CompleteMyRequest", {"input": {"requestId": own_id}}, mine)
                assert refused_completion["completeRequest"]["errors"][0]["code"] == "CONFLICT"
                cancelled = await run("CancelMyRequest", {"id": own_id}, mine)
                assert cancelled["cancelRequest"]["request"]["status"] == "CANCELLED"
                # Triage runs in the background and may finish after lastEventId was read.
                kinds: list[str] = []
                while "CANCELLED" not in kinds:
                    kinds.append((await resident_live.next())["payload"]["data"]["requestUpdated"]["kind"])
                assert kinds in (["CANCELLED"], ["TRIAGED", "CANCELLED"])
            finally:
                await resident_live.close()
            assert ran == set(documents), f"operations not exercised: {set(documents) - ran}"
            # Both subscriptions deliver (the approval is an event of the request and of the queue).
            seen = {(await live.next())["id"], (await live.next())["id"]}
            assert seen == {queue_sub, request_sub}
            # By hash alone, too (the smaller request a production client sends).
            by_hash = await post(client, {"extensions": persisted(documents["Viewer"])}, token=staff_token)
            assert by_hash.json()["data"]["viewer"]["role"] == "STAFF"

            # Anything else is refused, over HTTP and WebSocket, and APQ cannot add to the list.
            other = "{ viewer { role } }"
            refused = await post(client, {"query": other}, token=staff_token)
            assert refused.status_code == 403 and code(refused) == "DOCUMENT_NOT_TRUSTED"
            assert (await post(client, {"query": other}, LEGACY, staff_token)).status_code == 200
            register = await post(client, {"query": other, "extensions": persisted(other)}, token=staff_token)
            assert code(register) == "DOCUMENT_NOT_TRUSTED"
            assert code(await post(client, {"extensions": persisted(other)})) == "PERSISTED_QUERY_NOT_FOUND"
            untrusted_sub = await live.subscribe("subscription { reviewQueueUpdated { kind } }")
            error = await live.next()
            while error["id"] != untrusted_sub:  # events of the earlier subscriptions may come first
                error = await live.next()
            assert error["type"] == "error"
            assert error["payload"][0]["extensions"]["code"] == "DOCUMENT_NOT_TRUSTED"
        finally:
            await live.close()
            await volunteer_live.close()
            await client.aclose()


# web/src/shared/graphql.ts's Operations class, compiled by the web app's own TypeScript, builds
# each document; their hashes must be the manifest's, or the web app would be refused.
_TS_DOCUMENTS = r"""
const fs = require("fs"), path = require("path"), crypto = require("crypto");
const ts = require(path.resolve("node_modules/typescript"));
const src = fs.readFileSync("src/shared/graphql.ts", "utf8");
const body = src.slice(src.indexOf("export class Operations"), src.indexOf("export interface ClientOptions"));
const options = { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } };
const js = ts.transpileModule(body.replace("export class", "class") + "\nmodule.exports = Operations;", options);
const m = { exports: {} };
new Function("module", "exports", js.outputText)(m, m.exports);
const hashes = [];
for (const file of process.argv.slice(1)) {
  const source = fs.readFileSync(file, "utf8");
  const operations = new m.exports(source);
  for (const match of source.matchAll(/^(query|mutation|subscription)\s+(\w+)/gm)) {
    hashes.push(crypto.createHash("sha256").update(operations.get(match[2])).digest("hex"));
  }
}
console.log(JSON.stringify(hashes.sort()));
"""


def test_manifest_hashes_are_what_the_web_app_sends() -> None:
    web = trusted_documents.REPO / "web"
    if not (web / "node_modules" / "typescript").is_dir():
        pytest.skip("web/node_modules is not installed (make web)")
    files = [str(p.relative_to(web)) for p in sorted((web / "src").rglob("operations.graphql"))]
    out = subprocess.run(
        ["node", "-e", _TS_DOCUMENTS, *files],
        cwd=web,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert json.loads(out.stdout) == sorted(trusted_documents.load(trusted_documents.MANIFEST))
