"""The spoken drill loop: read the question aloud, record the answer, score it, go again.

:class:`Drill` does no I/O of its own. It receives adapters, typed by the Protocols in
:mod:`redrill.adapters`, so tests hand it fakes the type checker holds to the same contract and the
CLI hands it the real things:

* ``speaker`` (:mod:`redrill.sound.speaker`): ``say(text)``, ``cue()``;
* ``recorder`` (:mod:`redrill.sound.microphone`): ``record(question_id, question_text, max_seconds=,
  should_stop=, on_progress=, on_audio=) -> Recording``, ``sync_spool()``;
* ``practice`` (:class:`StorePractice`): save a recording, finish (transcribe + score) it, score a
  typed answer, play an attempt back, withdraw it, save a recovered spool;
* ``coach`` (:mod:`redrill.coaching`, optional): follow-up questions and better answers;
* ``transcriber_factory``: builds the speech model; it is loaded in a background thread while the
  first question is being read aloud (:class:`ModelLoader`);
* ``ui`` (the terminal, in ``redrill.cli.drill``): shows things and asks for choices.

Per question: show it, speak it (recording starts only after speaking has finished: espeak and the
microphone do not share the sound device well), cue tone, record, **save the recording before
transcribing** it, transcribe and score, show the report, then the menu (:mod:`redrill.menu`:
``[r]etry, [p]lay back, [d]iscard, [n]ext, [q]uit``, built from ``Drill.menu_choices``). Ctrl-C at any point ends the session cleanly; an answer already recorded is kept (as
``recorded``, finished later by ``redrill transcribe --pending``). No speech: say so, move on,
store nothing; after two unanswered questions in a row the session stops (or, at a terminal, asks
whether to go on): nobody is listening, or the microphone is not. Model missing: the recording is
still saved and the user is told how to fix it.

With a ``coach`` (:mod:`redrill.coaching`) the menu also offers ``[h]ear a better answer`` (the
user's best recording, or their cleaned best answer and own points read aloud), and with
``follow_ups`` one follow-up question is asked after each scored answer, read aloud like the
question; its answer is stored as its own attempt, linked to the main one. ``menu=False`` (mock
interviews, warm-ups) moves on after each answer without asking.

An answer that ended on silence may have been a thinking pause that ran long, so the menu then
also offers ``[c]ontinue`` (record more: both halves become one recording, transcribed and scored
as one attempt). ``[d]iscard`` takes an attempt out of history, medians and the schedule as if it
had never been scored; its audio file is kept until the session ends, then removed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from redrill.adapters import Coach, DrillUI, OnWait, Practice, Recorder, Speaker, Transcriber
from redrill.banks import Question
from redrill.errors import NoSpeechError, RedrillError
from redrill.menu import DEFAULT_KEY, MENU, Answer, Step, choice, offered
from redrill.sound import SAMPLE_RATE
from redrill.transcription.repeats import Heard, hear

if TYPE_CHECKING:
    import numpy as np

    from redrill.pipeline import AttemptReport
    from redrill.scoring.voice import PitchFrames
    from redrill.sound.microphone import Recording
    from redrill.sound.opuswriter import OpusWriter
    from redrill.sound.spool import Spool
    from redrill.transcript import Transcript

PENDING_HINT = "`redrill transcribe --pending` will transcribe and score it"
# Two questions in a row with nothing heard: stop instead of talking to an empty room.
UNANSWERED_IN_A_ROW = 2
# Between the two halves of a continued answer: a short pause, below the long-pause threshold,
# so the menu time in between is not scored as a pause the user made.
CONTINUE_GAP_S = 0.5


class ModelLoader:
    """Builds and loads the transcriber in a background thread; :meth:`get` waits for it.

    A failure (model missing, broken) is kept and raised by every :meth:`get`, so each answer of
    the session gets the same clear message while its recording is still saved.
    """

    def __init__(self, factory: Callable[[], Transcriber]):
        self._factory = factory
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self._value: Transcriber | None = None
        self._error: BaseException | None = None

    @property
    def started(self) -> bool:
        return self._thread is not None

    def start(self) -> None:
        """Begin loading (once)."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._load, name="redrill-model", daemon=True)
        self._thread.start()

    def _load(self) -> None:
        try:
            transcriber = self._factory()
            transcriber.load()
            self._value = transcriber
        except BaseException as exc:  # re-raised in the main thread by get()
            self._error = exc
        finally:
            self._done.set()

    def get(self) -> Transcriber:
        """The loaded transcriber (waits; Ctrl-C interrupts the wait), or the loading error."""
        self.start()
        while not self._done.wait(0.1):
            pass
        if self._error is not None:
            if isinstance(self._error, RedrillError):
                raise RedrillError(str(self._error))
            raise RedrillError(f"the speech model failed to load: {type(self._error).__name__}: {self._error}")
        assert self._value is not None  # set whenever loading ended without an error
        return self._value


