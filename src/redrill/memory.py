"""Keeping a drill session's memory flat from one answer to the next.

A drill transcribes each answer on a worker thread of its own, while the recorder, the encoder
and the audio search allocate buffers of a few megabytes over and over. glibc's malloc serves that
badly for a long session: each new thread that allocates gets an arena of its own (up to eight per
core), and once a large buffer has been freed, glibc raises the size from which it maps buffers
directly (up to 32 MB), so later buffers of that size come from the arenas, where freed memory
stays with the process and scatters. Measured with base on 2 cores, a drill session of four 120 s
answers peaked at 640, 666, 686 and 678 MB. With at most two arenas, buffers of 1 MB and more
mapped directly (and so handed back when freed) and the freed memory trimmed after each answer,
the same session peaked at 554, 565, 579 and 565 MB.

Mapping every buffer of 1 MB and more costs the transcription about a tenth more time (zeroed pages
each time), so only the drill, where the words are transcribed while the user speaks and memory
is held for a whole session, asks for it (:func:`settle_for_session`); transcribing a file after
the fact keeps glibc's defaults.

The calls are glibc's (``mallopt``, ``malloc_trim``); elsewhere (macOS, musl) they do nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache

# From glibc's malloc.h.
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8

ARENAS = 2
MAP_FROM_BYTES = 1 << 20


@cache
def _glibc():
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt, libc.malloc_trim  # noqa: B018 - both present: it is glibc
    except (OSError, AttributeError):
        return None
    return libc


def settle_for_session(arenas: int = ARENAS, map_from_bytes: int = MAP_FROM_BYTES) -> bool:
    """Let threads created from now on share at most ``arenas`` malloc arenas, and map buffers of
    ``map_from_bytes`` or more directly, for the rest of the process (True when both were set)."""
    libc = _glibc()
    if libc is None:
        return False
    arenas_set = libc.mallopt(_M_ARENA_MAX, arenas) == 1
    mapping_set = libc.mallopt(_M_MMAP_THRESHOLD, map_from_bytes) == 1
    return bool(arenas_set and mapping_set)


def release() -> bool:
    """Hand memory freed inside the process back to the system (True when some was)."""
    libc = _glibc()
    return bool(libc is not None and libc.malloc_trim(0) == 1)
