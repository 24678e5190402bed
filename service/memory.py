"""glibc malloc settings for a long-running process that allocates large numpy/torch buffers
from several threads (the triage engine's refits, the encoder).

Measured with `python -m bench refit` (1,000 reviews): with glibc's defaults the RSS kept most
of each refit's temporaries (one malloc arena per thread, each fragmenting on its own); with at
most two arenas it stayed flat. Nothing happens off glibc (e.g. musl, macOS).
"""

import ctypes
import ctypes.util
import logging
import os

log = logging.getLogger(__name__)

_M_ARENA_MAX = -8  # mallopt parameter numbers, from glibc's malloc.h
ARENAS = 2


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt  # noqa: B018 - glibc only
        libc.malloc_trim  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


_LIBC = _libc()


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """At most `arenas` malloc arenas for the threads made from now on (call it at start, before
    the thread pools); the same as MALLOC_ARENA_MAX, which wins when it is set."""
    if _LIBC is None or "MALLOC_ARENA_MAX" in os.environ:
        return False
    return bool(_LIBC.mallopt(_M_ARENA_MAX, arenas))


# oneDNN (torch's CPU kernels for the bfloat16 encoder) compiles and caches a kernel for each
# distinct input shape, 1,024 of them by default, never freed: a request's shape is its batch
# size times its longest text, so a serving process grew by hundreds of MiB over a few hundred
# triage batches. A small cache keeps the common shapes.
NATIVE_CACHES = {"ONEDNN_PRIMITIVE_CACHE_CAPACITY": "64", "LRU_CACHE_CAPACITY": "64"}


def bound_native_caches() -> None:
    """Bound oneDNN's per-shape kernel caches (before torch runs its first kernel); variables
    already set win."""
    for name, value in NATIVE_CACHES.items():
        os.environ.setdefault(name, value)


def release_free_memory() -> None:
    """Give the memory malloc holds free back to the system (after a refit's temporaries)."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)
