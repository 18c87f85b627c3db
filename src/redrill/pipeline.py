"""The attempt pipeline: recording -> stored audio -> transcript -> metrics -> comparison -> schedule.

Order matters for the user's data: audio is written (and fsynced) and its attempt row stored as
``recorded`` *before* transcription starts, so a crash, a missing model or Ctrl-C never loses an
answer; ``redrill transcribe --pending`` finishes such attempts later.

The functions here do the I/O; the judgement (scoring, comparison, scheduling) is pure and lives in
``scoring``, ``comparison`` and ``schedule``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from redrill.banks import Catalog, Question, merge_talking_points
from redrill.config import Config
from redrill.errors import NoSpeechError, RedrillError
from redrill.paths import Paths
from redrill.sound import SAMPLE_RATE
from redrill.store import Attempt, Store, utcnow
from redrill.transcript import Transcript, from_text

# Longest answer redrill will take from an audio file; longer files are cut with a warning.
MAX_ANSWER_SECONDS = 30 * 60.0
# Longest typed answer: about 18,000 words, an hour and a half of speech (a 30-minute answer is
# about 30 KB). Scoring time grows with the text (10 MB took 24 s and 1.3 GB), so more is refused.
MAX_TEXT_BYTES = 100_000
TEXT_LIMIT_NOTE = " (about 18,000 words)"


@dataclass
class AttemptReport:
    """The outcome of one scored attempt, as shown to the user."""

    attempt_id: int
    question: Question
    metrics: dict
    comparison: dict
    feedback: list[str]
    transcript: Transcript | None = None
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        """The ``redrill answer --json`` object."""
        return {
            "attempt_id": self.attempt_id,
            "question_id": self.question.id,
            "question": self.question.text,
            "metrics": self.metrics,
            "history": self.comparison,
            "feedback": self.feedback,
            "warnings": self.warnings,
        }


def talking_points_for(store: Store, question: Question) -> tuple[str, ...]:
    """The bank's talking points plus the user's own (from debriefs), without repeats."""
    state = store.get_state(question.id)
    return tuple(merge_talking_points(question.talking_points, state.talking_points if state else ()))


def hinted_for(store: Store, question: Question, transcriber, config: Config):
    """``transcriber`` biased towards this question's words and talking points (``context_hints``)."""
    if not config.context_hints:
        return transcriber
    from redrill.transcription.whisper import recognition_hints, with_hints

    return with_hints(transcriber, recognition_hints(question.text, talking_points_for(store, question)))


def question_for(catalog: Catalog, attempt: Attempt) -> Question:
    """The question of a stored attempt; its text snapshot if the bank no longer has it."""
    q = catalog.questions.get(attempt.question_id)
    return q if q is not None else Question(id=attempt.question_id, text=attempt.question_text)


def scoring_settings(config: Config):
    """The scoring settings that follow from the user's config (pause threshold, pace band)."""
    from redrill.scoring import ScoringSettings

    return ScoringSettings(long_pause_s=config.long_pause_seconds, pace_wpm=tuple(config.pace_wpm))


def compute_metrics(store: Store, question: Question, transcript: Transcript, config: Config) -> dict:
    """Score one transcript for this question (pure scoring, with the user's talking points)."""
    from redrill.scoring import score

    settings = scoring_settings(config)
    metrics = score(
        transcript,
        target_seconds=question.target_seconds,
        talking_points=talking_points_for(store, question),
        question_text=question.text,
        settings=settings,
    )
    return metrics.to_json()


def _history(
    store: Store, question_id: str, *, before: datetime | None, exclude_id: int | None
) -> tuple[list[dict], list[dict]]:
    """Earlier attempts' metrics: (this question, all questions), oldest first."""
    same, everything = [], []
    for attempt_id, qid, created, metrics in store.scored_metrics():
        if attempt_id == exclude_id or (before is not None and created > before):
            continue
        everything.append(metrics)
        if qid == question_id:
            same.append(metrics)
    return same, everything


