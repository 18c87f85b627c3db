"""Deleting the user's data for good: recordings, transcripts, metrics, and the space they took.

SQLite keeps deleted rows in free pages until the file is compacted, so every forget ends with a
WAL checkpoint and VACUUM: what was forgotten is not left readable in the database file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from redrill.paths import Paths
from redrill.store import Store


@dataclass(frozen=True)
class Forgotten:
    attempts: int
    recordings: int
    interviews: int = 0


def _remove_audio(paths: Paths, audio_paths: list[str | None]) -> int:
    removed = 0
    for rel in audio_paths:
        if not rel:
            continue
        path = Path(rel) if Path(rel).is_absolute() else paths.home / rel
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            pass
    return removed


def forget_attempts(store: Store, paths: Paths, attempt_ids: list[int]) -> Forgotten:
    """Delete these attempts and their recordings, and the answers to follow-up questions asked
    after them (they belong to the answer being forgotten)."""
    from redrill.store import follow_ups_of

    gone = store.delete_attempts(list(attempt_ids) + follow_ups_of(store, attempt_ids))
    removed = _remove_audio(paths, [a.audio_path for a in gone])
    store.compact()
    return Forgotten(len(gone), removed)


def forget_question(store: Store, paths: Paths, question_id: str) -> Forgotten:
    """Delete every attempt at one question (and at its follow-up questions), its review history
    and drill state."""
    from redrill.follow_up_questions import follow_up_id
    from redrill.store import follow_ups_of

    ids = [a.id for a in store.attempts(question_id)] + [a.id for a in store.attempts(follow_up_id(question_id))]
    ids += follow_ups_of(store, ids)
    gone = store.delete_attempts(ids)
    with store.transaction() as db:
        db.execute("DELETE FROM reviews WHERE question_id = ?", (question_id,))
        db.execute("DELETE FROM question_state WHERE question_id = ?", (question_id,))
    removed = _remove_audio(paths, [a.audio_path for a in gone])
    store.compact()
    return Forgotten(len(gone), removed)


def forget_everything(store: Store, paths: Paths) -> Forgotten:
    """Delete all attempts, recordings, debriefs, flags, drill state, reviews, prep sets (job
    descriptions) and mock interviews."""
    attempts = store.attempts()
    with store.transaction() as db:
        interviews = db.execute("SELECT count(*) FROM interviews").fetchone()[0]
        tables = ("reviews", "attempts", "question_flags", "question_state", "interviews")
        for table in (*tables, "prep_sets", "mock_interviews"):
            db.execute(f"DELETE FROM {table}")
    removed = _remove_audio(paths, [a.audio_path for a in attempts])
    # Recordings the database no longer knows about (e.g. a crash between writing and storing).
    if paths.recordings.is_dir():
        for stray in paths.recordings.iterdir():
            if stray.is_file():
                stray.unlink()
                removed += 1
    store.compact()
    return Forgotten(len(attempts), removed, interviews)
