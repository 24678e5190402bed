"""Per-operation DataLoaders: every nested object and list of a GraphQL result is read in one
batched statement per kind and level, so a page of 50 costs the statements a page of 5 does.

They read through the domain layer, as the resolvers did one id at a time, and know nothing of
viewers: who may see what stays with the resolvers. Over HTTP one operation owns its loaders and
caches within it, except that each mutation field starts and ends with empty caches
(schema.operations, FreshLoaders); a WebSocket connection's loaders batch but do not cache, since
a subscription runs for a long time and must see each change.
"""

from collections.abc import Awaitable, Callable, Hashable, Sequence
from datetime import datetime
from functools import cached_property
from typing import TypeVar

from strawberry.dataloader import DataLoader

from db.types import Pool
from service import accounts, audit, events, offers, requests
from service.audit import ContactOf
from service.auth import Viewer
from service.events import EventRecord
from service.notifications import preferences
from service.paging import Window
from service.records import LongTermPairRecord, OfferRecord, RequestRecord, ResidentRecord, VolunteerRecord

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _by_key(
    fetch: Callable[[list[K]], Awaitable[dict[K, V]]], missing: V
) -> Callable[[list[K]], Awaitable[list[V]]]:
    """A batch function in key order from one that answers a dict (absent keys: `missing`)."""

    async def load(keys: list[K]) -> list[V]:
        found = await fetch(list(dict.fromkeys(keys)))
        return [found.get(key, missing) for key in keys]

    return load


OfferPage = tuple[list[OfferRecord], int]
RequestPage = tuple[list[RequestRecord], int]
RequestOffersKey = tuple[int, Window[int], int | None]
VolunteerOffersKey = tuple[int, Window[int], tuple[str, ...] | None]
F = TypeVar("F", bound=Hashable)


def _grouped(keys: list[tuple[int, Window[int], F]]) -> dict[tuple[Window[int], F], list[int]]:
    """Parents by the page they ask for: one statement per distinct page (usually one)."""
    groups: dict[tuple[Window[int], F], list[int]] = {}
    for pk, window, condition in keys:
        groups.setdefault((window, condition), []).append(pk)
    return groups


