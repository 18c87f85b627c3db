"""redrill's own leftovers in its folders: swept when they hold nothing, kept when they hold an answer.

A redrill that is killed can leave a temporary file (written, not yet renamed into place), a
crash-safety spool (a recording in progress) or, in ``forget --all``'s view, recordings no row names.
What may go follows :mod:`redrill.owned`: only files redrill made, recognised by name, never
through a link; a leftover that holds sound is never deleted (see :mod:`redrill.orphans`).
"""

from __future__ import annotations

import os
import re
import stat
import time
from pathlib import Path

from redrill.owned import RECORDING_NAME, Deletion, through_link
from redrill.paths import TEMP_NAME, Paths, pid_alive
from redrill.samplerate import SAMPLE_RATE

# A temporary file whose process number is still in use is left alone for this long: numbers are reused.
TEMP_MAX_AGE_S = 24 * 3600.0
# ``.answer-failure-story-20261120-101500-4242.spool``: the crash-safety copy of process 4242's recording.
SPOOL_NAME = re.compile(r"^\.answer-.*-(?P<pid>\d+)\.spool$")
# A spool this small holds less than half a second even at 48 kHz: nothing worth offering to save.
SPOOL_NOTHING_BYTES = 100_000


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
    """A temporary file of :func:`redrill.paths.temp_file` whose process is gone, or older than a day."""
    match = TEMP_NAME.match(path.name)
    if match is None:
        return False
    if not pid_alive(int(match["pid"])):
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
    if match is None or pid_alive(int(match["pid"])):
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
    rate = header.get("rate")
    if not isinstance(rate, int) or rate <= 0:
        rate = SAMPLE_RATE
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


def sweep_temp_files(paths: Paths) -> list[Path]:
    """Remove temporary files that redrill processes which are gone left in its own folders.

    Only names of :func:`redrill.paths.temp_file`'s pattern (and empty crash-safety spools, see
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
            temp = TEMP_NAME.match(entry.name)
            if not entry.name.endswith(".tmp") or temp is None:
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
                target = folder / temp["name"]
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
