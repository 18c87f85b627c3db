"""What is wrong with the database, named for what it is, with advice that fits it.

SQLite reports a locked file, a read-only disk, a full disk, a file that is not a database and a
damaged one as different error codes; all of them used to read "cannot open the database ... If the
file is damaged, move it aside", and doctor advised moving the file aside, which hides the user's
whole history behind a new, empty database. Here each one gets its own message and its own fix; only
a file that cannot be read at all is ever advised to be moved, and then with the copy to restore.

The checks that keep redrill inside its own data home live here too: a database that is a symbolic
link (redrill never follows a link out of the data home), and an SQLite file of another program
(redrill never adds its tables to it).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from redrill.errors import RedrillError

KINDS = (
    "locked",
    "read-only",
    "full",
    "not-a-database",
    "damaged",
    "cannot-open",
    "io-error",
    "symlink",
    "foreign",
    "newer",
    "other",
)
LOW_SPACE_BYTES = 10_000_000  # a 30-minute recording is about 5.4 MB; below this, answers may not fit


class DatabaseError(RedrillError):
    """The database cannot be used: ``kind`` is one of :data:`KINDS`, ``fix`` says what to do."""

    def __init__(self, kind: str, path: Path, problem: str, fix: str):
        self.kind, self.path, self.problem, self.fix = kind, Path(path), problem, fix
        super().__init__(f"{problem}.\n{fix}")


def error_name(exc: sqlite3.Error) -> str:
    """SQLite's primary error name (SQLITE_BUSY, ...); from the message on Pythons before 3.11."""
    name = getattr(exc, "sqlite_errorname", None)
    if name:
        return "_".join(name.split("_")[:2])  # SQLITE_BUSY_RECOVERY -> SQLITE_BUSY
    text = str(exc).lower()
    for fragment, guess in (
        ("locked", "SQLITE_BUSY"),
        ("readonly", "SQLITE_READONLY"),
        ("read-only", "SQLITE_READONLY"),
        ("is full", "SQLITE_FULL"),
        ("not a database", "SQLITE_NOTADB"),
        ("malformed", "SQLITE_CORRUPT"),
        ("unable to open", "SQLITE_CANTOPEN"),
        ("disk i/o error", "SQLITE_IOERR"),
    ):
        if fragment in text:
            return guess
    return "SQLITE_ERROR"


def disk_is_read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def free_bytes(folder: Path) -> int | None:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def _size(n: int | None) -> str:
    if n is None:
        return "unknown space"
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n:,} bytes"


def why_read_only(path: Path) -> str | None:
    """Why the database cannot be written, or None when nothing on disk says so."""
    folder = path.parent
    if disk_is_read_only(folder):
        return "the disk is mounted read-only"
    if path.exists() and not os.access(path, os.W_OK):
        return "the file is not writable"
    if not os.access(folder, os.W_OK):
        return "its folder is not writable"
    return None


def read_only(path: Path, reason: str | None = None) -> DatabaseError:
    reason = reason or why_read_only(path) or "SQLite could not write to it"
    if reason == "the disk is mounted read-only":
        fix = f"Remount that disk read-write (sudo mount -o remount,rw <mount point of {path.parent}>)"
    else:
        fix = f"Make it writable: chmod u+w {path} {path.parent}"
    return DatabaseError(
        "read-only",
        path,
        f"the database {path} is read-only ({reason}): redrill can show your history but not store anything",
        f"{fix}. Your data is fine; reading commands (history, show, progress, export --out elsewhere) work meanwhile.",
    )


def locked(path: Path) -> DatabaseError:
    return DatabaseError(
        "locked",
        path,
        f"the database {path} is locked by another program (another redrill still running, or a tool such as "
        "the sqlite3 shell holding it open)",
        f"Let the other program finish or close it (`fuser {path}` shows which process has it open), then run "
        "redrill again. Your data is fine.",
    )


def full(path: Path) -> DatabaseError:
    return DatabaseError(
        "full",
        path,
        f"the disk holding {path} is full ({_size(free_bytes(path.parent))} free)",
        f"Free some space on it (`df -h {path.parent}` shows how much there is), then run again. Your data is "
        "fine: what could not be written was not stored, and nothing stored was changed.",
    )