@dataclass
class SessionResult:
    """What happened in one drill session."""

    reports: list[AttemptReport] = field(default_factory=list)
    pending: list[int] = field(default_factory=list)  # saved, not yet scored
    no_speech: list[str] = field(default_factory=list)  # question ids answered with silence
    recovered: list[int] = field(default_factory=list)  # attempts saved from earlier crashed sessions
    discarded: list[int] = field(default_factory=list)  # attempts the user discarded
    continued: list[int] = field(default_factory=list)  # attempts carried on after a silence ended them
    # (main attempt id, the follow-up answer's report or id)
    follow_ups: list[tuple[int, AttemptReport | int]] = field(default_factory=list)
    asked: int = 0
    interrupted: bool = False

    @property
    def attempt_ids(self) -> list[int]:
        return [r.attempt_id for r in self.reports] + self.pending


class Drill:
    """One drill session over ``questions`` (see the module docstring)."""

    def __init__(
        self,
        questions: list[Question],
        *,
        speaker: Speaker,
        practice: Practice,
        ui: DrillUI,
        recorder: Recorder | None = None,
        transcriber_factory: Callable[[], Transcriber] | None = None,
        text_mode: bool = False,
        interactive: bool = True,
        max_seconds: float | None = None,
        find_spools: Callable[[], list[Spool]] | None = None,
        streaming: bool = False,
        coach: Coach | None = None,
        follow_ups: bool = False,
        menu: bool = True,
    ):
        if not text_mode and (recorder is None or transcriber_factory is None):
            raise ValueError("a spoken drill needs a recorder and a transcriber factory")
        self.questions = list(questions)
        self.speaker = speaker
        self.practice = practice
        self.ui = ui
        self.recorder = recorder
        self.loader = ModelLoader(transcriber_factory) if transcriber_factory is not None else None
        self.text_mode = text_mode
        self.interactive = interactive
        self.max_seconds = max_seconds
        self.find_spools = find_spools
        self.streaming = streaming
        # Follow-up questions and model answers (redrill.coaching); menu=False moves on after each
        # answer without asking (a mock interview, a warm-up).
        self.coach: Coach | None = coach
        self.follow_ups = follow_ups and coach is not None
        self.menu = menu
        self.result = SessionResult()
        self._unanswered = 0  # questions in a row with nothing heard
        # The choices after each answer (see redrill.menu): a list, so a session can offer more.
        self.menu_choices = list(MENU)

    def max_seconds_for(self, question: Question) -> float:
        """The recording cap: ``--max-seconds``, else twice the question's target maximum."""
        if self.max_seconds is not None:
            return float(self.max_seconds)
        return 2.0 * float(question.target_seconds[1])

    def run(self) -> SessionResult:
        """Drill every question (or until the user quits or presses Ctrl-C)."""
        from redrill import memory

        memory.settle_for_session()  # before the model loads and the first answer's worker starts
        try:
            self._recover()
            total = len(self.questions)
            for number, question in enumerate(self.questions, start=1):
                self.result.asked = number
                if not self._drill(question, number, total):
                    break
                if self._unanswered >= UNANSWERED_IN_A_ROW and number < total and not self._go_on_unanswered():
                    break
        except KeyboardInterrupt:
            self.result.interrupted = True
        finally:
            self.practice.end_session()  # audio of discarded answers goes now
        return self.result

    def _go_on_unanswered(self) -> bool:
        """After questions with nothing heard in a row: stop, or (at a terminal) ask."""
        text = (
            f"Nothing was heard for {self._unanswered} questions in a row. Is the microphone on and "
            "the right one (`redrill devices`)?"
        )
        if not self.interactive:
            self.ui.info(text + " Stopping the session.")
            return False
        choice = self.ui.choose(text, {"g": "go on with the next question", "q": "quit"}, default="q")
        if choice == "g":
            self._unanswered = 0
            return True
        return False

    # -- one question

    def _drill(self, question: Question, number: int, total: int) -> bool:
        """Drill one question until the user moves on; False ends the session."""
        while True:
            self.ui.question(question, number, total)
            if self.loader is not None and not self.text_mode:
                self.loader.start()  # loads while the question is being read aloud
            self._speak(question.text)
            if self.text_mode:
                answer, go_on = self._typed_answer(question)
            else:
                answer, go_on = self._spoken_answer(question)
            if go_on is not None:
                return go_on
            assert answer is not None  # no answer always comes with where to go next
            if answer.attempt_id is not None and self.follow_ups:
                go_on = self._follow_up(question, answer.attempt_id)
                if go_on is not None:
                    return go_on
            if not self.interactive or not self.menu:
                return True
            step = self._after(answer)
            if step is not Step.RETRY:
                return step is Step.NEXT

    def _after(self, answer: Answer) -> Step:
        """The menu after an answer (see :mod:`redrill.menu`), until a choice leaves it."""
        while True:
            choices = offered(self.menu_choices, self, answer)
            key = self.ui.choose("What next?", choices, default=DEFAULT_KEY)
            step = choice(self.menu_choices, key).act(self, answer)
            if step is not Step.MENU:
                return step

    # -- the menu's actions (see redrill.menu.MENU)

    def play_back(self, answer: Answer) -> Step:
        """Play the stored answer back."""
        self.practice.play(_stored(answer))
        return Step.MENU

    def discard(self, answer: Answer) -> Step:
        """Take the attempt out of history, medians and the schedule (its audio goes at session end)."""
        attempt_id = _stored(answer)
        self._withdraw(attempt_id)
        self.result.discarded.append(attempt_id)
        answer.attempt_id, answer.samples = None, None
        self.ui.info(f"Discarded attempt #{attempt_id}: it no longer counts in your history, medians or schedule.")
        return Step.MENU

    def continue_answer(self, answer: Answer) -> Step:
        """Record more of an answer that ended on silence: one recording, one attempt."""
        carried, go_on = self._spoken_answer(answer.question, carry_on=answer)
        if go_on is not None:
            return Step.NEXT if go_on else Step.QUIT
        assert carried is not None  # no answer always comes with where to go next
        answer.attempt_id, answer.ended, answer.samples = carried.attempt_id, carried.ended, carried.samples
        return Step.MENU

    def hear_better(self, answer: Answer) -> Step:
        """Play the user's best recording of this question, or read their cleaned best answer and
        own points aloud (see redrill.model_answer)."""
        from redrill.model_answer import RECORDING

        assert self.coach is not None  # offered only with a coach
        model = self.coach.better_answer(answer.question, answer.attempt_id)
        if model is None:
            self.ui.info(
                "Nothing better to hear yet: answer this question again, or note what you wish you had said "
                "in `redrill debrief`."
            )
            return Step.MENU
        self.ui.model_answer(model)
        try:
            if model.kind == RECORDING and model.attempt_id is not None:
                self.practice.play(model.attempt_id)
            else:
                self._speak(model.spoken_text)
        except RedrillError as err:
            self.ui.warn(str(err))
        return Step.MENU

    def can_tick(self, answer: Answer) -> bool:
        """A scored answer to a question with self-check prompts."""
        question, attempt_id = answer.question, answer.attempt_id
        scored = attempt_id is not None and any(r.attempt_id == attempt_id for r in self.result.reports)
        return bool(scored and question.self_check)

    def tick(self, answer: Answer) -> Step:
        """Ask which self-check prompts the answer did, and keep the ticks with the attempt."""
        question, attempt_id = answer.question, _stored(answer)
        ticked = self.ui.tick(question.self_check)
        if ticked is not None:
            self.practice.tick_self_check(attempt_id, question.self_check, ticked)
            self.ui.info(f"Ticked {len(ticked)} of {len(question.self_check)}; kept with attempt #{attempt_id}.")
        return Step.MENU

    def _follow_up(self, question: Question, attempt_id: int) -> bool | None:
        """Ask one follow-up question after a scored answer (when the coach has one) and record its
        answer as an attempt linked to ``attempt_id``. False ends the session; None goes on."""
        report = next((r for r in self.result.reports if r.attempt_id == attempt_id), None)
        if report is None or self.coach is None:
            return None  # not scored (saved for later): nothing to follow up on yet
        follow = self.coach.follow_up(question, report)
        if follow is None:
            return None
        self.ui.follow_up(follow, self.coach.why(follow))
        unanswered = self._unanswered
        self._speak(follow.text)
        if self.text_mode:
            follow_answer, go_on = self._typed_answer(follow)
        else:
            follow_answer, go_on = self._spoken_answer(follow)
        # The unanswered count is about the main questions.
        self._unanswered = unanswered
        follow_id = follow_answer.attempt_id if follow_answer is not None else None
        if follow_id is not None:
            self.coach.link(follow_id, attempt_id)
            done = next((r for r in self.result.reports if r.attempt_id == follow_id), None)
            self.result.reports = [r for r in self.result.reports if r.attempt_id != follow_id]
            self.result.follow_ups.append((attempt_id, done if done is not None else follow_id))
        return False if go_on is False else None

    def _withdraw(self, attempt_id: int) -> None:
        self.practice.withdraw(attempt_id)
        self.result.reports = [r for r in self.result.reports if r.attempt_id != attempt_id]
        self.result.pending = [i for i in self.result.pending if i != attempt_id]

    def _typed_answer(self, question: Question) -> tuple[Answer | None, bool | None]:
        text = self.ui.read_text(question)
        if text is None or not text.strip():
            self.ui.info("No answer typed, so nothing was stored.")
            return None, (text is not None)  # Ctrl-D on an empty answer ends the session
        try:
            report = self.practice.score_text(question, text)
        except NoSpeechError as err:
            self.ui.info(f"{err}. Moving on.")
            return None, True
        self.result.reports.append(report)
        self.ui.report(report)
        return Answer(question, report.attempt_id), None

    def _spoken_answer(self, question: Question, carry_on: Answer | None = None) -> tuple[Answer | None, bool | None]:
        """Record, save, transcribe and score one answer.

        With ``carry_on`` (an answer that ended on silence), what is recorded now is appended to
        that answer's audio and the whole is stored, transcribed and scored as one attempt in its
        place. Returns (the answer, None) to go on to the menu, or (answer or None, True/False) to
        move on to the next question / end the session right away.
        """
        import numpy as np

        assert self.recorder is not None and self.loader is not None  # checked in __init__ for a spoken drill
        before = None
        if carry_on is not None:
            gap = np.zeros(int(CONTINUE_GAP_S * SAMPLE_RATE), np.float32)
            before = np.concatenate([np.asarray(carry_on.samples, np.float32), gap])
        self._speak(None)
        limit = self.max_seconds_for(question)
        carried_s = 0.0 if before is None else len(before) / SAMPLE_RATE
        limit = max(1.0, limit - carried_s)
        self.ui.recording_started(question, limit, carried_s=carried_s)
        stream = self._start_stream(question)
        voice = self._start_voice() if stream is not None else None
        writer = self.practice.start_recording(question)
        consumers = [c.feed for c in (stream, voice, writer) if c is not None]
        if before is not None:
            for feed in consumers:  # the first half is transcribed, analysed and encoded while the user goes on
                feed(before)
        try:
            recording = self.recorder.record(
                question.id,
                question.text,
                max_seconds=limit,
                should_stop=self.ui.stop_requested if self.interactive else None,
                on_progress=self.ui.progress,
                on_audio=_fan_out(consumers) if consumers else None,
            )
        except BaseException:
            if stream is not None:
                stream.cancel()
            if voice is not None:
                voice.cancel()
            if writer is not None:
                writer.discard()
            raise
        self.ui.recording_finished(recording)
        if (not recording.has_answer or recording.interrupted) and stream is not None:
            stream.cancel()
            stream = None
        if stream is None and voice is not None:
            voice.cancel()
            voice = None
        if not recording.has_answer and writer is not None:
            writer.discard()
        if not recording.has_answer:
            recording.discard_spool()
            if recording.interrupted:
                raise KeyboardInterrupt
            if carry_on is not None:
                self.ui.info("Nothing more was heard; the answer stays as it was.")
                return carry_on, None
            self.result.no_speech.append(question.id)
            self._unanswered += 1
            self.ui.info("No speech heard, so nothing was stored. Moving on.")
            return None, True
        self._unanswered = 0
        samples = recording.samples
        if before is not None:
            samples = np.concatenate([before, np.asarray(samples, np.float32)])
        samples = stream.settle(samples) if stream is not None else samples
        if carry_on is not None:
            # One attempt for the whole answer: the first half's attempt is undone first.
            self._withdraw(_stored(carry_on))
        if recording.spool_error:
            self.ui.warn(
                f"The crash-safety copy of this answer stopped after {recording.spool_seconds or 0:.0f} s "
                f"({recording.spool_error}); the answer itself was captured in full and is being saved now."
            )
        # Saved before anything that can fail or take long: the answer is never lost.
        try:
            attempt_id = self.practice.save_recording(question, samples, writer=writer)
        except RedrillError as err:
            return self._not_saved(recording, err)
        # The first-word delay counts from the cue: the silence the recorder trimmed comes first.
        lead_s = carry_on.lead_s if carry_on is not None else recording.started_s
        answer = Answer(question, attempt_id, ended=recording.reason, samples=samples, lead_s=lead_s)
        if carry_on is not None:
            self.result.continued.append(attempt_id)
        recording.discard_spool()
        if recording.interrupted:
            self.result.pending.append(attempt_id)
            self.ui.info(f"Your answer is saved as attempt #{attempt_id}; {PENDING_HINT}.")
            raise KeyboardInterrupt
        try:
            # The UI's display while the answer is transcribed (what is left): on_wait(pieces, seconds).
            with self.ui.waiting(len(samples) / SAMPLE_RATE) as on_wait:
                transcriber = self.loader.get()
                if stream is not None:
                    # Most of the answer was transcribed while it was spoken: only the tail is left.
                    transcript = stream.finish(samples, on_wait=on_wait)
                    frames = _voice_frames(voice, samples)
                    on_wait(0, 0.0)
                    report = self.practice.finish(
                        attempt_id, transcriber, transcript=transcript, samples=samples, frames=frames, lead_s=lead_s
                    )
                else:
                    report = self._finish_whole(attempt_id, transcriber, on_wait, lead_s)
        except NoSpeechError:
            self.result.no_speech.append(question.id)
            self.ui.info("No words found in the answer, so nothing was stored. Moving on.")
            return None, True
        except KeyboardInterrupt:
            self.result.pending.append(attempt_id)
            self.ui.info(f"Your answer is saved as attempt #{attempt_id}; {PENDING_HINT}.")
            raise
        except RedrillError as err:
            self.result.pending.append(attempt_id)
            self.ui.warn(f"{err}\nYour answer is saved as attempt #{attempt_id}; once that is fixed, {PENDING_HINT}.")
            return answer, None
        self.result.reports.append(report)
        self.ui.report(report)
        from redrill import memory

        memory.release()  # the answer's buffers, now the report is on screen (see redrill.memory)
        return answer, None

    def _finish_whole(
        self, attempt_id: int, transcriber: Transcriber, on_wait: OnWait, lead_s: float | None
    ) -> AttemptReport:
        """Transcribe and score an answer after it ended (no streaming); the seconds of audio left
        go to the waiting display."""

        def progress(done_s: float, total_s: float) -> None:
            on_wait(None, max(0.0, total_s - done_s))

        return self.practice.finish(attempt_id, transcriber, progress=progress, lead_s=lead_s)

    def _not_saved(self, recording: Recording, err: RedrillError) -> tuple[None, bool]:
        """The answer could not be stored: say where it is kept, and end the session (the next
        answer would fail the same way)."""
        from redrill.pipeline import RecordingKept

        if isinstance(err, RecordingKept):
            recording.discard_spool()  # the recording itself is safe on disk, and will be adopted
            self.ui.warn(str(err))
            return None, False
        spool = recording.spool_path
        if spool is not None and Path(spool).exists():
            where = f"What was recorded is kept in {spool}; free some space, then `redrill drill` offers to save it."
        else:
            where = "Nothing of it could be kept."
        self.ui.warn(f"{err}\nYour answer could not be saved. {where}")
        return None, False

    def _speak(self, text: str | None) -> None:
        """Read the question aloud (or play the cue tone for None). When the voice or the sound
        output fails, say why once and go on with questions on screen only: the drill itself works."""
        try:
            if text is None:
                self.speaker.cue()
            else:
                self.speaker.say(text)
        except RedrillError as err:
            from redrill.sound.speaker import NullSpeaker

            self.ui.warn(f"{err}\nGoing on without sound: questions are shown on screen only.")
            self.speaker = NullSpeaker()

    def _start_stream(self, question: Question):
        """A streaming transcription for the next answer, or None (off, or no model loader)."""
        if not self.streaming or self.loader is None:
            return None
        from redrill.transcription.streaming import StreamingTranscription

        assert self.recorder is not None  # a spoken drill has one
        hints = self.practice.hints(question)  # read here: the store is not thread-safe
        heard = self.ui.heard
        parts: dict[float, Transcript] = {}

        def on_chunk(part: Transcript, offset_s: float) -> None:
            """Runs on the transcription worker: words and fillers heard so far, for the live view."""
            from redrill.transcription.streaming import merge

            parts[offset_s] = part  # the open chunk's newer transcript replaces the older one
            so_far = merge([parts[k] for k in sorted(parts)], 0.0, None)
            heard(" ".join(w.text.strip() for w in so_far.words), _fillers_in(so_far))

        from redrill.pipeline import Searched

        return StreamingTranscription(
            Searched(LoadingTranscriber(self.loader, hints)), before_chunk=self.recorder.sync_spool, on_chunk=on_chunk
        )

    def _start_voice(self):
        """The voice analysis that runs beside streaming transcription (how the answer sounded)."""
        from redrill.sound.prosody import VoiceStream

        return VoiceStream()

    # -- leftovers of killed sessions

    def _recover(self) -> None:
        if self.find_spools is None:
            return
        spools = self.find_spools()
        if not spools:
            return
        seconds = sum(len(s.samples) for s in spools) / SAMPLE_RATE
        n = len(spools)
        what = f"{n} answer{'s' if n != 1 else ''} ({seconds:.0f} s) recorded in a session that did not finish"
        if self.interactive:
            keep = (
                self.ui.choose(
                    f"Found {what}. Save {'it' if n == 1 else 'them'}?",
                    {"y": f"save {'it' if n == 1 else 'them'}", "n": f"delete {'it' if n == 1 else 'them'}"},
                    default="y",
                )
                == "y"
            )
        else:
            keep = True
        for spool in spools:
            if keep:
                attempt_id = self.practice.save_spool(spool)
                self.result.recovered.append(attempt_id)
            self.practice.discard_spool(spool)
        if keep:
            ids = ", ".join(f"#{i}" for i in self.result.recovered)
            self.ui.info(f"Saved {what} as attempt{'s' if n != 1 else ''} {ids}; {PENDING_HINT}.")
        else:
            self.ui.info(f"Deleted {what}.")


