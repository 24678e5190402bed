"""Residents and volunteers: who may read what, contact details above all."""

from typing import Any

from db.queries import q
from resolvers.common import (
    Page,
    Paging,
    encode_cursor,
    int_cursor,
    refusal,
    require_viewer,
    search_text,
)
from service.audit import ContactOf
from service.context import Context
from service.errors import ErrorReason
from service.ids import from_global_id
from service.languages import normalise_language
from service.records import OfferRecord, ResidentRecord, VolunteerRecord
from service.validation import MAX_AREA
from triage.labels import SupportField


async def resident(ctx: Context, resident_id: int) -> ResidentRecord:
    record = await ctx.loaders.residents.load(resident_id)
    if record is None:
        raise refusal("resident not found", ErrorReason.NOT_FOUND)
    return record


async def volunteer(ctx: Context, volunteer_id: int) -> VolunteerRecord:
    record = await ctx.loaders.volunteers.load(volunteer_id)
    if record is None:
        raise refusal("volunteer not found", ErrorReason.NOT_FOUND)
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
    page: Paging,
    verified: bool | None = None,
) -> Page[VolunteerRecord]:
    window = page.window(int_cursor)
    area = search_text(area, "area", MAX_AREA)
    lang = None
    if language is not None:
        lang = normalise_language(language)
        if lang is None:
            raise refusal(f"unknown language code {language[:20]!r}", ErrorReason.UNKNOWN_LANGUAGE)
    field_value = field.value if field else None
    rows = await ctx.pool.fetch(
        q("list_volunteers"),
        field_value,
        lang,
        area,
        window.after,
        window.size + 1,
        verified,
        window.before,
        window.backward,
    )
    total = await ctx.pool.fetchval(q("count_volunteers"), field_value, lang, area, verified)
    records = [VolunteerRecord.from_row(r) for r in rows]
    return Page.scanned(window, [(encode_cursor(v.id), v) for v in records], total)


async def volunteer_offers(
    ctx: Context, volunteer_id: int | None, statuses: list[str] | None, page: Paging
) -> Page[OfferRecord]:
    """A volunteer's offers, newest first: for staff and the volunteer themself; others get an
    empty page."""
    viewer = require_viewer(ctx)
    window = page.window(int_cursor)
    if volunteer_id is None or not (viewer.is_staff or viewer.volunteer_id == volunteer_id):
        return Page.empty()
    wanted = tuple(statuses) if statuses is not None else None
    found, total = await ctx.loaders.offer_pages_of_volunteer.load((volunteer_id, window, wanted))
    return Page.scanned(window, [(encode_cursor(o.id), o) for o in found], total)


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
        pair = await ctx.loaders.long_term_pairs.load(pk)
        if pair is None:
            return None
        allowed = (
            viewer.is_staff
            or pair.resident_id == viewer.resident_id
            or pair.volunteer_id == viewer.volunteer_id
        )
        return (kind, pair) if allowed else None
    return None
