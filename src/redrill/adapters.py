"""The contracts between the drill loop and the things it is handed: speaker, recorder,
transcriber, practice (the store side), coach and UI.

:class:`redrill.drill.Drill` does no I/O of its own; it is typed against these Protocols, so the
real adapters (``sound.speaker.TtsSpeaker``, ``sound.microphone.Recorder``,
``transcription.whisper.Transcriber``, ``drill.StorePractice``, ``coaching.StoreCoach``,
``cli.drill.TerminalUI``) and the fakes in the tests are checked against the same list of methods by
the type checker. Every method is required: the loop never asks whether an adapter has one, so a
fake cannot silently take a different path through the loop than the real thing. An adapter with
nothing to do for a method (a silent UI has no live view) implements it as a no-op.

This module imports nothing at run time beyond the standard library: the types it names are only
imported for the checker, so adapters stay as cheap to import as the loop itself.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np

    from redrill.banks import Question
    from redrill.model_answer import ModelAnswer
    from redrill.pipeline import AttemptReport
    from redrill.scoring.voice import PitchFrames
    from redrill.sound.endpointing import Progress
    from redrill.sound.microphone import Recording
    from redrill.sound.opuswriter import OpusWriter
    from redrill.sound.spool import Spool
    from redrill.transcript import Transcript

# ``on_wait(pieces_left, seconds_left)``: what is left while an answer is transcribed (pieces_left
# None: only the seconds of audio left are known).
OnWait = Callable[["int | None", float], None]


class Speaker(Protocol):
    """The question voice (:mod:`redrill.sound.speaker`)."""

    def say(self, text: str) -> None:
        """Speak ``text`` and return once it has been heard."""

    def cue(self) -> None:
        """Play the short "answer now" tone."""


class Recorder(Protocol):
    """The microphone (:class:`redrill.sound.microphone.Recorder`)."""

    def record(
        self,
        question_id: str = "answer",
        question_text: str = "",
        *,
        max_seconds: float | None = None,
        should_stop: Callable[[], bool] | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        on_audio: Callable[[np.ndarray], None] | None = None,
    ) -> Recording:
        """Record one answer until it ends; ``on_audio`` gets it at 16 kHz while it is spoken."""

    def sync_spool(self) -> None:
        """Make the crash-safety copy of the answer being recorded durable (before a piece of it
        goes to transcription); a recorder without one does nothing."""


class Recognizer(Protocol):
    """What turns audio into words (streaming transcription needs no more than this)."""

    def transcribe(self, samples: np.ndarray, *, offset_s: float = 0.0) -> Transcript:
        """The words of ``samples`` (16 kHz mono), timed from ``offset_s``."""


class Transcriber(Recognizer, Protocol):
    """A speech model the drill loads in the background (:class:`~redrill.transcription.whisper.Transcriber`)."""

    @property
    def model_name(self) -> str | None:
        """The model's name, stored with the transcript (None: not known)."""

    def load(self) -> object:
        """Load the model now (slow: the drill calls it in a thread while the question is read)."""


class Practice(Protocol):
    """The store side of a drill (:class:`redrill.drill.StorePractice`): saving, scoring and
    undoing attempts, and playing them back."""

    def start_recording(self, question: Question) -> OpusWriter | None:
        """An encoder fed while the answer is spoken, or None (saved in one go at the end)."""

    def save_recording(self, question: Question, samples: np.ndarray, writer: OpusWriter | None = None) -> int:
        """Store the answer's audio as a ``recorded`` attempt; its id."""

    def finish(
        self,
        attempt_id: int,
        transcriber: Transcriber,
        transcript: Transcript | None = None,
        samples: np.ndarray | None = None,
        frames: list[PitchFrames] | None = None,
        lead_s: float | None = None,
        progress: Callable[[float, float], None] | None = None,
    ) -> AttemptReport:
        """Transcribe (unless ``transcript`` was streamed) and score a saved attempt."""

    def score_text(self, question: Question, text: str) -> AttemptReport:
        """Score a typed answer."""

    def hints(self, question: Question) -> str | None:
        """The recognition hints for this question (read on the main thread: the store is not thread-safe)."""

    def play(self, attempt_id: int) -> None:
        """Play a stored answer back."""

    def withdraw(self, attempt_id: int) -> None:
        """Undo a stored attempt: out of history, medians and the schedule."""

    def tick_self_check(self, attempt_id: int, prompts: tuple[str, ...], ticked: tuple[str, ...]) -> None:
        """Keep the self-check prompts the user ticked with the attempt."""

    def save_spool(self, spool: Spool) -> int:
        """Save a recording recovered from a killed session as a ``recorded`` attempt."""

    def discard_spool(self, spool: Spool) -> None:
        """Delete a spool file (after saving it, or when the user declined)."""

    def end_session(self) -> None:
        """Called once when the session ends (also after Ctrl-C): tidy up what the session left."""


class Coach(Protocol):
    """Follow-up questions and better answers (:class:`redrill.coaching.StoreCoach`)."""

    def follow_up(self, question: Question, report: AttemptReport) -> Question | None:
        """The follow-up question to ask after this scored answer, or None."""

    def why(self, follow: Question) -> str:
        """Why this follow-up is asked (shown with it)."""

    def link(self, follow_up_attempt_id: int, main_attempt_id: int) -> None:
        """Store that the follow-up's answer belongs to the main answer."""

    def better_answer(self, question: Question, attempt_id: int | None) -> ModelAnswer | None:
        """The better answer to hear, or None when there is none yet."""


class DrillUI(Protocol):
    """What the loop needs from the terminal (:class:`redrill.cli.drill.TerminalUI`)."""

    def question(self, question: Question, number: int, total: int) -> None:
        """Show the question."""

    def follow_up(self, question: Question, why: str = "") -> None:
        """Show a follow-up question (it is read aloud next)."""

    def model_answer(self, model: ModelAnswer) -> None:
        """Say what the better answer about to be heard is."""

    def info(self, text: str) -> None:
        """A plain message."""

    def warn(self, text: str) -> None:
        """A message that needs attention."""

    def recording_started(self, question: Question, max_seconds: float, *, carried_s: float = 0.0) -> None:
        """Recording is on (``carried_s``: the seconds of an answer being continued)."""

    def progress(self, progress: Progress) -> None:
        """How the recording is going (about ten times a second)."""

    def heard(self, words: str, fillers: int | None) -> None:
        """The words (and fillers) heard so far; called from the transcription worker thread."""

    def recording_finished(self, recording: Recording) -> None:
        """Recording is over."""

    def waiting(self, seconds: float) -> AbstractContextManager[OnWait]:
        """Shown while a ``seconds`` long answer is transcribed and scored; yields ``on_wait``."""

    def report(self, report: AttemptReport) -> None:
        """Show a scored attempt."""

    def choose(self, prompt: str, choices: dict[str, str], default: str) -> str:
        """One of the keys of ``choices``."""

    def tick(self, prompts: tuple[str, ...]) -> tuple[str, ...] | None:
        """Which self-check prompts the answer did (None: not asked, or end of input)."""

    def read_text(self, question: Question) -> str | None:
        """A typed answer; None at end of input."""

    def stop_requested(self) -> bool:
        """True when the user asked to end the answer being recorded."""


__all__ = ["Coach", "DrillUI", "OnWait", "Practice", "Recognizer", "Recorder", "Speaker", "Transcriber"]
