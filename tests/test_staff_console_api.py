"""The staff-only additions the console reads, through the API: a request's timeline
(SupportRequest.events, RequestEvent.offer), the dashboard series (Stats.dashboard) and the
vetting filter (volunteers(verified:))."""

from datetime import date, timedelta

from tests.flows import REVIEW, register_resident, register_volunteer, submit, verify, wait_triaged
from tests.support import Api

TIMELINE = """
query($id: ID!) {
  request(id: $id) { events { kind at offer { id status volunteer { displayName } } } }
}"""

DASHBOARD = """
query($days: Int!) {
  stats {
    dashboard(days: $days) {
      days since
      requestsPerDay { day field language count }
      durations { measure count medianSeconds p90Seconds }
      offerOutcomes { status count }
      byField: agreement(by: FIELD) { periodStart key reviewed agreed }
      byUrgency: agreement(by: URGENCY) { periodStart key reviewed agreed }
      byLanguage: agreement(by: LANGUAGE) { periodStart key reviewed agreed }
    }
  }
}"""

FEVER = "Con tôi sốt cao từ tối qua, cần người đi cùng đến bệnh viện và phiên dịch"
RENT = "Tôi không hiểu giấy tờ gia hạn hợp đồng thuê nhà, cần người giải thích"


async def _approve(api: Api, staff: str, request_id: str, **labels: str) -> None:
    data = await api.gql(REVIEW, {"input": {"requestId": request_id, "decision": "APPROVE", **labels}}, staff)
    assert data["reviewTriage"]["errors"] == [], data


async def test_timeline_lists_every_event_with_its_offer(api: Api, staff_token: str) -> None:
    _, volunteer_id = await register_volunteer(api, displayName="Sato Yuki")
    await verify(api, staff_token, volunteer_id)
    resident, _ = await register_resident(api)
    request_id = (await submit(api, resident, FEVER))["request"]["id"]
    await wait_triaged(api, resident, request_id)
    await _approve(api, staff_token, request_id)

    events = (await api.gql(TIMELINE, {"id": request_id}, staff_token))["request"]["events"]
    kinds = [e["kind"] for e in events]
    assert kinds[:3] == ["RECEIVED", "TRIAGED", "REVIEWED"], kinds
    offered = [e for e in events if e["kind"] == "OFFERED"]
    assert offered and offered[0]["offer"]["volunteer"]["displayName"] == "Sato Yuki"
    assert all(e["offer"] is None for e in events if e["kind"] in ("RECEIVED", "TRIAGED", "REVIEWED"))
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)

    refused = await api.raw(TIMELINE, {"id": request_id}, resident)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_dashboard_series(api: Api, staff_token: str) -> None:
    _, volunteer_id = await register_volunteer(api)
    await verify(api, staff_token, volunteer_id)
    resident, _ = await register_resident(api)
    fever = (await submit(api, resident, FEVER))["request"]["id"]
    rent = (await submit(api, resident, RENT))["request"]["id"]
    fever_triage = (await wait_triaged(api, resident, fever))["triage"]
    rent_triage = (await wait_triaged(api, resident, rent))["triage"]
    await _approve(api, staff_token, fever)  # agrees with the triage
    corrected_field = "OTHER" if rent_triage["field"] != "OTHER" else "WELFARE"
    await _approve(api, staff_token, rent, field=corrected_field)  # corrects the field only

    dashboard = (await api.gql(DASHBOARD, {"days": 7}, staff_token))["stats"]["dashboard"]
    assert dashboard["days"] == 7
    per_day = dashboard["requestsPerDay"]
    assert sum(c["count"] for c in per_day) == 2
    assert {c["language"] for c in per_day} == {"vi"}
    assert {c["field"] for c in per_day} == {fever_triage["field"], corrected_field}
    today = date.fromisoformat(per_day[0]["day"])
    assert abs(today - date.today()) <= timedelta(days=1)  # Tokyo's day, seen from any zone

    durations = {d["measure"]: d for d in dashboard["durations"]}
    assert list(durations) == ["TRIAGE", "FIRST_OFFER", "MATCH"]
    assert durations["TRIAGE"]["count"] == 2 and 0 <= durations["TRIAGE"]["medianSeconds"] < 120
    assert durations["TRIAGE"]["p90Seconds"] >= durations["TRIAGE"]["medianSeconds"]
    assert durations["FIRST_OFFER"]["count"] >= 1
    assert durations["MATCH"] == {"measure": "MATCH", "count": 0, "medianSeconds": None, "p90Seconds": None}
    assert {o["status"]: o["count"] for o in dashboard["offerOutcomes"]}.get("PENDING", 0) >= 1

    by_field = {p["key"]: p for p in dashboard["byField"]}
    assert by_field[rent_triage["field"]]["agreed"] == 0
    assert by_field[fever_triage["field"]]["agreed"] >= 1
    assert sum(p["reviewed"] for p in dashboard["byField"]) == 2
    assert sum(p["agreed"] for p in dashboard["byUrgency"]) == 2  # urgency kept both times
    by_language = dashboard["byLanguage"]
    assert [(p["key"], p["reviewed"], p["agreed"]) for p in by_language] == [("vi", 2, 1)]


async def test_dashboard_refusals(api: Api, staff_token: str) -> None:
    for days in (0, 400):
        body = await api.raw(DASHBOARD, {"days": days}, staff_token)
        assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT", body
    resident, _ = await register_resident(api)
    body = await api.raw(DASHBOARD, {"days": 7}, resident)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_volunteers_filter_by_vetting(api: Api, staff_token: str) -> None:
    _, vetted = await register_volunteer(api, displayName="Vetted One")
    _, pending = await register_volunteer(api, displayName="Pending One", contact="p@example.org")
    await verify(api, staff_token, vetted)
    query = "query($v: Boolean) { volunteers(verified: $v) { totalCount edges { node { id } } } }"
    for flag, expected in ((True, [vetted]), (False, [pending]), (None, [vetted, pending])):
        found = (await api.gql(query, {"v": flag}, staff_token))["volunteers"]
        assert [e["node"]["id"] for e in found["edges"]] == expected
        assert found["totalCount"] == len(expected)
