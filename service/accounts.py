"""Accounts: residents and volunteers register themselves, staff are created from the CLI."""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

import numpy as np

from db.queries import q
from db.types import Executor, Pool
from matching.embedding import volunteer_text
from service import audit
from service.auth import Role, Viewer, issue_token
from service.config import Settings
from service.context import AppState
from service.errors import ErrorReason, UserErrors, forbidden, not_found
from service.notifications import preferences
from service.notifications.preferences import Preferences
from service.offers import withdraw_live_offers
from service.rate_limits import RateCheck
from service.records import ResidentRecord, VolunteerRecord
from service.validation import MAX_AREA, MAX_CONTACT, MAX_NAME, MAX_SHORT_TEXT, MAX_SKILLS, Checker
from triage.labels import SupportField

MAX_VOLUNTEER_LANGUAGES = 20
MAX_ACTIVE_LIMIT = 20


def vector_bytes(vector: np.ndarray) -> bytes:
    """How skill vectors are stored (volunteers.skill_vector): float32 little-endian."""
    return np.asarray(vector, dtype="<f4").tobytes()


class SkillEmbedder(Protocol):
    """Embeds volunteers' skills once, when they register or change (never per request)."""

    model_name: str

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class ResidentInput:
    display_name: str
    languages: Sequence[str]
    area: str
    contact: str
    notifications: Preferences = field(default_factory=Preferences)


@dataclass(frozen=True)
class VolunteerInput:
    display_name: str
    languages: Sequence[str]
    skills: str
    fields: Sequence[SupportField]
    area: str
    availability: str
    remote_ok: bool
    max_active_requests: int
    contact: str
    notifications: Preferences = field(default_factory=Preferences)


@dataclass(frozen=True)
class VolunteerUpdate:
    languages: Sequence[str] | None = None
    skills: str | None = None
    fields: Sequence[SupportField] | None = None
    area: str | None = None
    availability: str | None = None
    remote_ok: bool | None = None
    max_active_requests: int | None = None
    active: bool | None = None
    notifications: Preferences = field(default_factory=Preferences)


def _lifetime(role: Role, lifetime: timedelta | None) -> timedelta:
    """The token lifetime the caller's settings give the role; the defaults when not given."""
    return lifetime if lifetime is not None else Settings().token_lifetime(role)


async def register_resident(
    pool: Pool,
    data: ResidentInput,
    *,
    rate: RateCheck | None = None,
    token_lifetime: timedelta | None = None,
) -> tuple[str, int]:
    """`rate`: the caller's registration limit (None only for trusted callers: the CLI, tests)."""
    check = Checker("input")
    name = check.line("displayName", data.display_name, max_len=MAX_NAME)
    languages = check.languages("languages", data.languages)
    area = check.line("area", data.area, max_len=MAX_AREA)
    contact = check.line("contact", data.contact, max_len=MAX_CONTACT)
    notify = preferences.check(check, data.notifications)
    check.check()
    if rate is not None:
        await rate.take(pool)
    async with pool.acquire() as conn, conn.transaction():
        account_id = await conn.fetchval(q("insert_account"), Role.RESIDENT.value, name)
        resident_id: int = await conn.fetchval(q("insert_resident"), account_id, languages, area, contact)
        await preferences.store(conn, Role.RESIDENT, resident_id, notify)
        token = await issue_token(conn, account_id, _lifetime(Role.RESIDENT, token_lifetime))
    return token, resident_id


async def register_volunteer(
    pool: Pool,
    embedder: SkillEmbedder,
    data: VolunteerInput,
    *,
    rate: RateCheck | None = None,
    verified: bool = False,
    token_lifetime: timedelta | None = None,
) -> tuple[str, int]:
    """Volunteers start unverified: only staff vetting (setVolunteerVerified) lets offers reach them.

    The rate limit (None only for trusted callers: the demo seeder) is taken before the skills
    are embedded, the one costly step."""
    check = Checker("input")
    name = check.line("displayName", data.display_name, max_len=MAX_NAME)
    languages = check.languages("languages", data.languages, max_count=MAX_VOLUNTEER_LANGUAGES)
    skills = check.text("skills", data.skills, max_len=MAX_SKILLS)
    fields = check.unique("fields", [f.value for f in data.fields])
    area = check.line("area", data.area, max_len=MAX_AREA)
    availability = check.line("availability", data.availability, max_len=MAX_SHORT_TEXT, min_len=0)
    check.int_range("maxActiveRequests", data.max_active_requests, 1, MAX_ACTIVE_LIMIT)
    contact = check.line("contact", data.contact, max_len=MAX_CONTACT)
    notify = preferences.check(check, data.notifications)
    check.check()
    if rate is not None:
        await rate.take(pool)
    vector = (await asyncio.to_thread(embedder.embed_passages, [volunteer_text(skills)]))[0]
    async with pool.acquire() as conn, conn.transaction():
        account_id = await conn.fetchval(q("insert_account"), Role.VOLUNTEER.value, name)
        volunteer_id: int = await conn.fetchval(
            q("insert_volunteer"),
            account_id,
            languages,
            skills,
            fields,
            area,
            availability,
            data.remote_ok,
            data.max_active_requests,
            contact,
            verified,
            vector_bytes(vector),
            embedder.model_name,
        )
        await preferences.store(conn, Role.VOLUNTEER, volunteer_id, notify)
        token = await issue_token(conn, account_id, _lifetime(Role.VOLUNTEER, token_lifetime))
    return token, volunteer_id