class LoadingTranscriber:
    """The streaming transcription's recognizer: waits for the model being loaded in the background
    (:class:`ModelLoader`), then transcribes with the question's recognition hints, the same hints
    as whole-answer transcription, so both give the same words."""

    def __init__(self, loader: ModelLoader, hints: str | None):
        self._loader = loader
        self._hints = hints
        self.model_name: str | None = None  # known once the model has loaded

    def transcribe(self, samples: np.ndarray, *, offset_s: float = 0.0) -> Transcript:
        """The words of ``samples`` (blocks until the model has loaded)."""
        return self._hinted().transcribe(samples, offset_s=offset_s)

    def transcribe_with_judge(self, samples: np.ndarray, *, offset_s: float = 0.0) -> Heard:
        """The words of ``samples``, and the model's judge of repeats in them when it has one."""
        return hear(self._hinted(), samples, offset_s=offset_s)

    def _hinted(self):
        """The loaded model (waiting for it) with the question's hints."""
        from redrill.transcription.whisper import with_hints

        transcriber = self._loader.get()
        self.model_name = transcriber.model_name
        return with_hints(transcriber, self._hints)


def _stored(answer: Answer) -> int:
    """The attempt id of an answer the menu offers a choice for only once it is stored."""
    if answer.attempt_id is None:
        raise ValueError(f"the answer to {answer.question.id} is not stored")
    return answer.attempt_id


