"""Keyset pages as the domain reads them (resolvers turn Relay's arguments into these)."""

from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K")


@dataclass(frozen=True)
class Window(Generic[K]):
    """The page a connection asks for (Relay): `size` items between the `after` and `before`
    keys, from the start of that range, or from its end when `backward` (`last`)."""

    size: int
    after: K | None
    before: K | None
    backward: bool