def score_transcript(
    store: Store,
    question: Question,
    transcript: Transcript,
    config: Config,
    *,
    source: str,
    now: datetime | None = None,
    attempt_id: int | None = None,
) -> AttemptReport:
    """Score a transcript against the user's earlier attempts, store it, and update the schedule.

    With ``attempt_id`` the stored (recorded/transcribed) attempt is completed; otherwise a new
    attempt is stored. An answer with no words raises :class:`NoSpeechError` and stores nothing.
    """
    from redrill.scoring.comparison import compare
    from redrill.scoring.feedback import feedback

    if not transcript.words:
        raise NoSpeechError("no speech found in the answer, so nothing was scored or stored")
    metrics = compute_metrics(store, question, transcript, config)
    if not metrics.get("words"):
        raise NoSpeechError("only filler words found in the answer (no content), so nothing was scored or stored")
    created = now or utcnow()
    if attempt_id is not None:
        created = store.get_attempt(attempt_id).created_at
    same, everything = _history(store, question.id, before=created, exclude_id=attempt_id)
    comparison = compare(metrics, same, fallback=everything, pace_wpm=tuple(config.pace_wpm))
    notes = feedback(
        metrics, comparison, talking_points=talking_points_for(store, question), settings=scoring_settings(config)
    )
    comparison_json = comparison.to_json()
    with store.transaction():
        if attempt_id is None:
            attempt_id = store.add_attempt(
                question_id=question.id,
                question_text=question.text,
                source=source,
                status="scored",
                created_at=created,
                transcript=transcript.to_json(),
                metrics=metrics,
            )
        else:
            store.update_attempt(
                attempt_id, status="scored", transcript=transcript.to_json(), metrics=metrics, error=None
            )
        from redrill.schedule import record_attempt_review

        record_attempt_review(
            store,
            question_id=question.id,
            attempt_id=attempt_id,
            metrics=metrics,
            comparison=comparison_json,
            now=now or utcnow(),
        )
    return AttemptReport(attempt_id, question, metrics, comparison_json, notes.to_json(), transcript)


def score_text(
    store: Store, question: Question, text: str, config: Config, *, now: datetime | None = None
) -> AttemptReport:
    """Score a typed answer (no timings: timing metrics are reported as unavailable)."""
    size = len(text.encode("utf-8", errors="replace"))
    if size > MAX_TEXT_BYTES:
        raise RedrillError(
            f"the answer is {size:,} bytes of text; the limit is {MAX_TEXT_BYTES:,}{TEXT_LIMIT_NOTE}, "
            "far more than any spoken answer"
        )
    return score_transcript(store, question, from_text(text), config, source="text", now=now)


# --- audio ------------------------------------------------------------------------------------


def save_recording(
    store: Store,
    paths: Paths,
    config: Config,
    question: Question,
    samples,
    *,
    source: str = "microphone",
    now: datetime | None = None,
) -> int:
    """Write the answer's audio as Ogg/Opus (fsynced) and store the attempt as ``recorded``.

    ``samples`` are 16 kHz mono float32. Returns the attempt id.
    """
    import sqlite3

    from redrill.orphans import recording_tags
    from redrill.sound.audiofile import write_opus

    now = now or utcnow()
    paths.ensure()
    name = f"{now:%Y%m%d-%H%M%S}-{question.id}-{uuid.uuid4().hex[:6]}.ogg"
    target = paths.recordings / name
    write_opus(
        target, samples, bitrate=config.opus_bitrate, tags=recording_tags(question.id, question.text, source, now)
    )
    try:
        return store.add_attempt(
            question_id=question.id,
            question_text=question.text,
            source=source,
            status="recorded",
            created_at=now,
            audio_path=str(target.relative_to(paths.home)),
            audio_seconds=round(len(samples) / SAMPLE_RATE, 3),
        )
    except (sqlite3.Error, RedrillError) as exc:
        # The answer is on disk (fsynced) and says which question it answers: keep it for adoption.
        raise RecordingKept(target, exc) from None


class RecordingKept(RedrillError):
    """The answer's recording was saved but its attempt could not be stored; the file is kept and
    ``redrill transcribe --pending`` adds it later (see :mod:`redrill.orphans`)."""

    def __init__(self, path: Path, cause: Exception):
        self.path = path
        reason = str(cause)
        if "locked" in reason or "busy" in reason:
            reason = f"{reason}: another program is holding the database"
        super().__init__(
            f"could not store the answer in the database ({reason}). The recording is kept: {path}. "
            "Once the database is free, `redrill transcribe --pending` adds it and transcribes it"
        )


def import_audio_file(
    store: Store,
    paths: Paths,
    config: Config,
    question: Question,
    audio_file: Path,
    *,
    now: datetime | None = None,
) -> tuple[int, list[str]]:
    """Copy an answer from an audio file into the store (as Opus) before anything else happens.

    Returns the attempt id and warnings (e.g. the file was cut at the maximum length).
    """
    from redrill.sound.audiofile import load_audio

    audio = load_audio(Path(audio_file), max_seconds=MAX_ANSWER_SECONDS)
    warnings = []
    if audio.truncated:
        # A pipe is not read past the cap, so its full length is not known.
        length = (
            f"{_length(audio.original_seconds)} long"
            if audio.length_known
            else f"longer than {_length(MAX_ANSWER_SECONDS)}"
        )
        warnings.append(
            f"{audio_file} is {length}; only the first {_length(MAX_ANSWER_SECONDS)} were kept as the answer"
        )
    if len(audio.samples) == 0:
        raise RedrillError(f"{audio_file} contains no audio samples")
    attempt_id = save_recording(store, paths, config, question, audio.samples, source="audio_file", now=now)
    return attempt_id, warnings