async def create_staff(pool: Pool, name: str, *, token_lifetime: timedelta | None = None) -> str:
    """A staff account and its first token. Names of active staff are unique: `staff-token NAME`
    finds the account by it."""
    check = Checker()
    cleaned = check.line("name", name, max_len=MAX_NAME)
    check.check()
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(q("lock_staff_names"))
        if await conn.fetch(q("active_staff_named"), cleaned):
            raise UserErrors.one(ErrorReason.NAME_TAKEN, "name", name=cleaned)
        account_id = await conn.fetchval(q("insert_account"), Role.STAFF.value, cleaned)
        await audit.record(
            conn, audit.AuditAction.STAFF_CREATED, actor=None, subject=("StaffMember", account_id)
        )
        return await issue_token(conn, account_id, _lifetime(Role.STAFF, token_lifetime))


async def issue_staff_token(pool: Pool, name: str, *, token_lifetime: timedelta | None = None) -> str:
    """A fresh token for the active staff account of that name (its other tokens stay valid)."""
    async with pool.acquire() as conn, conn.transaction():
        found = await conn.fetch(q("active_staff_named"), name)
        if not found:
            raise UserErrors.one(ErrorReason.NOT_FOUND, "name", type="StaffMember")
        account_id = found[0]["id"]
        await audit.record(
            conn, audit.AuditAction.STAFF_TOKEN_ISSUED, actor=None, subject=("StaffMember", account_id)
        )
        return await issue_token(conn, account_id, _lifetime(Role.STAFF, token_lifetime))


async def update_volunteer(pool: Pool, embedder: SkillEmbedder, viewer: Viewer, data: VolunteerUpdate) -> int:
    if viewer.role is not Role.VOLUNTEER or viewer.volunteer_id is None:
        raise forbidden(Role.VOLUNTEER)
    check = Checker("input")
    languages = (
        check.languages("languages", data.languages, max_count=MAX_VOLUNTEER_LANGUAGES)
        if data.languages is not None
        else None
    )
    skills = check.text("skills", data.skills, max_len=MAX_SKILLS) if data.skills is not None else None
    fields = check.unique("fields", [f.value for f in data.fields]) if data.fields is not None else None
    area = check.line("area", data.area, max_len=MAX_AREA) if data.area is not None else None
    availability = (
        check.line("availability", data.availability, max_len=MAX_SHORT_TEXT, min_len=0)
        if data.availability is not None
        else None
    )
    if data.max_active_requests is not None:
        check.int_range("maxActiveRequests", data.max_active_requests, 1, MAX_ACTIVE_LIMIT)
    notify = preferences.check(check, data.notifications)
    check.check()
    vector = None
    if skills is not None:
        vector = vector_bytes((await asyncio.to_thread(embedder.embed_passages, [volunteer_text(skills)]))[0])
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            q("update_volunteer"),
            viewer.volunteer_id,
            languages,
            skills,
            fields,
            area,
            availability,
            data.remote_ok,
            data.max_active_requests,
            data.active,
            vector,
            embedder.model_name if vector is not None else None,
        )
        await preferences.store(conn, Role.VOLUNTEER, viewer.volunteer_id, notify)
    return viewer.volunteer_id


async def set_volunteer_verified(state: AppState, viewer: Viewer, volunteer_id: int, verified: bool) -> int:
    """Staff vet a volunteer, or un-vet them: then their pending offers are withdrawn in the same
    transaction (service.offers.withdraw_live_offers), so they can no longer read or accept them."""
    async with state.pool.acquire() as conn, conn.transaction():
        found = await conn.fetchval(q("set_volunteer_verified"), volunteer_id, verified)
        if found is None:
            raise not_found("Volunteer", "volunteerId")
        withdrawn = 0 if verified else await withdraw_live_offers(state, conn, volunteer_id)
        await audit.record(
            conn,
            audit.AuditAction.VETTING,
            actor=viewer.account_id,
            subject=("Volunteer", volunteer_id),
            details={"verified": verified, "offersWithdrawn": withdrawn},
        )
    return volunteer_id


async def get_resident(conn: Executor, resident_id: int) -> ResidentRecord | None:
    row = await conn.fetchrow(q("resident_by_id"), resident_id)
    return ResidentRecord.from_row(row) if row else None


async def get_residents(conn: Executor, ids: Sequence[int]) -> dict[int, ResidentRecord]:
    rows = await conn.fetch(q("residents_by_ids"), list(ids))
    return {r["id"]: ResidentRecord.from_row(r) for r in rows}


async def matched_pairs(conn: Executor, pairs: Sequence[tuple[int, int]]) -> set[tuple[int, int]]:
    """Of these (resident, volunteer) pairs, those matched on a request (MATCHED or COMPLETED):
    each side may read the other's contact."""
    rows = await conn.fetch(q("matched_pairs"), [p[0] for p in pairs], [p[1] for p in pairs])
    return {(r["resident_id"], r["volunteer_id"]) for r in rows}


async def get_volunteers(conn: Executor, ids: Sequence[int]) -> dict[int, VolunteerRecord]:
    rows = await conn.fetch(q("volunteers_by_ids"), list(ids))
    return {r["id"]: VolunteerRecord.from_row(r) for r in rows}
