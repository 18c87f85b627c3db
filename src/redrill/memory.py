"""Keeping a drill session's memory flat from one answer to the next.

Every answer is transcribed on a worker thread of its own, and glibc gives each new thread that
allocates a malloc arena of its own (up to eight per core). Whisper's buffers freed in those arenas
stay with the process: measured with base on 2 cores, four 30 s answers in one session peaked at
516, 614, 644 and 673 MB while the memory Python itself traced stayed at 18 MB. With at most two
arenas and the freed memory handed back after each answer, the same four answers peaked at 485,
551, 573 and 573 MB: the session levels off instead of climbing.

Both calls are glibc's (``mallopt``, ``malloc_trim``); elsewhere (macOS, musl) they do nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache

_M_ARENA_MAX = -8  # from glibc's malloc.h


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


def limit_arenas(arenas: int = 2) -> bool:
    """Let threads created from now on share at most ``arenas`` malloc arenas (True when set)."""
    libc = _glibc()
    return bool(libc is not None and libc.mallopt(_M_ARENA_MAX, arenas) == 1)


def release() -> bool:
    """Hand memory freed inside the process back to the system (True when some was)."""
    libc = _glibc()
    return bool(libc is not None and libc.malloc_trim(0) == 1)