def _length(seconds: float) -> str:
    """``3660`` -> ``61 minutes``, ``8.2`` -> ``8 s``: whole units a user reads at a glance."""
    return f"{seconds / 60:.0f} minutes" if seconds >= 90 else f"{seconds:.0f} s"


def audio_file_of(paths: Paths, attempt: Attempt) -> Path:
    """Where an attempt's recording is on disk."""
    if not attempt.audio_path:
        raise RedrillError(f"attempt #{attempt.id} has no recording (it was {attempt.source.replace('_', ' ')})")
    path = Path(attempt.audio_path)
    return path if path.is_absolute() else paths.home / path


def finish_attempt(
    store: Store,
    catalog: Catalog,
    attempt_id: int,
    transcriber,
    config: Config,
    *,
    paths: Paths | None = None,
    now: datetime | None = None,
    transcript: Transcript | None = None,
    progress=None,
) -> AttemptReport:
    """Transcribe a stored recording and score it. On failure the attempt stays stored with the error.

    ``progress(done_seconds, total_seconds)`` is told how far transcription has got.

    ``transcript`` is given when the answer was already transcribed while it was being recorded
    (streaming); it is stored and scored without transcribing again.

    A recording with no words at all is removed (there is nothing in it to keep) and
    :class:`NoSpeechError` is raised.
    """
    from redrill.sound.audiofile import load_audio

    paths = paths or Paths(store.path.parent)
    attempt = store.get_attempt(attempt_id)
    question = question_for(catalog, attempt)
    audio_path = audio_file_of(paths, attempt)
    if transcript is not None:
        store.update_attempt(attempt_id, status="transcribed", transcript=transcript.to_json(), error=None)
    elif attempt.status == "transcribed" and attempt.transcript:
        transcript = Transcript.from_json(attempt.transcript)
    else:
        from redrill.transcription.streaming import transcribe_answer

        audio = load_audio(audio_path, max_seconds=MAX_ANSWER_SECONDS)
        try:
            # Chunked at pauses exactly as the live drill streams it, so both give the same words.
            transcript = transcribe_answer(
                hinted_for(store, question, transcriber, config), audio.samples, progress=progress
            )
        except RedrillError as err:
            store.update_attempt(attempt_id, error=str(err))
            raise
        store.update_attempt(attempt_id, status="transcribed", transcript=transcript.to_json(), error=None)
    try:
        return score_transcript(
            store, question, transcript, config, source=attempt.source, now=now, attempt_id=attempt_id
        )
    except NoSpeechError:
        from redrill.owned import delete_recording

        store.delete_attempts([attempt_id])
        delete_recording(paths, attempt.audio_path)  # only redrill's own file, never through a link
        raise


def withdraw_attempt(store: Store, paths: Paths, attempt_id: int, state_before) -> Path | None:
    """Take an attempt back as if it had never been made: its row and its schedule review go, and
    the question's schedule state is put back to ``state_before`` (what
    :meth:`Store.get_state` returned before the attempt was scored; None: the question had no
    state). Returns its recording's path (the caller removes the file when it suits, e.g. at the
    end of the session), or None when it had none.
    """
    attempt = store.get_attempt(attempt_id)
    path = audio_file_of(paths, attempt) if attempt.audio_path else None
    with store.transaction() as db:
        db.execute("DELETE FROM reviews WHERE attempt_id = ?", (attempt_id,))
        if attempt.status == "scored":
            if state_before is None:
                db.execute("DELETE FROM question_state WHERE question_id = ?", (attempt.question_id,))
            else:
                store.set_state(
                    attempt.question_id,
                    now=state_before.updated_at,
                    talking_points=state_before.talking_points,
                    weak=state_before.weak,
                    mastered=state_before.mastered,
                    card=state_before.card,
                    due=state_before.due,
                )
        store.delete_attempts([attempt_id])
    return path


def rescore_all(store: Store, catalog: Catalog, config: Config) -> tuple[int, int]:
    """Recompute every stored attempt's metrics from its stored transcript.

    Returns (rescored, skipped). Attempts without a transcript are skipped.
    """
    done = skipped = 0
    for attempt in store.attempts():
        if not attempt.transcript:
            skipped += 1
            continue
        question = question_for(catalog, attempt)
        transcript = Transcript.from_json(attempt.transcript)
        if not transcript.words:
            skipped += 1
            continue
        metrics = compute_metrics(store, question, transcript, config)
        store.update_attempt(attempt.id, metrics=metrics, status="scored")
        done += 1
    return done, skipped
