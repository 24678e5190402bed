"""Keyset pages as the domain reads them (resolvers turn Relay's arguments into these)."""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from service.records import Row

K = TypeVar("K")
T = TypeVar("T")


@dataclass(frozen=True)
class Window(Generic[K]):
    """The page a connection asks for (Relay): `size` items between the `after` and `before`
    keys, from the start of that range, or from its end when `backward` (`last`)."""

    size: int
    after: K | None
    before: K | None
    backward: bool


# Of each parent: up to a page and one more of its items, in the window's scan order, and how
# many it has in all.
Pages = dict[int, tuple[list[T], int]]


async def pages_of(
    rows: Sequence[Row],
    parent: str,
    parent_ids: Sequence[int],
    window: Window[int],
    record: Callable[[Row], T],
    count: Callable[[list[int]], Awaitable[Sequence[Row]]],
) -> "Pages[T]":
    """Rows of every parent's page (each with its parent's `total_count`), read in one statement,
    as pages; `count` gives the totals of parents left without a row."""
    pages: Pages[T] = {pk: ([], 0) for pk in parent_ids}
    for row in rows:
        found, _ = pages[row[parent]]
        found.append(record(row))
        pages[row[parent]] = (found, row["total_count"])
    # A parent with no row in a window after or before a cursor may still have items.
    unknown = [pk for pk, (found, _) in pages.items() if not found]
    if unknown and (window.after is not None or window.before is not None):
        for row in await count(unknown):
            pages[row[parent]] = ([], row["total_count"])
    return pages
