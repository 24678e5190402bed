"""One-click answers: the signed link in an offer email, read (GET: a summary) and used (an
explicit accept or decline). The link acts for its offer's volunteer and for nothing else."""

from dataclasses import dataclass
from enum import StrEnum

from db.queries import q
from db.types import Executor
from service.auth import Role, Viewer
from service.context import AppState
from service.errors import ErrorReason, UserErrors
from service.notifications import links
from service.notifications.templates import person_locale
from service.offers import respond_to_offer
from service.records import OfferRecord, RequestRecord


class LinkState(StrEnum):
    LIVE = "LIVE"
    EXPIRED = "EXPIRED"
    USED = "USED"
    ENDED = "ENDED"


@dataclass(frozen=True)
class AnswerView:
    state: LinkState
    offer: OfferRecord
    # The request as its volunteer may see it: whole while the offer is live, redacted after.
    request: RequestRecord
    volunteer_name: str
    # The volunteer's email language, so the answer page can speak it too.
    language: str


def _invalid() -> UserErrors:
    return UserErrors.one(ErrorReason.LINK_INVALID, "token")


async def view(db: Executor, token: str) -> AnswerView:
    offer_id = links.offer_of(token)
    row = await db.fetchrow(q("offer_by_id"), offer_id) if offer_id is not None else None
    if row is None or not links.verify(await links.link_key(db), token, row["volunteer_id"]):
        raise _invalid()
    offer = OfferRecord.from_row(row)
    live = row["status"] == "PENDING" and bool(
        await db.fetchval("SELECT $1::timestamptz > now()", row["expires_at"])
    )
    if live:
        state = LinkState.LIVE
    elif row["status"] in ("PENDING", "EXPIRED"):
        state = LinkState.EXPIRED
    elif row["status"] in ("ACCEPTED", "DECLINED"):
        state = LinkState.USED
    else:
        state = LinkState.ENDED
    request_row = await db.fetchrow(q("request_details"), row["request_id"])
    if request_row is None:
        raise _invalid()
    request = RequestRecord.from_row(request_row)
    volunteer = await db.fetchrow(q("volunteer_by_id"), row["volunteer_id"])
    name = volunteer["display_name"] if volunteer else ""
    language = person_locale("VOLUNTEER", volunteer["notify_locale"] if volunteer else None, ())
    return AnswerView(state, offer, request if live else request.redact(), name, language)


_REFUSALS = {
    LinkState.EXPIRED: ErrorReason.OFFER_EXPIRED,
    LinkState.ENDED: ErrorReason.OFFER_WITHDRAWN,
}


async def answer(state: AppState, token: str, accept: bool) -> AnswerView:
    current = await view(state.pool, token)
    if current.state is LinkState.USED:
        raise UserErrors.one(ErrorReason.OFFER_ALREADY_ANSWERED, "token", status=current.offer.status)
    if current.state is not LinkState.LIVE:
        raise UserErrors.one(_REFUSALS[current.state], "token")
    volunteer = await state.pool.fetchrow(q("volunteer_by_id"), current.offer.volunteer_id)
    person = (
        await state.pool.fetchrow(q("notification_recipient"), volunteer["account_id"]) if volunteer else None
    )
    if volunteer is None or person is None or person["deactivated_at"] is not None:
        raise _invalid()
    acting = Viewer(
        account_id=volunteer["account_id"],
        role=Role.VOLUNTEER,
        display_name=volunteer["display_name"],
        volunteer_id=volunteer["id"],
    )
    try:
        await respond_to_offer(state, acting, current.offer.id, accept)
    except UserErrors as refused:
        # Same refusals as the app's (someone accepted first meanwhile, the volunteer's limit),
        # told against the link.
        raise UserErrors([e.at("token") for e in refused.errors]) from None
    return await view(state.pool, token)
