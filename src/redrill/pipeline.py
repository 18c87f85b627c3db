"""The attempt pipeline: recording -> stored audio -> transcript -> metrics -> comparison -> schedule.

One :class:`AttemptPipeline` serves every way an attempt is scored (the drill, ``answer``,
``transcribe``, ``rescore``) and shown (``show``), so they all give the same verdict. Scoring one
attempt is three steps, each done once:

1. :meth:`AttemptPipeline.history` reads everything the judgement needs from the store: the
   question's schedule state, its talking points (the bank's and the user's own), the earlier
   attempts at it and at every question, and those since it was last flagged;
2. :meth:`AttemptPipeline.judge` is pure: score, compare with the history, feedback, and the
   review that the schedule plans (:func:`redrill.schedule.plan_review`);
3. :meth:`AttemptPipeline.score` writes the attempt, its review and the question's new schedule
   state in one transaction and returns the :class:`AttemptReport`, review included.

Order matters for the user's data: audio is written (and fsynced) and its attempt row stored as
``recorded`` *before* transcription starts, so a crash, a missing model or Ctrl-C never loses an
answer; ``redrill transcribe --pending`` finishes such attempts later.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from redrill.banks import Catalog, Question, merge_talking_points
from redrill.config import Config
from redrill.errors import NoSpeechError, RedrillError
from redrill.follow_up_questions import is_follow_up_id
from redrill.paths import Paths
from redrill.schedule import Review, plan_review, review_line
from redrill.scoring import Coverage, Metrics, ScoringSettings, score
from redrill.scoring.advice import answer_kind
from redrill.scoring.comparison import Comparison, compare
from redrill.scoring.feedback import Feedback, feedback
from redrill.scoring.metrics import Voice
from redrill.scoring.voice import PitchFrames, voice_figures
from redrill.sound import SAMPLE_RATE
from redrill.store import Attempt, QuestionState, Store, utcnow
from redrill.transcript import Transcript, from_text
from redrill.transcription.repeats import Heard, hear

# Longest answer redrill will take from an audio file; longer files are cut with a warning.
MAX_ANSWER_SECONDS = 30 * 60.0
# Longest typed answer: about 18,000 words, an hour and a half of speech (a 30-minute answer is
# about 30 KB). Scoring time grows with the text (10 MB took 24 s and 1.3 GB), so more is refused.
MAX_TEXT_BYTES = 100_000
TEXT_LIMIT_NOTE = " (about 18,000 words)"
# Speech (by the voice-activity detector) that makes an answer worth keeping when no words came out of it.
KEEP_UNHEARD_SPEECH_S = 1.0


@dataclass
class AttemptReport:
    """The outcome of one scored attempt, as shown to the user."""

    attempt_id: int
    question: Question
    metrics: Metrics
    comparison: Comparison
    feedback: Feedback
    transcript: Transcript | None = None
    review: Review | None = None  # None when shown later (``show``) rather than just scored
    warnings: list[str] = field(default_factory=list)
    reviewed_at: datetime | None = None  # when the review was planned (``review`` is relative to it)

    def review_text(self, tz=None) -> str | None:
        """``Hard - back on Thursday``: the rating and when the question comes back (None: no review)."""
        if self.review is None or self.reviewed_at is None:
            return None
        return review_line(self.review, self.reviewed_at, tz=tz)

    def to_json(self) -> dict:
        """The ``redrill answer --json`` object."""
        return {
            "attempt_id": self.attempt_id,
            "question_id": self.question.id,
            "question": self.question.text,
            "metrics": self.metrics.to_dict(),
            "history": self.comparison.to_json(),
            "feedback": self.feedback.to_json(),
            "self_check": list(self.question.self_check),
            "review": None
            if self.review is None
            else {
                "rating": self.review.rating.name,
                "reasons": list(self.review.rating.reasons),
                "due": None if self.review.due is None else self.review.due.isoformat(),
                "weak": self.review.weak,
                "left_weak_list": self.review.left_weak_list,
                "line": self.review_text(),
            },
            "warnings": self.warnings,
        }


@dataclass(frozen=True)
class History:
    """What the store knows that judging one attempt needs, read once (oldest attempts first)."""

    state: QuestionState | None
    talking_points: tuple[str, ...]
    same: tuple[Metrics, ...] = ()  # earlier attempts at this question
    everything: tuple[Metrics, ...] = ()  # earlier attempts at any question
    # (when, metrics) of the earlier attempts at it since it was last flagged weak
    since_flag: tuple[tuple[datetime, Metrics], ...] = ()


@dataclass(frozen=True)
class Judgement:
    """The pure outcome of judging one transcript against its history."""

    metrics: Metrics
    comparison: Comparison
    feedback: Feedback
    review: Review


@dataclass(frozen=True)
class VoiceInput:
    """What the voice figures of one answer are measured from: its recording's frames (None when
    they could not be measured, ``warnings`` say why) and the silence cut before the recording."""

    frames: Sequence[PitchFrames] | None
    lead_s: float | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rescored:
    """What ``rescore`` did: attempts rescored, skipped (no words), with voice figures, and warnings."""

    rescored: int
    skipped: int
    voiced: int = 0
    warnings: tuple[str, ...] = ()


class Searched:
    """A recognizer whose transcripts carry what the audio search hears in the same piece: the
    filled pauses and restarts the words leave out (:func:`redrill.scoring.disfluency_audio.detect`).

    Streaming transcribes an answer in pieces while it is spoken; searching each piece as soon as
    it is transcribed (on the same worker) leaves nothing but the last piece to search when the
    answer ends. The whole-answer path transcribes the same pieces through the same wrapper, so
    both give the same result (:func:`redrill.transcription.streaming.merge` joins the pieces).
    """

    def __init__(self, inner):
        self.inner = inner

    @property
    def model_name(self) -> str | None:
        return getattr(self.inner, "model_name", None)

    def transcribe(self, samples, *, offset_s: float = 0.0) -> Transcript:
        """The words of ``samples`` (16 kHz mono) from ``offset_s``, with the audio search's finds."""
        return self.search(self.hear(samples, offset_s=offset_s), samples, offset_s=offset_s)

    def hear(self, samples, *, offset_s: float = 0.0) -> Heard:
        """The first half of :meth:`transcribe`: the recognizer's words alone, and its judge of
        repeats in them when it offers one (:mod:`redrill.transcription.repeats`)."""
        return hear(self.inner, samples, offset_s=offset_s)

    @staticmethod
    def search(heard: Heard, samples, *, offset_s: float = 0.0) -> Transcript:
        """The second half of :meth:`transcribe`: the words of ``samples`` with what the audio
        search finds in them. It needs the model only for the few repeats the sound alone leaves
        open, so it may run beside the next piece's words
        (:func:`redrill.transcription.streaming.transcribe_answer`)."""
        from redrill.scoring.disfluency_audio import with_audio_disfluencies

        part = heard.transcript
        if not part.words:  # nothing to compare the sound with: nothing found (and nothing to do)
            return dataclasses.replace(part, audio_disfluencies=())
        return with_audio_disfluencies(part, samples, offset_s=offset_s, judge=heard.judge)


