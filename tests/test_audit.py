"""The audit trail: staff actions written with the action, append-only, ids and labels only."""

import json

import asyncpg
import pytest

from service.audit import AuditAction, record
from tests.flows import REQUEST
from tests.security.scenario import approved_with_offers
from tests.support import Api

SEND_OFFERS = """mutation($r: ID!, $v: [ID!]!) {
  sendOffers(requestId: $r, volunteerIds: $v) { request { id } errors { code message } } }"""
UNVET = """mutation($id: ID!) {
  setVolunteerVerified(volunteerId: $id, verified: false) { volunteer { id } errors { code } } }"""


async def test_the_audit_log_refuses_update_delete_and_truncate(db: asyncpg.Connection) -> None:
    async with db.transaction():
        await record(db, AuditAction.STAFF_CREATED, actor=None, subject=("StaffMember", 1))
    for statement in (
        "UPDATE audit_log SET subject_id = 2",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ):
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
            await db.execute(statement)
    assert await db.fetchval("SELECT count(*) FROM audit_log") == 1


async def test_an_entry_holds_labels_and_ids_never_sentences(db: asyncpg.Connection) -> None:
    for value in ("called the resident at 080-1234-5678", "Lan's phone", "x" * 65, ["ok", "not ok"]):
        with pytest.raises(ValueError, match="not a label"):
            await record(
                db, AuditAction.REVIEW, actor=None, subject=("SupportRequest", 1), details={"note": value}
            )
    assert await db.fetchval("SELECT count(*) FROM audit_log") == 0


async def test_reviews_vetting_and_hand_picked_offers_are_logged_with_their_labels(
    api: Api, staff_token: str, db: asyncpg.Connection
) -> None:
    offered = await approved_with_offers(api, staff_token, 4, note="the resident asked for a woman")
    request = (await api.gql(REQUEST, {"id": offered.request}, staff_token))["request"]
    staff_id = await db.fetchval("SELECT id FROM accounts WHERE role = 'STAFF'")
    review = await db.fetchrow("SELECT * FROM audit_log WHERE action = 'REVIEW'")
    assert review["actor_account_id"] == staff_id and review["actor_role"] == "STAFF"
    assert json.loads(review["details"]) == {
        "decision": "APPROVE",
        "triageField": request["triage"]["field"],
        "triageUrgency": request["triage"]["urgency"],
        "field": "MEDICAL",
        "urgency": "NORMAL",
        "agreedWithTriage": request["triage"]["field"] == "MEDICAL"
        and request["triage"]["urgency"] == "NORMAL",
    }
    vetted = await db.fetch("SELECT subject_type, details FROM audit_log WHERE action = 'VETTING'")
    assert len(vetted) == 4 and all(json.loads(v["details"])["verified"] is True for v in vetted)

    # The fourth volunteer got no automatic offer: staff pick them by hand.
    spare = next(h for h in offered.helpers if not h.offer)
    sent = await api.gql(SEND_OFFERS, {"r": offered.request, "v": [spare.volunteer_id]}, staff_token)
    assert sent["sendOffers"]["errors"] == []
    picked = await db.fetchrow("SELECT * FROM audit_log WHERE action = 'OFFERS_SENT'")
    assert json.loads(picked["details"]) == {"volunteerIds": [spare.volunteer_id], "sent": 1}

    unvetted = await api.gql(UNVET, {"id": offered.helpers[0].volunteer_id}, staff_token)
    assert unvetted["setVolunteerVerified"]["errors"] == []
    last = await db.fetchrow("SELECT * FROM audit_log WHERE action = 'VETTING' ORDER BY id DESC LIMIT 1")
    assert json.loads(last["details"]) == {"verified": False, "offersWithdrawn": 1}
    # Nothing anyone wrote is in the log: not the note, not the request's text.
    everything = json.dumps([dict(r) for r in await db.fetch("SELECT details FROM audit_log")])
    assert "woman" not in everything and "bệnh viện" not in everything
