"""Deleting the user's data for good: recordings, transcripts, metrics, and the space they took.

SQLite keeps deleted rows in free pages until the file is compacted, so every forget ends with a
WAL checkpoint and VACUUM: what was forgotten is not left readable in the database file.

A forget can be killed half way (rows deleted, files or VACUUM not yet done), and a rerun would
find nothing left to forget. So the intent is written down first, in a small journal file in the
data home (``.forget-PID.json``: the command and the recordings to delete); the rows go in one
transaction, then the files, then VACUUM, then the journal. The next forget finishes a journal
left by a redrill that is gone (:func:`finish_interrupted`), deleting only recordings no row refers to any more, and doctor
reports one. Recordings are deleted only as :mod:`redrill.owned` allows.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from redrill.leftovers import sweep_recordings
from redrill.owned import Deletion, delete_recordings
from redrill.paths import Paths, pid_alive, temp_file
from redrill.store import Store

JOURNAL_PREFIX = ".forget-"
JOURNAL_SUFFIX = ".json"


@dataclass(frozen=True)
class Forgotten:
    attempts: int
    recordings: int
    interviews: int = 0
    kept: list[tuple[Path, str]] = field(default_factory=list)  # files left in place, and why


@dataclass(frozen=True)
class Journal:
    """An unfinished forget: the command that started it and the recordings it is to delete."""

    path: Path
    command: str
    recordings: list[str]
    sweep: bool
    pid: int | None


def journals(paths: Paths, *, include_running: bool = False) -> list[Journal]:
    """Journals of forgets that did not finish (those of a forget still running are left out)."""
    found = []
    try:
        entries = sorted(paths.home.glob(f"{JOURNAL_PREFIX}*{JOURNAL_SUFFIX}"))
    except OSError:
        return []
    for path in entries:
        if path.is_symlink() or not path.is_file():
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            journal = Journal(
                path,
                str(data.get("command", "redrill forget")),
                [str(p) for p in data.get("recordings", []) if isinstance(p, str)],
                bool(data.get("sweep")),
                data.get("pid") if isinstance(data.get("pid"), int) else None,
            )
        except (OSError, ValueError, AttributeError):
            # A journal torn by the kill that interrupted its own writing: nothing was deleted yet.
            journal = Journal(path, "redrill forget", [], False, None)
        if not include_running and journal.pid is not None and journal.pid != os.getpid() and pid_alive(journal.pid):
            continue
        found.append(journal)
    return found


def _begin(paths: Paths, command: str, audio_paths: Sequence[str | None], *, sweep: bool = False) -> Path:
    """Write the journal (fsynced) before anything is deleted."""
    paths.ensure()
    target = paths.home / f"{JOURNAL_PREFIX}{os.getpid()}{JOURNAL_SUFFIX}"
    data = {"command": command, "recordings": [p for p in audio_paths if p], "sweep": sweep, "pid": os.getpid()}
    fd, tmp = temp_file(paths.home, target.name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def _still_referenced(store: Store, audio_path: str) -> bool:
    row = store.db.execute("SELECT 1 FROM attempts WHERE audio_path = ? LIMIT 1", (audio_path,)).fetchone()
    return row is not None


def _finish(store: Store, paths: Paths, journal_path: Path, audio_paths: list[str], sweep: bool) -> Deletion:
    """Delete the journal's recordings that no row refers to any more, compact, drop the journal."""
    done = delete_recordings(paths, [p for p in audio_paths if not _still_referenced(store, p)])
    if sweep:
        known = {a.audio_path for a in store.attempts() if a.audio_path}
        done.add(sweep_recordings(paths, known))
    store.compact()
    journal_path.unlink(missing_ok=True)
    return done


def finish_interrupted(store: Store, paths: Paths) -> tuple[int, Deletion]:
    """Finish every forget that was interrupted: ``(how many, what was deleted)``."""
    done = Deletion()
    found = journals(paths)
    for journal in found:
        done.add(_finish(store, paths, journal.path, journal.recordings, journal.sweep))
    return len(found), done


def forget_attempts(store: Store, paths: Paths, attempt_ids: list[int], *, command: str = "") -> Forgotten:
    """Delete these attempts and their recordings, and the answers to follow-up questions asked
    after them (they belong to the answer being forgotten)."""
    from redrill.store import follow_ups_of

    ids = list(attempt_ids) + follow_ups_of(store, attempt_ids)
    audio = [a.audio_path for a in (store.get_attempt(i) for i in ids) if a.audio_path]
    journal = _begin(paths, command or "redrill forget " + " ".join(map(str, attempt_ids)) + " --yes", audio)
    gone = store.delete_attempts(ids)
    done = _finish(store, paths, journal, audio, False)
    return Forgotten(len(gone), len(done.deleted), kept=done.kept)


def has_question_data(store: Store, question_id: str) -> bool:
    """Whether anything about this question is left to forget (attempts, reviews or drill state)."""
    for table in ("attempts", "reviews", "question_state"):
        if store.db.execute(f"SELECT 1 FROM {table} WHERE question_id = ? LIMIT 1", (question_id,)).fetchone():
            return True
    return False


def forget_question(store: Store, paths: Paths, question_id: str, *, command: str = "") -> Forgotten:
    """Delete every attempt at one question (and at its follow-up questions), its review history
    and drill state."""
    from redrill.follow_up_questions import follow_up_id
    from redrill.store import follow_ups_of

    attempts = store.attempts(question_id) + store.attempts(follow_up_id(question_id))
    ids = [a.id for a in attempts]
    ids += follow_ups_of(store, ids)
    audio = [a.audio_path for a in (store.get_attempt(i) for i in dict.fromkeys(ids)) if a.audio_path]
    journal = _begin(paths, command or f"redrill forget --question {question_id} --yes", audio)
    with store.transaction() as db:
        gone = store.delete_attempts(list(dict.fromkeys(ids)))
        db.execute("DELETE FROM reviews WHERE question_id = ?", (question_id,))
        db.execute("DELETE FROM question_state WHERE question_id = ?", (question_id,))
    done = _finish(store, paths, journal, audio, False)
    return Forgotten(len(gone), len(done.deleted), kept=done.kept)


def forget_everything(store: Store, paths: Paths) -> Forgotten:
    """Delete all attempts, recordings, debriefs, flags, drill state, reviews, prep sets (job
    descriptions) and mock interviews.

    Besides the recordings the database names, redrill's own leftovers in the recordings folder go
    too (a recording whose row was never written, a spool of a killed session); files redrill did
    not make stay, and are reported.
    """
    attempts = store.attempts()
    audio = [a.audio_path for a in attempts if a.audio_path]
    journal = _begin(paths, "redrill forget --all --yes", audio, sweep=True)
    with store.transaction() as db:
        interviews = db.execute("SELECT count(*) FROM interviews").fetchone()[0]
        tables = ("reviews", "attempts", "question_flags", "question_state", "interviews")
        for table in (*tables, "prep_sets", "mock_interviews"):
            db.execute(f"DELETE FROM {table}")
    done = _finish(store, paths, journal, audio, True)
    return Forgotten(len(attempts), len(done.deleted), interviews, kept=done.kept)
