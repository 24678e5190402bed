"""Residents and volunteers: who may read what, contact details above all."""

from typing import Any

from graphql import GraphQLError

from db.queries import q
from resolvers.common import (
    Page,
    check_first,
    encode_cursor,
    int_cursor,
    require_viewer,
    search_text,
)
from service.audit import ContactOf
from service.context import Context
from service.ids import from_global_id
from service.languages import normalise_language
from service.records import LongTermPairRecord, ResidentRecord, VolunteerRecord
from service.validation import MAX_AREA
from triage.labels import SupportField


async def resident(ctx: Context, resident_id: int) -> ResidentRecord:
    record = await ctx.loaders.residents.load(resident_id)
    if record is None:
        raise GraphQLError("resident not found", extensions={"code": "NOT_FOUND"})
    return record


async def volunteer(ctx: Context, volunteer_id: int) -> VolunteerRecord:
    record = await ctx.loaders.volunteers.load(volunteer_id)
    if record is None:
        raise GraphQLError("volunteer not found", extensions={"code": "NOT_FOUND"})
    return record


async def _matched(ctx: Context, resident_id: int, volunteer_id: int) -> bool:
    return await ctx.loaders.matched.load((resident_id, volunteer_id))


async def resident_contact(ctx: Context, record: ResidentRecord) -> str | None:
    viewer = ctx.viewer
    if viewer is None:
        return None
    if viewer.resident_id == record.id:
        return record.contact
    matched = viewer.volunteer_id is not None and await _matched(ctx, record.id, viewer.volunteer_id)
    if viewer.is_staff or matched:
        return await _audited_contact(ctx, ContactOf.RESIDENT, record.id)
    return None


async def volunteer_contact(ctx: Context, record: VolunteerRecord) -> str | None:
    viewer = ctx.viewer
    if viewer is None:
        return None
    if viewer.volunteer_id == record.id:
        return record.contact
    matched = viewer.resident_id is not None and await _matched(ctx, viewer.resident_id, record.id)
    if viewer.is_staff or matched:
        return await _audited_contact(ctx, ContactOf.VOLUNTEER, record.id)
    return None


async def _audited_contact(ctx: Context, of: ContactOf, owner_id: int) -> str | None:
    """Someone else's contact: read by the statement that writes its audit entry."""
    return await ctx.loaders.contacts.load((of, owner_id, require_viewer(ctx)))


async def volunteers(
    ctx: Context,
    field: SupportField | None,
    language: str | None,
    area: str | None,
    first: int | None,
    after: str | None,
    verified: bool | None = None,
) -> Page[VolunteerRecord]:
    first = check_first(first)
    area = search_text(area, "area", MAX_AREA)
    lang = None
    if language is not None:
        lang = normalise_language(language)
        if lang is None:
            raise GraphQLError(
                f"unknown language code {language[:20]!r}", extensions={"code": "INVALID_INPUT"}
            )
    after_id = int_cursor(after)
    field_value = field.value if field else None
    rows = await ctx.pool.fetch(q("list_volunteers"), field_value, lang, area, after_id, first + 1, verified)
    total = await ctx.pool.fetchval(q("count_volunteers"), field_value, lang, area, verified)
    records = [VolunteerRecord.from_row(r) for r in rows[:first]]
    return Page([(encode_cursor(v.id), v) for v in records], len(rows) > first, total)


async def node(ctx: Context, global_id: str) -> tuple[str, Any] | None:
    """Residents, volunteers, offers and pairs by global ID, each only to those who may see it."""
    viewer = require_viewer(ctx)
    decoded = from_global_id(global_id)
    if decoded is None:
        return None
    kind, pk = decoded
    if kind == "Resident":
        found_resident = await ctx.loaders.residents.load(pk)
        if found_resident is None:
            return None
        allowed = (
            viewer.is_staff
            or viewer.resident_id == pk
            or (viewer.volunteer_id is not None and await _matched(ctx, pk, viewer.volunteer_id))
        )
        return (kind, found_resident) if allowed else None
    if kind == "Volunteer":
        found = await ctx.loaders.volunteers.load(pk)
        if found is None:
            return None
        allowed = (
            viewer.is_staff
            or viewer.volunteer_id == pk
            or (viewer.resident_id is not None and await _matched(ctx, viewer.resident_id, pk))
        )
        return (kind, found) if allowed else None
    if kind == "Offer":
        offer = await ctx.loaders.offers.load(pk)
        if offer is None:
            return None
        record, resident_id = offer
        allowed = (
            viewer.is_staff
            or record.volunteer_id == viewer.volunteer_id
            or (resident_id is not None and resident_id == viewer.resident_id)
        )
        return (kind, record) if allowed else None
    if kind == "LongTermPair":
        row = await ctx.pool.fetchrow(q("long_term_pair_by_id"), pk)
        if row is None:
            return None
        allowed = (
            viewer.is_staff
            or row["resident_id"] == viewer.resident_id
            or (row["volunteer_id"] == viewer.volunteer_id)
        )
        return (kind, LongTermPairRecord.from_row(row)) if allowed else None
    return None
