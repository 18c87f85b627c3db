"""What redrill owns, and so may delete or overwrite (the "Rules" of docs/faults.md).

The data home is shared with the user: they may link ``recordings/`` to another disk, keep their
own files next to redrill's, or point ``--out`` at anything. So every delete and every overwrite
asks here first:

* **Delete** only what redrill created: a recording its database names, or its own leftovers
  recognised by name (a recording named the way redrill names them, a crash-safety spool of a
  redrill that is gone, a temporary file of a redrill that is gone), and only as a regular file
  reached *without* following a symbolic link below the data home. Anything else is left alone and
  reported.
* **Overwrite** (``--out``): never the database, its ``-wal``/``-shm``/journal or backups, the
  settings, or anything in redrill's own folders (recordings, banks, models); any other existing
  file only after asking (``--force`` for scripts).
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from redrill.errors import RedrillError
from redrill.paths import Paths

# ``20261120-101500-failure-story-1a2b3c.ogg``: how redrill names a recording (pipeline.save_recording).
RECORDING_NAME = re.compile(r"^\d{8}-\d{6}-(?P<question>[A-Za-z0-9_.-]+)-[0-9a-f]{6}\.ogg$")
# ``.my-questions.yaml.4242.x7kq2ab1.tmp``: a temporary file of process 4242 (see :func:`temp_file`).
TEMP_NAME = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.(?P<tag>[A-Za-z0-9_]{6,})\.tmp$")
# A temporary file whose process number is still in use is left alone for this long: numbers are reused.
TEMP_MAX_AGE_S = 24 * 3600.0
# ``.answer-failure-story-20261120-101500-4242.spool``: the crash-safety copy of process 4242's recording.
SPOOL_NAME = re.compile(r"^\.answer-.*-(?P<pid>\d+)\.spool$")
# A spool this small holds less than half a second even at 48 kHz: nothing worth offering to save.
SPOOL_NOTHING_BYTES = 100_000


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


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def is_own_leftover(path: Path, *, now: float | None = None) -> bool:
    """A file redrill made and left behind: a recording named its way, the crash-safety spool of a
    redrill that is gone, or a temporary file of a redrill that is gone (or one older than a day)."""
    name = path.name
    if RECORDING_NAME.match(name):
        return True
    if name.startswith(".answer-") and name.endswith(".spool"):
        from redrill.sound.spool import spool_owner_alive

        return not spool_owner_alive(path)
    return is_stale_temp(path, now=now)


def is_stale_temp(path: Path, *, now: float | None = None) -> bool:
    """A temporary file of :func:`temp_file` whose process is gone, or that is older than a day."""
    match = TEMP_NAME.match(path.name)
    if match is None:
        return False
    if not _pid_alive(int(match["pid"])):
        return True
    try:
        age = (now or time.time()) - os.lstat(path).st_mtime
    except OSError:
        return False
    return age > TEMP_MAX_AGE_S


def is_empty_dead_spool(path: Path) -> bool:
    """A crash-safety spool of a redrill that is gone, holding nothing worth saving (killed right
    after it was created, or within the first half second): ``recover_spools`` skips those, so
    without this they would stay forever."""
    match = SPOOL_NAME.match(path.name)
    if match is None or _pid_alive(int(match["pid"])):
        return False
    try:
        if os.lstat(path).st_size > SPOOL_NOTHING_BYTES:
            return False
    except OSError:
        return False
    from redrill.errors import RedrillError
    from redrill.sound.spool import read_spool

    try:
        header, samples = read_spool(path)
    except (OSError, RedrillError):
        return True
    rate = header.get("rate") if isinstance(header.get("rate"), int) and header.get("rate") > 0 else 16000
    return len(samples) < 0.5 * rate


def sweep_recordings(paths: Paths, known: set[str]) -> Deletion:
    """For ``forget --all``: delete redrill's own leftovers in the recordings folder (see
    :func:`is_own_leftover`); every other file there is the user's, and is kept and reported."""
    done = Deletion()
    folder = paths.recordings
    link = through_link(paths.home, folder)
    if link is not None:
        return done
    if not folder.is_dir():
        return done
    for entry in sorted(folder.iterdir()):
        if str(entry.relative_to(paths.home)) in known:
            continue
        try:
            mode = os.lstat(entry).st_mode
        except OSError:
            continue
        if stat.S_ISLNK(mode):
            done.kept.append((entry, "a symbolic link: redrill never deletes through a link"))
        elif not stat.S_ISREG(mode):
            done.kept.append((entry, "not a file redrill made"))
        elif is_own_leftover(entry):
            try:
                entry.unlink()
                done.deleted.append(entry)
            except FileNotFoundError:
                pass
        else:
            done.kept.append((entry, "not a file redrill made"))
    return done


# --- temporary files --------------------------------------------------------------------------


def temp_file(folder: Path, name: str) -> tuple[int, Path]:
    """Create a user-only temporary file for ``name`` in ``folder``: ``(fd, path)``.

    Its name carries the process number (``.NAME.PID.RANDOM.tmp``), so a later redrill knows whose
    it is and can remove it if this process dies before renaming it into place.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.{os.getpid()}.", suffix=".tmp", dir=folder)
    try:
        os.fchmod(fd, 0o600)
    except OSError:
        pass
    return fd, Path(tmp)


def sweep_temp_files(paths: Paths) -> list[Path]:
    """Remove temporary files that redrill processes which are gone left in its own folders.

    Only names of :func:`temp_file`'s pattern (and empty crash-safety spools, see
    :func:`is_empty_dead_spool`), only regular files, only in the data home and its recordings,
    banks and exports folders (never through a link). A temporary *recording* with sound in it is
    not removed but put in place, for :mod:`redrill.orphans` to adopt. Returns what was removed.
    """
    removed = []
    now = time.time()
    for folder in (paths.home, paths.recordings, paths.banks, paths.exports):
        if folder != paths.home and through_link(paths.home, folder) is not None:
            continue
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if folder == paths.recordings and entry.name.endswith(".spool"):
                path = Path(entry.path)
                try:
                    if entry.is_file(follow_symlinks=False) and is_empty_dead_spool(path):
                        path.unlink(missing_ok=True)
                        removed.append(path)
                except OSError:
                    pass
                continue
            if not entry.name.endswith(".tmp") or not TEMP_NAME.match(entry.name):
                continue
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
            except OSError:
                continue
            path = Path(entry.path)
            if not is_stale_temp(path, now=now):
                continue
            try:
                target = folder / TEMP_NAME.match(entry.name)["name"]
                if folder == paths.recordings and RECORDING_NAME.match(target.name) and entry.stat().st_size > 0:
                    # A recording written in full (or in part) before the kill: it is the user's
                    # answer, so it is put in place for adoption (redrill.orphans), never deleted.
                    if not target.exists():
                        os.replace(path, target)
                    continue
                path.unlink()
                removed.append(path)
            except OSError:
                pass
    return removed


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
