"""Staff deactivate an account (a resident, a volunteer or another staff member).

All in one transaction: the account is marked deactivated (it cannot sign in again), every token
of it is revoked (every process forgets them within a second: service.viewer_cache), and what the
account was doing is ended so that nobody waits on it:

* a volunteer stops volunteering (out of every ranking); their pending offers are withdrawn
  (service.offers.withdraw_live_offers: each request goes to the next candidate, or back to
  staff); a request they are matched with goes back to staff (IN_REVIEW, `needsAttention` says
  why; OFFER_WITHDRAWN and RETURNED_TO_REVIEW events), and they lose its text and the
  resident's contact at once. Completed requests stay as they were.
* a resident's unfinished requests are cancelled, as their own cancelRequest would (pending
  offers end; a matched volunteer loses the text and the contact).
* a staff member's reviews and offers stay; only their sign-in ends.

The account row and its profile stay (reviews, offers, statistics and the audit log refer to
them); erasing a resident's words and contact is service.erasure's.
"""

from dataclasses import dataclass, replace

import asyncpg

from db.queries import q
from db.types import Connection, Executor
from service.audit import AuditAction, record
from service.auth import Role, Viewer, revoke_account_tokens
from service.context import AppState
from service.errors import ErrorReason, UserErrors, not_found
from service.offers import withdraw_live_offers
from service.requests import cancel_locked, emit_event

VOLUNTEER_DEACTIVATED = "the matched volunteer's account was deactivated: find another volunteer"

# Global ID type names that name an account (service.ids).
ACCOUNT_TYPES = ("Resident", "Volunteer", "StaffMember")


@dataclass(frozen=True)
class Deactivation:
    account_id: int
    role: Role
    tokens_revoked: int
    offers_withdrawn: int = 0
    requests_returned: int = 0
    requests_cancelled: int = 0


async def account_of(db: Executor, type_name: str, pk: int) -> int | None:
    """The account behind a Resident, Volunteer or StaffMember id; None when there is none."""
    query = {"Resident": "account_of_resident", "Volunteer": "account_of_volunteer"}.get(
        type_name, "staff_account"
    )
    if type_name not in ACCOUNT_TYPES:
        return None
    account_id: int | None = await db.fetchval(q(query), pk)
    return account_id


async def deactivate_account(state: AppState, staff: Viewer, account_id: int) -> Deactivation:
    """Staff only (checked by the caller's permission); refuses the caller's own account."""
    if account_id == staff.account_id:
        # revokeToken signs one out; another staff member can deactivate the account.
        raise UserErrors.one(ErrorReason.OWN_ACCOUNT, "id")
    async with state.pool.acquire() as conn, conn.transaction():
        resident_id = await conn.fetchval(q("resident_of_account"), account_id)
        if resident_id is not None:  # first, as submitRequest does (service.requests)
            await conn.execute(q("lock_resident_submissions"), resident_id)
        account = await conn.fetchrow(q("lock_account"), account_id)
        if account is None:
            raise not_found("Account", "id")
        if account["deactivated_at"] is not None:
            raise UserErrors.one(ErrorReason.ALREADY_DEACTIVATED, "id")
        await conn.execute(q("deactivate_account"), account_id)
        revoked = await revoke_account_tokens(conn, account_id)
        outcome = Deactivation(account_id, Role(account["role"]), revoked)
        if account["volunteer_id"] is not None:
            outcome = await _stop_volunteer(state, conn, outcome, account["volunteer_id"])
        if account["resident_id"] is not None:
            cancelled = 0
            for row in await conn.fetch(q("unfinished_requests_of_resident"), account["resident_id"]):
                locked = await conn.fetchrow(q("lock_request"), row["id"])
                if locked is not None and locked["status"] not in ("COMPLETED", "CANCELLED", "CLOSED"):
                    await cancel_locked(conn, row["id"])
                    cancelled += 1
            outcome = replace(outcome, requests_cancelled=cancelled)
        await record(
            conn,
            AuditAction.ACCOUNT_DEACTIVATED,
            actor=staff.account_id,
            subject=_subject(account),
            details={
                "role": outcome.role.value,
                "tokensRevoked": outcome.tokens_revoked,
                "offersWithdrawn": outcome.offers_withdrawn,
                "requestsReturned": outcome.requests_returned,
                "requestsCancelled": outcome.requests_cancelled,
            },
        )
    if outcome.role is Role.VOLUNTEER:
        await state.matcher.refresh(state.pool)
    return outcome


def _subject(account: asyncpg.Record) -> tuple[str, int]:
    """The account as the API names it (lock_account's row)."""
    if account["resident_id"] is not None:
        return ("Resident", account["resident_id"])
    if account["volunteer_id"] is not None:
        return ("Volunteer", account["volunteer_id"])
    return ("StaffMember", account["id"])


async def _stop_volunteer(
    state: AppState, conn: Connection, outcome: Deactivation, volunteer_id: int
) -> Deactivation:
    await conn.execute(q("stop_volunteering"), volunteer_id)
    withdrawn = await withdraw_live_offers(state, conn, volunteer_id)
    returned = 0
    for row in await conn.fetch(q("requests_matched_with"), volunteer_id):
        request = await conn.fetchrow(q("lock_request"), row["id"])
        matched = request is not None and request["status"] == "MATCHED"
        if request is None or not matched or request["assigned_volunteer_id"] != volunteer_id:
            continue  # completed or cancelled meanwhile
        accepted = await conn.fetchval(q("accepted_offer"), row["id"], volunteer_id)
        if accepted is not None:
            await conn.fetchrow(q("set_offer_status"), accepted, "WITHDRAWN")
            await emit_event(conn, row["id"], "OFFER_WITHDRAWN", accepted)
        await conn.execute(q("unmatch_request"), row["id"], VOLUNTEER_DEACTIVATED)
        await emit_event(conn, row["id"], "RETURNED_TO_REVIEW")
        returned += 1
    return replace(outcome, offers_withdrawn=withdrawn, requests_returned=returned)