class Loaders:
    """An operation's DataLoaders, each made when first used: an operation touches one or two of
    them, and making all sixteen for every operation was ~9% of a serving process's CPU under the
    soak's mix (py-spy)."""

    def __init__(self, pool: Pool, *, cache: bool = True) -> None:
        self._pool = pool
        self._cache = cache

    def _loader(self, fetch: Callable[[list[K]], Awaitable[dict[K, V]]], missing: V) -> DataLoader[K, V]:
        return DataLoader(load_fn=_by_key(fetch, missing), cache=self._cache)

    @cached_property
    def residents(self) -> DataLoader[int, ResidentRecord | None]:
        return self._loader(self._residents, None)

    @cached_property
    def volunteers(self) -> DataLoader[int, VolunteerRecord | None]:
        return self._loader(self._volunteers, None)

    # Requests whoever may see them: resolvers apply service.requests' rules.
    @cached_property
    def requests(self) -> DataLoader[int, RequestRecord | None]:
        return self._loader(self._requests, None)

    @cached_property
    def offers_of_request(self) -> DataLoader[int, list[OfferRecord]]:
        return self._loader(self._offers_of_requests, [])

    # Offer id -> the offer and its request's resident.
    @cached_property
    def offers(self) -> DataLoader[int, tuple[OfferRecord, int] | None]:
        return self._loader(self._offers, None)

    # (volunteer, request) -> the volunteer holds a live offer for the request.
    @cached_property
    def live_offers(self) -> DataLoader[tuple[int, int], bool]:
        return self._loader(self._live_offers, False)

    # (resident, volunteer) -> matched on a request (each may read the other's contact).
    @cached_property
    def matched(self) -> DataLoader[tuple[int, int], bool]:
        return self._loader(self._matched, False)

    # (resident, window) -> a page of the resident's requests, and how many they have.
    @cached_property
    def request_pages_of_resident(self) -> DataLoader[tuple[int, Window[int]], RequestPage]:
        return self._loader(self._request_pages, ([], 0))

    # (request, how many) -> the reviewed requests nearest to it at triage.
    @cached_property
    def similar_reviewed(self) -> DataLoader[tuple[int, int], list[RequestRecord]]:
        return self._loader(self._similar_reviewed, [])

    @cached_property
    def long_term_pairs(self) -> DataLoader[int, LongTermPairRecord | None]:
        return self._loader(self._pairs, None)

    @cached_property
    def events_of_request(self) -> DataLoader[int, list[EventRecord]]:
        return self._loader(self._events, [])

    # (request, its updated_at as read) -> the event id to resume requestUpdated after.
    @cached_property
    def last_event_ids(self) -> DataLoader[tuple[int, datetime], int | None]:
        return self._loader(self._last_event_ids, None)

    # Request -> the sides (RESIDENT, VOLUNTEER) that have completed it.
    @cached_property
    def completed_sides(self) -> DataLoader[int, frozenset[str]]:
        return self._loader(self._completed_sides, frozenset())

    # (whose, owner id, reader) -> the contact, each read logged by the reading statement
    # (service.audit); the reader is the operation's viewer, so one statement per kind.
    @cached_property
    def contacts(self) -> DataLoader[tuple[ContactOf, int, Viewer], str | None]:
        return self._loader(self._contacts, None)

    @cached_property
    def notification_settings(self) -> DataLoader[int, preferences.Settings | None]:
        return self._loader(self._notification_settings, None)

    # (request, window, only this volunteer's) -> a page of the request's offers, its total.
    @cached_property
    def offer_pages_of_request(self) -> DataLoader[RequestOffersKey, OfferPage]:
        return self._loader(self._offer_pages_of_requests, ([], 0))

    # (volunteer, window, only these statuses) -> a page of the volunteer's offers, its total.
    @cached_property
    def offer_pages_of_volunteer(self) -> DataLoader[VolunteerOffersKey, OfferPage]:
        return self._loader(self._offer_pages_of_volunteers, ([], 0))

    def clear_all(self) -> None:
        """Forget what every loader has read: what a mutation changed is read again."""
        for value in vars(self).values():  # the loaders made so far
            if isinstance(value, DataLoader):
                value.clear_all()

    async def _residents(self, ids: list[int]) -> dict[int, ResidentRecord | None]:
        return dict(await accounts.get_residents(self._pool, ids))

    async def _volunteers(self, ids: list[int]) -> dict[int, VolunteerRecord | None]:
        return dict(await accounts.get_volunteers(self._pool, ids))

    async def _requests(self, ids: list[int]) -> dict[int, RequestRecord | None]:
        return dict(await requests.get_requests(self._pool, ids))

    async def _offers_of_requests(self, ids: list[int]) -> dict[int, list[OfferRecord]]:
        return await offers.offers_for_requests(self._pool, ids)

    async def _offers(self, ids: list[int]) -> dict[int, tuple[OfferRecord, int] | None]:
        return dict(await offers.offers_with_residents(self._pool, ids))

    async def _live_offers(self, keys: list[tuple[int, int]]) -> dict[tuple[int, int], bool]:
        found: dict[tuple[int, int], bool] = {}
        for volunteer_id in {v for v, _ in keys}:  # one viewer: one volunteer, one statement
            request_ids = [r for v, r in keys if v == volunteer_id]
            held = await requests.live_offers_held(self._pool, volunteer_id, request_ids)
            found.update({(volunteer_id, r): r in held for r in request_ids})
        return found

    async def _matched(self, pairs: list[tuple[int, int]]) -> dict[tuple[int, int], bool]:
        matched = await accounts.matched_pairs(self._pool, pairs)
        return {pair: pair in matched for pair in pairs}

    async def _completed_sides(self, ids: list[int]) -> dict[int, frozenset[str]]:
        return await offers.completed_sides(self._pool, ids)

    async def _contacts(
        self, keys: list[tuple[ContactOf, int, Viewer]]
    ) -> dict[tuple[ContactOf, int, Viewer], str | None]:
        found: dict[tuple[ContactOf, int, Viewer], str | None] = {}
        for of, reader in {(of, reader) for of, _, reader in keys}:
            ids = [pk for o, pk, r in keys if o is of and r == reader]
            contacts = await audit.read_contacts(self._pool, reader, of, ids)
            found.update({(of, pk, reader): contacts.get(pk) for pk in ids})
        return found

    async def _request_pages(
        self, keys: list[tuple[int, Window[int]]]
    ) -> dict[tuple[int, Window[int]], RequestPage]:
        found: dict[tuple[int, Window[int]], RequestPage] = {}
        for window in {w for _, w in keys}:
            ids = [pk for pk, w in keys if w == window]
            pages = await requests.request_pages_of_residents(self._pool, ids, window)
            found.update({(pk, window): page for pk, page in pages.items()})
        return found

    async def _similar_reviewed(
        self, keys: list[tuple[int, int]]
    ) -> dict[tuple[int, int], list[RequestRecord]]:
        found: dict[tuple[int, int], list[RequestRecord]] = {}
        for first in {n for _, n in keys}:
            ids = [pk for pk, n in keys if n == first]
            similar = await requests.similar_reviewed(self._pool, ids, first)
            found.update({(pk, first): similar[pk] for pk in ids})
        return found

    async def _pairs(self, ids: list[int]) -> dict[int, LongTermPairRecord | None]:
        return dict(await offers.long_term_pairs(self._pool, ids))

    async def _events(self, ids: list[int]) -> dict[int, list[EventRecord]]:
        return await events.events_for_requests(self._pool, ids)

    async def _offer_pages_of_requests(
        self, keys: list[RequestOffersKey]
    ) -> dict[RequestOffersKey, OfferPage]:
        found: dict[RequestOffersKey, OfferPage] = {}
        for (window, volunteer_id), ids in _grouped(keys).items():
            pages = await offers.offer_pages_of_requests(self._pool, ids, window, volunteer_id)
            found.update({(pk, window, volunteer_id): page for pk, page in pages.items()})
        return found

    async def _offer_pages_of_volunteers(
        self, keys: list[VolunteerOffersKey]
    ) -> dict[VolunteerOffersKey, OfferPage]:
        found: dict[VolunteerOffersKey, OfferPage] = {}
        for (window, statuses), ids in _grouped(keys).items():
            pages = await offers.offer_pages_of_volunteers(self._pool, ids, window, statuses)
            found.update({(pk, window, statuses): page for pk, page in pages.items()})
        return found

    async def _last_event_ids(
        self, reads: list[tuple[int, datetime]]
    ) -> dict[tuple[int, datetime], int | None]:
        return dict(await events.last_event_ids(self._pool, reads))

    async def _notification_settings(self, ids: Sequence[int]) -> dict[int, preferences.Settings | None]:
        return dict(await preferences.of_accounts(self._pool, ids))