def measure_voice(samples, transcript: Transcript, *, lead_s: float | None = 0.0) -> Voice:
    """The voice figures of a whole recording (16 kHz mono) with its transcript: Praat's frames
    (:func:`redrill.sound.prosody.analyse_answer`) made into figures (:func:`voice_figures`)."""
    from redrill.sound.prosody import analyse_answer

    return voice_figures(analyse_answer(samples), transcript, lead_s=lead_s)


def lead_of(attempt: Attempt, lead_s: float | None) -> float | None:
    """The silence before an attempt's stored recording: an imported file is kept whole (0); the
    recorder trims the silence before the answer, which only the drill knows (``lead_s``)."""
    if attempt.source == "audio_file":
        return 0.0
    return lead_s


def question_for(catalog: Catalog, attempt: Attempt) -> Question:
    """The question of a stored attempt; its text snapshot if the bank no longer has it."""
    q = catalog.questions.get(attempt.question_id)
    return q if q is not None else Question(id=attempt.question_id, text=attempt.question_text)


def talking_points_for(store: Store, question: Question) -> tuple[str, ...]:
    """The bank's talking points plus the user's own (from debriefs), without repeats."""
    state = store.get_state(question.id)
    return _points(question, state)


def _points(question: Question, state: QuestionState | None) -> tuple[str, ...]:
    return tuple(merge_talking_points(question.talking_points, state.talking_points if state else ()))


