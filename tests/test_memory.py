"""redrill.memory: the glibc calls that keep a drill session's memory flat."""

from __future__ import annotations

import ctypes.util
import platform

import numpy as np

from redrill import memory


def _on_glibc() -> bool:
    return platform.libc_ver()[0] == "glibc" and ctypes.util.find_library("c") is not None


def test_both_calls_work_on_glibc_and_do_nothing_elsewhere() -> None:
    assert memory.limit_arenas() is _on_glibc()
    # release() answers whether anything was handed back; on glibc the call itself must succeed
    assert isinstance(memory.release(), bool)


def test_memory_freed_in_the_process_is_handed_back() -> None:
    if not _on_glibc():
        assert memory.release() is False
        return
    # many small blocks (below the mmap threshold) stay in the heap when freed, until trimmed
    blocks = [np.ones(1000) for _ in range(20000)]
    del blocks[: len(blocks) - 1]
    assert memory.release() is True