def _fan_out(consumers: list[Callable[[np.ndarray], None]]) -> Callable[[np.ndarray], None]:
    """One ``on_audio`` callback that hands each block to every consumer."""
    if len(consumers) == 1:
        return consumers[0]

    def feed(block: np.ndarray) -> None:
        for consume in consumers:
            consume(block)

    return feed


def _voice_frames(voice, samples):
    """The voice frames analysed while the answer was spoken, or None (then the stored recording
    is analysed instead): a failure of the voice analysis must never lose the answer."""
    if voice is None:
        return None
    try:
        return voice.frames(samples)
    except Exception:
        return None


def _fillers_in(transcript) -> int | None:
    """Fillers (um/uh and discourse fillers such as "you know") in a partial transcript, counted
    by the same scoring the report uses; None when it cannot be scored yet."""
    from redrill.scoring import score

    try:
        return score(transcript).fillers_total
    except Exception:  # a partial transcript must never break the live view
        return None


class StorePractice:
    """The real ``practice`` adapter: the store, the recordings folder and playback."""

    def __init__(self, store, catalog, paths, config, *, output_device=None, playback_bar=None):
        from redrill.pipeline import AttemptPipeline

        self.store, self.catalog, self.paths, self.config = store, catalog, paths, config
        self.attempts = AttemptPipeline(store, config, paths=paths)
        self.output_device = output_device
        self.playback_bar = playback_bar  # builds a progress display for one playback, or None
        self._before: dict = {}  # attempt id -> question state before it was scored
        self._withdrawn_audio: list = []  # recordings of withdrawn attempts, removed at session end

    def save_recording(self, question: Question, samples: np.ndarray, writer: OpusWriter | None = None) -> int:
        """Store the answer's audio (Opus, fsynced) as a ``recorded`` attempt (``writer``: see
        :meth:`start_recording`)."""
        from redrill import pipeline

        return pipeline.save_recording(self.store, self.paths, self.config, question, samples, writer=writer)

    def start_recording(self, question: Question) -> OpusWriter:
        """An encoder for the answer about to be recorded (:class:`~redrill.sound.opuswriter.OpusWriter`):
        fed while the user speaks, so saving at the end does not delay the report. It holds back
        what the end of the answer may still trim (the silence that ends it, and a second)."""
        from redrill.orphans import recording_tags
        from redrill.sound.opuswriter import OpusWriter
        from redrill.store import utcnow

        hold = float(self.config.silence_seconds) + 1.5
        tags = recording_tags(question.id, question.text, "microphone", utcnow())
        return OpusWriter(self.paths.ensure().recordings, bitrate=self.config.opus_bitrate, hold_s=hold, tags=tags)

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
        """Transcribe (unless ``transcript`` was streamed already, from ``samples``) and score a saved
        attempt; ``frames``: its voice frames analysed while it was spoken; ``lead_s``: the silence
        trimmed before it; ``progress(done_s, total_s)`` is told how far transcription has got."""
        attempt = self.store.get_attempt(attempt_id)
        # What the schedule looked like before this attempt, so [d]iscard / [c]ontinue can undo it.
        self._before[attempt_id] = self.store.get_state(attempt.question_id)
        return self.attempts.finish(
            self.catalog,
            attempt_id,
            transcriber,
            transcript=transcript,
            samples=samples,
            frames=frames,
            lead_s=lead_s,
            progress=progress,
        )

    def hints(self, question: Question) -> str | None:
        """The recognition hints for this question (as whole-answer transcription uses them)."""
        return self.attempts.hints(question)

    def withdraw(self, attempt_id: int) -> None:
        """Undo a stored attempt: out of history, medians and the schedule (see
        :func:`redrill.pipeline.withdraw_attempt`); its audio is removed by :meth:`end_session`."""
        from redrill import pipeline

        path = pipeline.withdraw_attempt(self.store, self.paths, attempt_id, self._before.pop(attempt_id, None))
        if path is not None:
            self._withdrawn_audio.append(path)

    def end_session(self) -> None:
        """Remove the recordings of attempts withdrawn during the session."""
        from redrill.owned import delete_recording

        for path in self._withdrawn_audio:
            delete_recording(self.paths, str(path))  # only redrill's own file, never through a link
        self._withdrawn_audio.clear()

    def tick_self_check(self, attempt_id: int, prompts: tuple[str, ...], ticked: tuple[str, ...]) -> None:
        """Keep the self-check prompts the user ticked with the attempt."""
        from redrill.pipeline import tick_self_check

        tick_self_check(self.store, attempt_id, prompts, ticked)

    def score_text(self, question: Question, text: str) -> AttemptReport:
        """Score a typed answer."""

        before = self.store.get_state(question.id)
        report = self.attempts.score_text(question, text)
        self._before[report.attempt_id] = before  # so [d]iscard can undo it
        return report

    def play(self, attempt_id: int) -> None:
        """Play a stored answer back (with a progress bar when the CLI gave one)."""
        bar = self.playback_bar(f"attempt #{attempt_id}") if self.playback_bar is not None else None
        try:
            play_attempt(self.store, self.paths, attempt_id, device=self.output_device, on_progress=bar)
        finally:
            if bar is not None:
                bar.done()

    def save_spool(self, spool: Spool) -> int:
        """Save a recording recovered from a killed session as a ``recorded`` attempt."""
        question = self.catalog.questions.get(spool.question_id) or Question(
            id=spool.question_id, text=spool.question_text or spool.question_id
        )
        return self.save_recording(question, spool.samples)

    def discard_spool(self, spool: Spool) -> None:
        """Delete a spool file (after saving it, or when the user declined)."""
        from redrill.sound.spool import discard_spool

        discard_spool(spool.path)


def play_attempt(store, paths, attempt_id: int, *, device=None, on_progress=None) -> float:
    """Play the recording of a stored attempt; returns its length in seconds.

    Raises a RedrillError when the attempt has no audio (typed or imported transcript) or its file
    is gone.
    """
    from redrill.pipeline import audio_file_of
    from redrill.sound.playback import play_file

    attempt = store.get_attempt(attempt_id)
    path = audio_file_of(paths, attempt)
    if not path.exists():
        raise RedrillError(f"the recording of attempt #{attempt_id} is missing: {path} (was it deleted?)")
    return play_file(path, device=device, on_progress=on_progress)