def _backups(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.v*-backup-*"), key=lambda p: p.name)


def not_a_database(path: Path) -> DatabaseError:
    try:
        with open(path, "rb") as f:
            head = f.read(64)
    except OSError:
        head = b""
    first = head.split(b"\n")[0].decode("utf-8", "replace")[:40]
    starts = f" (it starts with {first!r})" if first.strip() else ""
    aside = f"mv {path} {path}.not-a-database"
    backups = _backups(path)
    if backups:
        fix = (
            f"Your history cannot be read from it. redrill kept a copy from before its last upgrade: {aside} && "
            f"cp {backups[-1]} {path}   (answers stored since that copy are not in it; "
            f"your recordings stay in {path.parent / 'recordings'})"
        )
    else:
        fix = (
            f"Your history cannot be read from it. If you have a copy of the database, put it back in its place; "
            f"otherwise keep this file (it may be yours): {aside}   and redrill starts a new, empty history "
            f"(your recordings stay in {path.parent / 'recordings'})"
        )
    return DatabaseError("not-a-database", path, f"{path} is not an SQLite database{starts}", fix)


def recover_fix(path: Path) -> str:
    return (
        f"sqlite3 {path} .recover | sqlite3 {path}.recovered   then   mv {path} {path}.damaged && "
        f"mv {path}.recovered {path}   (sqlite3 is in the sqlite3 package; .recover saves every row it can)"
    )


def damaged(path: Path, detail: str) -> DatabaseError:
    return DatabaseError(
        "damaged", path, f"the database {path} is damaged ({detail})", f"Recover what can be read: {recover_fix(path)}"
    )


def symlink(path: Path) -> DatabaseError:
    target = os.readlink(path)
    missing = "" if path.exists() else ", which does not exist"
    return DatabaseError(
        "symlink",
        path,
        f"{path} is a symbolic link (to {target}{missing}); redrill keeps its database in the data home itself and "
        "does not follow links out of it",
        f"Replace the link with the database itself (rm {path}, then move the real file there), or point "
        "REDRILL_HOME (or --home) at the folder that holds it",
    )


def foreign(path: Path, tables: list[str]) -> DatabaseError:
    shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
    return DatabaseError(
        "foreign",
        path,
        f"{path} is an SQLite database of another program (tables: {shown}), not redrill's; redrill will not add "
        "its tables to it",
        f"Move it elsewhere (mv {path} <somewhere else>), or give redrill another data home (--home DIR or "
        "REDRILL_HOME)",
    )


def explain(exc: sqlite3.Error, path: Path) -> DatabaseError:
    """The :class:`DatabaseError` for an SQLite error met opening or using the database at ``path``."""
    path = Path(path)
    name = error_name(exc)
    if name in ("SQLITE_BUSY", "SQLITE_LOCKED"):
        return locked(path)
    if name == "SQLITE_READONLY":
        return read_only(path)
    if name == "SQLITE_FULL":
        return full(path)
    if name == "SQLITE_NOTADB":
        return not_a_database(path)
    if name == "SQLITE_CORRUPT":
        return damaged(path, str(exc))
    if name == "SQLITE_CANTOPEN":
        reason = why_read_only(path)
        if reason:
            return read_only(path, reason)
        return DatabaseError(
            "cannot-open",
            path,
            f"cannot open the database {path} ({exc})",
            f"Check that the file and its folder exist and are yours (ls -ld {path.parent} {path}). Your data is "
            "not changed.",
        )
    if name == "SQLITE_IOERR":
        free = free_bytes(path.parent)
        if free is not None and free < 64 * 1024:
            return full(path)
        return DatabaseError(
            "io-error",
            path,
            f"the disk reported an error reading or writing {path} ({exc})",
            f"Copy your data home somewhere safe now (cp -a {path.parent} <another disk>): the disk may be failing",
        )
    return DatabaseError("other", path, f"database problem with {path}: {exc}", "Run `redrill doctor` for a check.")
