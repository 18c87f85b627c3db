"""What redrill owns, and so may delete or overwrite (the "Rules" of docs/faults.md).

The data home is shared with the user: they may link ``recordings/`` to another disk, keep their
own files next to redrill's, or point ``--out`` at anything. So every delete and every overwrite
asks here first:

* **Delete** only what redrill created: a recording its database names, or its own leftovers
  recognised by name (a recording named the way redrill names them, a crash-safety spool of a
  redrill that is gone, a temporary file of a redrill that is gone), and only as a regular file
  reached *without* following a symbolic link below the data home. Anything else is left alone and
  reported. (:mod:`redrill.leftovers` recognises the leftovers; this module holds the rules.)
* **Overwrite** (``--out``): never the database, its ``-wal``/``-shm``/journal or backups, the
  settings, or anything in redrill's own folders (recordings, banks, models); any other existing
  file only after asking (``--force`` for scripts).
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from redrill.errors import RedrillError
from redrill.paths import Paths

# ``20261120-101500-failure-story-1a2b3c.ogg``: how redrill names a recording (pipeline.save_recording).
RECORDING_NAME = re.compile(r"^\d{8}-\d{6}-(?P<question>[A-Za-z0-9_.-]+)-[0-9a-f]{6}\.ogg$")


def _real(path: Path) -> str:
    return os.path.realpath(os.fspath(path))


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def through_link(home: Path, path: Path) -> Path | None:
    """The first symbolic link between the data home and ``path`` (``path`` itself included), or None.

    The data home itself may be a link (a user's data folder on another disk is theirs to place);
    below it redrill follows no link when it deletes or changes modes.
    """
    home = Path(os.path.abspath(home))
    path = Path(os.path.abspath(path))
    try:
        rel = path.relative_to(home)
    except ValueError:
        return None
    at = home
    for part in rel.parts:
        at = at / part
        if at.is_symlink():
            return at
    return None


def is_inside(home: Path, path: Path) -> bool:
    """True when ``path`` lies inside the data home, links resolved."""
    return _within(_real(path), _real(home))


@dataclass
class Deletion:
    """What a delete did: files removed, files already gone, files left alone (with why)."""

    deleted: list[Path] = field(default_factory=list)
    missing: list[Path] = field(default_factory=list)
    kept: list[tuple[Path, str]] = field(default_factory=list)

    def add(self, other: Deletion) -> Deletion:
        self.deleted += other.deleted
        self.missing += other.missing
        self.kept += other.kept
        return self


def recording_path(paths: Paths, audio_path: str) -> Path:
    """Where a stored ``audio_path`` (relative to the data home, or absolute) points."""
    path = Path(audio_path)
    return path if path.is_absolute() else paths.home / path


def why_not_deletable(paths: Paths, path: Path) -> str | None:
    """Why redrill must not delete ``path`` as one of its recordings (None: it may)."""
    path = Path(os.path.abspath(path))
    recordings = Path(os.path.abspath(paths.recordings))
    if path.parent != recordings:
        return f"it is not in redrill's recordings folder ({recordings})"
    link = through_link(paths.home, path)
    if link is not None:
        target = _real(link)
        return f"{link} is a symbolic link (to {target}); redrill never deletes through a link"
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(mode):
        return "it is not a regular file"
    return None


def delete_recording(paths: Paths, audio_path: str | None) -> Deletion:
    """Delete one recording the database names, if redrill may (see the module docstring)."""
    done = Deletion()
    if not audio_path:
        return done
    path = recording_path(paths, audio_path)
    reason = why_not_deletable(paths, path)
    if reason is not None:
        done.kept.append((path, reason))
        return done
    try:
        path.unlink()
        done.deleted.append(path)
    except FileNotFoundError:
        done.missing.append(path)
    except OSError as exc:
        done.kept.append((path, exc.strerror or str(exc)))
    return done


def delete_recordings(paths: Paths, audio_paths) -> Deletion:
    """:func:`delete_recording` for each path."""
    done = Deletion()
    for audio_path in audio_paths:
        done.add(delete_recording(paths, audio_path))
    return done


# --- --out ------------------------------------------------------------------------------------


def owned_by_redrill(paths: Paths, out: Path) -> str | None:
    """What ``out`` is to redrill, when it is something ``--out`` must never overwrite; else None.

    Links are resolved first, so a link to the database is the database.
    """
    real = _real(out)
    home = _real(paths.home)
    if not _within(real, home):
        return None
    database = _real(paths.database)
    for suffix, what in (
        ("", "the database"),
        ("-wal", "the database's write-ahead log"),
        ("-shm", "the database's shared memory file"),
        ("-journal", "the database's journal"),
    ):
        if real == database + suffix:
            return what
    if os.path.basename(real).startswith(os.path.basename(database) + ".") and os.path.dirname(real) == os.path.dirname(
        database
    ):
        return "a copy of the database"
    if real == _real(paths.config):
        return "your settings file"
    for folder, what in (
        (paths.recordings, "redrill's recordings folder"),
        (paths.banks, "your question banks folder"),
        (paths.models, "redrill's speech models folder"),
    ):
        if _within(real, _real(folder)):
            return f"in {what}"
    if real == home:
        return "the data home"
    return None


def check_out(paths: Paths, out: Path, *, force: bool, ask) -> None:
    """May ``--out FILE`` be written? Raises :class:`RedrillError` when not.

    ``ask(question) -> bool`` asks the user (None: there is no terminal to ask on).
    """
    what = owned_by_redrill(paths, out)
    if what is not None:
        raise RedrillError(
            f"{out} is {what}; redrill never writes an export over its own data. "
            f"Choose a file outside {paths.home} (or in its exports folder)"
        )
    if not os.path.lexists(out):
        return
    if os.path.isdir(out):
        raise RedrillError(f"{out} is a folder; give a file name with --out")
    if force:
        return
    if ask is None:
        raise RedrillError(
            f"{out} already exists and there is no terminal to ask whether to replace it; "
            "add --force to overwrite it, or choose another --out file"
        )
    if not ask(f"{out} already exists. Overwrite it?"):
        raise RedrillError(f"{out} was left as it was; choose another --out file (or add --force)")