def scoring_settings(config: Config) -> ScoringSettings:
    """The scoring settings that follow from the user's config (pause threshold, pace band)."""
    low, high = config.pace_wpm
    return ScoringSettings(long_pause_s=config.long_pause_seconds, pace_wpm=(low, high))


def _later(created: datetime, attempt_id: int, before: datetime, own_id: int | None) -> bool:
    """Whether an attempt came after the one being judged (made at ``before``, id ``own_id``)."""
    if own_id is None or created != before:
        return created > before
    return attempt_id > own_id


class AttemptPipeline:
    """Scores attempts for one store and one user's settings (see the module docstring)."""

    def __init__(self, store: Store, config: Config, *, paths: Paths | None = None, clock=utcnow):
        self.store = store
        self.config = config
        self.paths = paths or Paths(store.path.parent)
        self.clock = clock
        self.settings = scoring_settings(config)

    # -- 1. read once

    def history(self, question: Question, *, before: datetime | None = None, exclude_id: int | None = None) -> History:
        """The state, talking points and earlier attempts that judging an answer to ``question``
        needs: attempts made up to ``before`` (all when None), without ``exclude_id``."""
        state = self.store.get_state(question.id)
        flagged = None
        if state is not None and state.weak:
            flagged = max((f.created_at for f in self.store.flags(question_id=question.id)), default=None)
        same: list[Metrics] = []
        everything: list[Metrics] = []
        since_flag: list[tuple[datetime, Metrics]] = []
        for attempt_id, qid, created, metrics in self.store.scored_metrics():
            if attempt_id == exclude_id or (before is not None and _later(created, attempt_id, before, exclude_id)):
                continue
            everything.append(metrics)
            if qid == question.id:
                same.append(metrics)
                if flagged is None or created >= flagged:
                    since_flag.append((created, metrics))
        return History(state, _points(question, state), tuple(same), tuple(everything), tuple(since_flag))

    # -- 2. judge (pure)

    def measure(
        self,
        question: Question,
        transcript: Transcript,
        talking_points: tuple[str, ...],
        *,
        voice: VoiceInput | None = None,
    ) -> Metrics:
        """Score one transcript for this question with the user's settings and talking points;
        with ``voice`` (the recording's frames) the voice figures too."""
        metrics = score(
            transcript,
            target_seconds=question.target_seconds,
            talking_points=talking_points,
            question_text=question.text,
            settings=self.settings,
        )
        if voice is not None and voice.frames is not None:
            figures = voice_figures(voice.frames, transcript, lead_s=voice.lead_s)
            metrics = dataclasses.replace(metrics, voice=figures)
        return metrics

    def judge(
        self,
        question: Question,
        transcript: Transcript,
        history: History,
        *,
        now: datetime,
        voice: VoiceInput | None = None,
    ) -> Judgement:
        """Score, compare with the history, say what to work on and plan the review. No I/O.

        Raises :class:`NoSpeechError` when the answer has no words (or only fillers).
        """
        if not transcript.words:
            raise NoSpeechError("no speech found in the answer, so nothing was scored or stored")
        metrics = self.measure(question, transcript, history.talking_points, voice=voice)
        if not metrics.words:
            raise NoSpeechError("only filler words found in the answer (no content), so nothing was scored or stored")
        return self._verdict(question, metrics, history, now=now)

    def _verdict(self, question: Question, metrics: Metrics, history: History, *, now: datetime) -> Judgement:
        comparison = compare(metrics, history.same, fallback=history.everything, pace_wpm=self.settings.pace_wpm)
        notes = feedback(
            metrics,
            comparison,
            talking_points=history.talking_points,
            settings=self.settings,
            kind=answer_kind(question.tags, question.target_seconds, question.id),
        )
        review = plan_review(history.state, metrics, comparison, history.since_flag, question_id=question.id, now=now)
        return Judgement(metrics, comparison, notes, review)

    # -- 3. write once

    def score(
        self,
        question: Question,
        transcript: Transcript,
        *,
        source: str,
        now: datetime | None = None,
        stored: Attempt | None = None,
        history: History | None = None,
        voice: VoiceInput | None = None,
    ) -> AttemptReport:
        """Judge a transcript against the user's earlier attempts and store it with its review.

        With ``stored`` (a recorded/transcribed attempt) that attempt is completed; otherwise a new
        attempt is stored. ``history`` is read when not given. An answer with no words raises
        :class:`NoSpeechError` and stores nothing. ``voice`` carries the recording's frames for the
        voice figures (None: no recording).
        """
        now = now or self.clock()
        created = stored.created_at if stored is not None else now
        if history is None:
            history = self.history(question, before=created, exclude_id=stored.id if stored else None)
        verdict = self.judge(question, transcript, history, now=now, voice=voice)
        with self.store.transaction():
            if stored is None:
                attempt_id = self.store.add_attempt(
                    question_id=question.id,
                    question_text=question.text,
                    source=source,
                    status="scored",
                    created_at=created,
                    transcript=transcript.to_json(),
                    metrics=verdict.metrics,
                )
            else:
                attempt_id = stored.id
                self.store.update_attempt(
                    attempt_id, status="scored", transcript=transcript.to_json(), metrics=verdict.metrics, error=None
                )
            # A follow-up answer has its own history but no schedule: the question it followed has one.
            if not is_follow_up_id(question.id):
                self.store_review(question.id, attempt_id, verdict.review, now=now)
        return AttemptReport(
            attempt_id,
            question,
            verdict.metrics,
            verdict.comparison,
            verdict.feedback,
            transcript,
            verdict.review,
            reviewed_at=now,
            warnings=list(voice.warnings) if voice is not None else [],
        )

    def store_review(self, question_id: str, attempt_id: int, review: Review, *, now: datetime) -> None:
        """Log one review and move the question's schedule on (card, due, off the weak list)."""
        fields: dict[str, Any] = {"card": review.card, "due": review.due}
        if review.left_weak_list:
            fields["weak"] = False
        with self.store.transaction():
            self.store.set_state(question_id, now=now, **fields)
            self.store.add_review(
                question_id=question_id,
                attempt_id=attempt_id,
                rating=review.rating.rating,
                reviewed_at=now,
                due=review.due,
            )

    def score_text(self, question: Question, text: str, *, now: datetime | None = None) -> AttemptReport:
        """Score a typed answer (no timings: timing metrics are reported as unavailable)."""
        size = len(text.encode("utf-8", errors="replace"))
        if size > MAX_TEXT_BYTES:
            raise RedrillError(
                f"the answer is {size:,} bytes of text; the limit is {MAX_TEXT_BYTES:,}{TEXT_LIMIT_NOTE}, "
                "far more than any spoken answer"
            )
        return self.score(question, from_text(text), source="text", now=now)

    def finish(
        self,
        catalog: Catalog,
        attempt_id: int,
        transcriber,
        *,
        now: datetime | None = None,
        transcript: Transcript | None = None,
        samples=None,
        progress=None,
        frames: list[PitchFrames] | None = None,
        lead_s: float | None = None,
    ) -> AttemptReport:
        """Transcribe a stored recording and score it. On failure the attempt stays stored with the error.

        ``progress(done_seconds, total_seconds)`` is told how far transcription has got.
        ``transcript`` is given when the answer was already transcribed while it was being recorded
        (streaming); it is stored and scored without transcribing again, ``samples`` (the audio it
        was transcribed from) save reading the recording back, and ``frames`` are its voice frames,
        analysed while it was spoken (:class:`~redrill.sound.prosody.VoiceStream`; without them the
        recording is analysed). Either way each piece's audio is searched for the filled pauses and
        restarts its words leave out (:class:`Searched`, the same pieces whether streamed or
        transcribed afterwards, so both give the same result); a transcript that comes without that
        search (stored by an older redrill, or from a recognizer that was not wrapped) is searched
        here, on the whole answer.
        ``lead_s``: the silence the recorder cut before the stored audio (for the delay before the
        first word; None when unknown). A recording with no speech in it (by the voice-activity
        detector, and no words) is removed and :class:`NoSpeechError` is raised. One with speech the
        recognizer found no words in is kept, as ``recorded`` with the reason, and a
        :class:`RedrillError` says so: nothing spoken is deleted because a model or a setting failed.
        """
        from redrill.scoring.disfluency_audio import with_audio_disfluencies
        from redrill.sound.audiofile import load_audio

        store = self.store
        attempt = store.get_attempt(attempt_id)
        question = question_for(catalog, attempt)
        history = self.history(question, before=attempt.created_at, exclude_id=attempt_id)
        audio_path = audio_file_of(self.paths, attempt)
        lead_s = lead_of(attempt, lead_s)
        voice = VoiceInput(frames, lead_s) if frames is not None else None

        def audio():
            nonlocal samples
            if samples is None:
                samples = load_audio(audio_path, max_seconds=MAX_ANSWER_SECONDS).samples
            return samples

        if transcript is not None:
            store.update_attempt(attempt_id, status="transcribed", transcript=transcript.to_json(), error=None)
        elif attempt.status == "transcribed" and attempt.transcript:
            transcript = Transcript.from_json(attempt.transcript)
        else:
            from concurrent.futures import ThreadPoolExecutor

            from redrill.transcription.streaming import transcribe_answer
            from redrill.transcription.whisper import with_hints

            try:
                # Chunked at pauses exactly as the live drill streams it, so both give the same words.
                hinted = with_hints(transcriber, self._hints(question, history.talking_points))
                # One worker beside the model: the voice frames first, then each piece's audio
                # search (Praat on one thread at a time), while the model hears the next piece.
                with ThreadPoolExecutor(max_workers=1, thread_name_prefix="redrill-search") as worker:
                    voiced = worker.submit(self.voice_of, audio(), lead_s) if voice is None else None
                    transcript = transcribe_answer(Searched(hinted), audio(), progress=progress, worker=worker)
                    if voiced is not None:
                        voice = voiced.result()
            except RedrillError as err:
                store.update_attempt(attempt_id, error=str(err))
                raise
            store.update_attempt(attempt_id, status="transcribed", transcript=transcript.to_json(), error=None)
        if voice is None and (samples is not None or audio_path.exists()):
            voice = self.voice_of(audio(), lead_s)
        if transcript.audio_disfluencies is None and transcript.words and (samples is not None or audio_path.exists()):
            transcript = with_audio_disfluencies(transcript, audio())
        try:
            return self.score(
                question, transcript, source=attempt.source, now=now, stored=attempt, history=history, voice=voice
            )
        except NoSpeechError:
            heard = _speech_seconds(transcript)
            if not transcript.words and (heard is None or heard >= KEEP_UNHEARD_SPEECH_S):
                # The detector heard speech but the recognizer wrote nothing: a model or a setting
                # failed, not the user. Keep the recording, to be transcribed afresh once that is fixed.
                spoken = "speech" if heard is None else f"{heard:.0f} s of speech"
                message = (
                    f"the recognizer found no words in {spoken} (attempt #{attempt_id} is kept, not scored); "
                    "check the model and settings with `redrill doctor`"
                )
                store.update_attempt(attempt_id, status="recorded", transcript=None, error=message)
                raise RedrillError(message) from None
            from redrill.owned import delete_recording

            store.delete_attempts([attempt_id])
            delete_recording(self.paths, attempt.audio_path)  # only redrill's own file, never through a link
            raise

    def hints(self, question: Question) -> str | None:
        """What the recognizer is told to expect for this question: its text and talking points
        (``context_hints``; None when switched off). The same for streaming and whole answers."""
        return self._hints(question, talking_points_for(self.store, question))

    def _hints(self, question: Question, talking_points: tuple[str, ...]) -> str | None:
        if not self.config.context_hints:
            return None
        from redrill.transcription.whisper import recognition_hints

        return recognition_hints(question.text, talking_points)

    # -- showing and rescoring

    def view(self, catalog: Catalog, attempt: Attempt) -> AttemptReport:
        """The report a stored, scored attempt got: the same judgement against the attempts made
        before it (for ``redrill show``). Nothing is written."""
        if attempt.metrics is None:
            raise RedrillError(f"attempt #{attempt.id} is not scored yet")
        question = question_for(catalog, attempt)
        history = self.history(question, before=attempt.created_at, exclude_id=attempt.id)
        verdict = self._verdict(question, attempt.metrics, history, now=attempt.created_at)
        transcript = Transcript.from_json(attempt.transcript) if attempt.transcript else None
        return AttemptReport(attempt.id, question, verdict.metrics, verdict.comparison, verdict.feedback, transcript)

    def voice_of(self, samples, lead_s: float | None) -> VoiceInput:
        """The voice frames of a recording (16 kHz mono); a failure to measure them is a warning,
        never a lost answer."""
        try:
            from redrill.sound.prosody import analyse_answer

            return VoiceInput(analyse_answer(samples), lead_s)
        except ImportError as exc:
            why = f"{exc.name or 'praat-parselmouth'} is not installed (pip install praat-parselmouth)"
        except Exception as exc:  # Praat refuses odd audio; the words are still scored
            why = f"{type(exc).__name__}: {exc}"
        return VoiceInput(None, lead_s, (f"voice figures not measured: {why}",))

    def recorded_voice(self, attempt: Attempt) -> VoiceInput | None:
        """The voice frames of a stored attempt's recording, or None when it has none (any more)."""
        from redrill.sound.audiofile import load_audio

        if not attempt.audio_path:
            return None
        path = audio_file_of(self.paths, attempt)
        if not path.exists():
            return None
        old = attempt.metrics.voice if attempt.metrics is not None else None
        lead_s = lead_of(attempt, old.lead_s if old is not None else None)
        try:
            samples = load_audio(path, max_seconds=MAX_ANSWER_SECONDS).samples
        except RedrillError as err:
            return VoiceInput(None, lead_s, (f"voice figures not measured: {err}",))
        return self.voice_of(samples, lead_s)

    def voice_strip(self, attempt: Attempt, *, when: str = "") -> dict | None:
        """The report's pitch and loudness strip of a stored attempt (from its recording), or None
        when it has no recording, no timed words or no voice figures."""
        from redrill.tracking.voicestrip import strip_data

        if attempt.metrics is None or attempt.metrics.voice is None or not attempt.transcript:
            return None
        voice = self.recorded_voice(attempt)
        if voice is None or voice.frames is None:
            return None
        transcript = Transcript.from_json(attempt.transcript)
        return strip_data(voice.frames, transcript, attempt.metrics.voice, attempt_id=attempt.id, when=when)

    def rescore_all(self, catalog: Catalog, *, progress=None) -> Rescored:
        """Recompute every stored attempt's metrics from its stored transcript, and its voice figures
        from its recording (reviews are history: they are not redone). Attempts without words are
        skipped; an attempt whose recording is gone keeps the voice figures it had.
        ``progress(done, total)`` is told how far it has got (analysing recordings takes a while)."""
        done = skipped = voiced = 0
        warnings: list[str] = []
        points: dict[str, tuple[str, ...]] = {}
        attempts = self.store.attempts()
        for i, attempt in enumerate(attempts):
            if progress is not None:
                progress(i, len(attempts))
            transcript = Transcript.from_json(attempt.transcript) if attempt.transcript else None
            if transcript is None or not transcript.words:
                skipped += 1
                continue
            question = question_for(catalog, attempt)
            if question.id not in points:
                points[question.id] = talking_points_for(self.store, question)
            voice = self.recorded_voice(attempt)
            metrics = self.measure(question, transcript, points[question.id], voice=voice)
            if attempt.metrics is not None:  # the user's ticks are theirs, not recomputed
                metrics = dataclasses.replace(metrics, self_check=attempt.metrics.self_check)
            if metrics.voice is None and attempt.metrics is not None and attempt.metrics.voice is not None:
                metrics = dataclasses.replace(metrics, voice=attempt.metrics.voice)
            if voice is not None:
                warnings += [f"attempt #{attempt.id}: {w}" for w in voice.warnings]
            voiced += metrics.voice is not None
            self.store.update_attempt(attempt.id, metrics=metrics, status="scored")
            done += 1
        if progress is not None:
            progress(len(attempts), len(attempts))
        return Rescored(done, skipped, voiced, tuple(warnings))


