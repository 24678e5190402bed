"""Reusable GraphQL steps for the API tests."""

from typing import Any

from tests.support import Api, eventually

REGISTER_RESIDENT = """
mutation($input: RegisterResidentInput!) {
  registerResident(input: $input) { token resident { id displayName languages area } errors { path message code } }
}"""

REGISTER_VOLUNTEER = """
mutation($input: RegisterVolunteerInput!) {
  registerVolunteer(input: $input) { token volunteer { id verified } errors { path message code } }
}"""

SUBMIT = """
mutation($input: SubmitRequestInput!) {
  submitRequest(input: $input) { request { id status text area } errors { path message code } }
}"""

REQUEST = """
query($id: ID!) {
  request(id: $id) {
    id status text field urgency
    triage { language field urgency confidence emergencyProbability signals model fieldScores { field score } }
    review { field urgency agreedWithTriage reviewer }
    emergencyAdvice { message numbers { number label } }
    assignedVolunteer { id displayName contact }
  }
}"""

REVIEW = """
mutation($input: ReviewTriageInput!) {
  reviewTriage(input: $input) { request { id status field urgency review { agreedWithTriage } }
                                errors { path message code } }
}"""

VERIFY = """
mutation($id: ID!, $v: Boolean!) {
  setVolunteerVerified(volunteerId: $id, verified: $v) { volunteer { id verified } errors { code message } }
}"""


async def register_resident(
    api: Api, name: str = "Lan", languages: list[str] | None = None, area: str = "Katsushika"
) -> tuple[str, str]:
    data = await api.gql(
        REGISTER_RESIDENT,
        {
            "input": {
                "displayName": name,
                "languages": languages or ["vi"],
                "area": area,
                "contact": f"{name.lower()}@example.org",
            }
        },
    )
    payload = data["registerResident"]
    assert payload["errors"] == [], payload
    return payload["token"], payload["resident"]["id"]


async def register_volunteer(api: Api, **overrides: Any) -> tuple[str, str]:
    values: dict[str, Any] = {
        "displayName": "Sato Yuki",
        "languages": ["vi", "en"],
        "skills": "Hospital visits and interpreting Vietnamese; forms at the ward office",
        "fields": ["MEDICAL", "WELFARE"],
        "area": "Katsushika",
        "availability": "weekday evenings",
        "remoteOk": False,
        "maxActiveRequests": 2,
        "contact": "sato@example.org",
    }
    values.update(overrides)
    data = await api.gql(REGISTER_VOLUNTEER, {"input": values})
    payload = data["registerVolunteer"]
    assert payload["errors"] == [], payload
    return payload["token"], payload["volunteer"]["id"]


async def verify(api: Api, staff: str, volunteer_id: str) -> None:
    data = await api.gql(VERIFY, {"id": volunteer_id, "v": True}, staff)
    assert data["setVolunteerVerified"]["errors"] == []


async def submit(api: Api, token: str, text: str, **extra: Any) -> dict[str, Any]:
    data = await api.gql(SUBMIT, {"input": {"text": text, **extra}}, token)
    payload: dict[str, Any] = data["submitRequest"]
    return payload


async def wait_triaged(api: Api, token: str, request_id: str) -> dict[str, Any]:
    async def triaged() -> dict[str, Any] | None:
        found: dict[str, Any] = (await api.gql(REQUEST, {"id": request_id}, token))["request"]
        return found if found["status"] != "RECEIVED" else None

    result: dict[str, Any] = await eventually(triaged)
    return result
