"""Recordings on disk that the database does not know: adopted, never lost.

An answer's recording is written (and fsynced) *before* its attempt row, so that nothing is lost if
what follows fails. If the row then cannot be written (the database held by another program for
longer than the busy timeout, a full disk, a kill between the two steps), the recording is an
orphan. It is kept; ``redrill doctor`` reports it; ``redrill transcribe --pending`` adds it as a
``recorded`` attempt and transcribes it. The question, source and time come from the tags redrill
writes into every recording (:func:`recording_tags`), else from the file's name.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

from redrill.owned import RECORDING_NAME
from redrill.paths import Paths

TAG_QUESTION_ID = "REDRILL_QUESTION_ID"
TAG_QUESTION_TEXT = "REDRILL_QUESTION_TEXT"
TAG_SOURCE = "REDRILL_SOURCE"
TAG_CREATED_AT = "REDRILL_CREATED_AT"


def recording_tags(question_id: str, question_text: str, source: str, created_at: datetime) -> dict[str, str]:
    """What a recording says about itself, for adoption if its row is never written."""
    return {
        TAG_QUESTION_ID: question_id,
        TAG_QUESTION_TEXT: question_text,
        TAG_SOURCE: source,
        TAG_CREATED_AT: created_at.astimezone(timezone.utc).isoformat(),
    }


def orphan_recordings(store, paths: Paths) -> list[Path]:
    """Recordings redrill made (named its way, non-empty) that no attempt refers to, oldest first."""
    folder = paths.recordings
    if not folder.is_dir():
        return []
    known = set()
    for (audio_path,) in store.db.execute("SELECT audio_path FROM attempts WHERE audio_path IS NOT NULL"):
        path = Path(audio_path)
        known.add(os.path.normpath(path if path.is_absolute() else paths.home / path))
    found = []
    for entry in sorted(folder.iterdir()):
        if not RECORDING_NAME.match(entry.name) or entry.is_symlink():
            continue
        try:
            if not entry.is_file() or entry.stat().st_size == 0:
                continue
        except OSError:
            continue
        if os.path.normpath(entry) not in known:
            found.append(entry)
    return found


def _created(path: Path, tags: dict[str, str]) -> datetime:
    try:
        moment = datetime.fromisoformat(tags[TAG_CREATED_AT])
        if moment.tzinfo is not None:
            return moment
    except (KeyError, ValueError):
        pass
    try:  # the name starts with the UTC time it was saved at
        return datetime.strptime(path.name[:15], "%Y%m%d-%H%M%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)


def adopt(store, paths: Paths, catalog, path: Path) -> int:
    """Store one orphan recording as a ``recorded`` attempt; returns its id."""
    from redrill.sound import SAMPLE_RATE
    from redrill.sound.audiofile import LENGTH_TAG, read_tags
    from redrill.store import SOURCES

    tags = read_tags(path)
    match = RECORDING_NAME.match(path.name)
    question_id = tags.get(TAG_QUESTION_ID) or (match["question"] if match else path.stem)
    question = catalog.questions.get(question_id) if catalog is not None else None
    text = tags.get(TAG_QUESTION_TEXT) or (question.text if question is not None else question_id)
    source = tags.get(TAG_SOURCE) if tags.get(TAG_SOURCE) in SOURCES else "microphone"
    try:
        seconds = round(int(tags[LENGTH_TAG]) / SAMPLE_RATE, 3)
    except (KeyError, ValueError):
        seconds = None
    rel = path.relative_to(paths.home) if path.is_relative_to(paths.home) else path
    return store.add_attempt(
        question_id=question_id,
        question_text=text,
        source=source,
        status="recorded",
        created_at=_created(path, tags),
        audio_path=str(rel),
        audio_seconds=seconds,
    )


def adopt_orphans(store, paths: Paths, catalog) -> list[int]:
    """Adopt every orphan recording; returns the new attempt ids."""
    return [adopt(store, paths, catalog, path) for path in orphan_recordings(store, paths)]