def tick_self_check(store: Store, attempt_id: int, prompts: Sequence[str], ticked: Sequence[str]) -> Metrics:
    """Store which of the question's self-check prompts the user ticked for a scored attempt.

    Ticks are the user's own judgement of the answer's shape; they are kept with its metrics (so
    export, ``show`` and ``rescore`` keep them) and never change a figure or the review.
    """
    attempt = store.get_attempt(attempt_id)
    if attempt.metrics is None:
        raise RedrillError(f"attempt #{attempt_id} is not scored yet, so there is nothing to tick")
    chosen = {p.casefold() for p in ticked}
    unknown = [p for p in ticked if p.casefold() not in {q.casefold() for q in prompts}]
    if unknown:
        raise RedrillError(f"not a self-check prompt of this question: {unknown[0]}")
    coverage = Coverage(
        tuple(p for p in prompts if p.casefold() in chosen), tuple(p for p in prompts if p.casefold() not in chosen)
    )
    metrics = dataclasses.replace(attempt.metrics, self_check=coverage)
    store.update_attempt(attempt_id, metrics=metrics)
    return metrics


# --- audio ------------------------------------------------------------------------------------


def _speech_seconds(transcript: Transcript) -> float | None:
    """Seconds of speech the voice-activity detector found (None: not known)."""
    if transcript.speech is None:
        return None
    return sum(max(0.0, end - start) for start, end in transcript.speech)


def save_recording(
    store: Store,
    paths: Paths,
    config: Config,
    question: Question,
    samples,
    *,
    source: str = "microphone",
    now: datetime | None = None,
    writer=None,
) -> int:
    """Write the answer's audio as Ogg/Opus (fsynced) and store the attempt as ``recorded``.

    ``samples`` are 16 kHz mono float32. Returns the attempt id. ``writer``: an
    :class:`~redrill.sound.opuswriter.OpusWriter` that encoded the answer while it was spoken
    (then only its last seconds are encoded now).
    """
    import sqlite3

    from redrill.orphans import recording_tags
    from redrill.sound.audiofile import write_opus

    now = now or utcnow()
    paths.ensure()
    name = recording_name(question.id, now)
    target = paths.recordings / name
    if writer is None or not writer.finish(target, samples):
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


def recording_name(question_id: str, now: datetime) -> str:
    """The file name of a new recording: time, question and a random tag. A follow-up question's id
    has a slash ("story/follow-up"); characters a file name cannot hold become "_" (the question
    itself is in the recording's tags and its row)."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", question_id).strip(".") or "answer"
    return f"{now:%Y%m%d-%H%M%S}-{safe}-{uuid.uuid4().hex[:6]}.ogg"


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
