"""Reading a file the user named, with a size cap that holds for devices and pipes too.

A file's size from ``stat`` is only a promise for regular files: ``/dev/zero`` says 0 bytes and
never ends, a pipe says 0 and may hold anything. So the cap is checked against ``stat`` for a
regular file (refused before reading) and enforced by reading at most one byte past it otherwise.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from redrill.errors import InputError, Problem


def read_capped(path: Path, max_bytes: int, *, limit_note: str = "") -> bytes:
    """The bytes of ``path``, at most ``max_bytes``; :class:`InputError` naming the file otherwise.

    ``limit_note`` follows the limit in the message, e.g. ``" (1 MB)"``.
    """
    name = str(path)
    limit = f"the limit is {max_bytes:,}{limit_note}"
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise InputError([Problem(name, None, None, "is a folder, not a file")])
        regular = stat.S_ISREG(info.st_mode)
        if regular and info.st_size > max_bytes:
            raise InputError([Problem(name, None, None, f"file is {info.st_size:,} bytes; {limit}")])
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise InputError([Problem(name, None, None, f"cannot read: {exc.strerror or exc}")]) from None
    if len(data) > max_bytes:
        what = "it grew while being read" if regular else "it is a device or a pipe, not a regular file"
        raise InputError([Problem(name, None, None, f"more than {max_bytes:,} bytes ({what}); {limit}")])
    return data
