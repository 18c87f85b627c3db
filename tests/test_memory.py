"""redrill.memory: the glibc calls that keep a drill session's memory flat."""

from __future__ import annotations

import ctypes.util
import platform

import numpy as np

from redrill import memory


def _on_glibc() -> bool:
    return platform.libc_ver()[0] == "glibc" and ctypes.util.find_library("c") is not None


def test_both_calls_work_on_glibc_and_do_nothing_elsewhere() -> None:
    assert memory.settle_for_session() is _on_glibc()
    # release() answers whether anything was handed back; on glibc the call itself must succeed
    assert isinstance(memory.release(), bool)


def test_a_large_buffer_freed_in_a_session_goes_back_at_once() -> None:
    """After settle_for_session a freed 8 MB buffer is unmapped, even after glibc would have
    raised its threshold past that size."""
    if not _on_glibc():
        assert memory.settle_for_session() is False
        return
    import subprocess
    import sys

    check = (
        "import numpy as np, os\n"
        "from redrill import memory\n"
        "def rss(): return int(open('/proc/self/statm').read().split()[1]) * os.sysconf('SC_PAGE_SIZE')\n"
        "big = np.ones(2 << 20); del big\n"  # freed 16 MB: glibc now keeps buffers that size in its heap
        "assert memory.settle_for_session()\n"
        "before = rss(); a = np.ones(1 << 20); grown = rss() - before; del a\n"
        "assert grown > 6 << 20 and rss() - before < 1 << 20, (grown, rss() - before)\n"
    )
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_memory_freed_in_the_process_is_handed_back() -> None:
    if not _on_glibc():
        assert memory.release() is False
        return
    # many small blocks (below the mmap threshold) stay in the heap when freed, until trimmed
    blocks = [np.ones(1000) for _ in range(20000)]
    del blocks[: len(blocks) - 1]
    assert memory.release() is True
