"""The drill loop with fakes: a synthetic microphone (real endpointing), a speaker and a UI that
keep a history of calls, scripted transcribers; plus the real store path and the CLI commands.

The fakes implement the adapter Protocols of :mod:`redrill.adapters` (the type checker holds them to
it where they are handed to :class:`~redrill.drill.Drill`), so they cannot drift from the real ones."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import numpy as np
import pytest

from redrill.adapters import Coach, DrillUI, Practice, Recorder, Speaker, Transcriber
from redrill.banks import Question
from redrill.drill import Drill, ModelLoader, StorePractice
from redrill.errors import NoSpeechError, RedrillError
from redrill.pipeline import AttemptReport
from redrill.scoring.comparison import Comparison
from redrill.scoring.feedback import Feedback
from redrill.scoring.metrics import Metrics
from redrill.sound.endpointing import INTERRUPTED, Endpointer, Endpointing
from redrill.sound.microphone import finish_recording
from redrill.sound.spool import Spool, SpoolWriter, recover_spools
from redrill.transcript import Transcript, Word

RATE = 16000
Q1 = Question(id="q-one", text="Tell me about yourself.", target_seconds=(30.0, 60.0))
Q2 = Question(id="q-two", text="Why this job?", target_seconds=(30.0, 90.0))


def tone(seconds, amp=0.2):
    t = np.arange(int(seconds * RATE)) / RATE
    return (amp * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def silence(seconds):
    return np.zeros(int(seconds * RATE), np.float32)


def answer(speech=2.0, pause_after=5.0):
    return np.concatenate([silence(0.5), tone(speech), silence(pause_after)])


class Log(list):
    """One history shared by all fakes, so tests can check the order of events."""


class FakeSpeaker:
    def __init__(self, log, *, on_say=None):
        self.log, self.on_say = log, on_say

    def say(self, text):
        if self.on_say:
            self.on_say(text)
        self.log.append(("say", text))

    def cue(self):
        self.log.append(("cue",))


class FakeMicrophone:
    """Plays scripted signals through the REAL endpointer, block by block, like the real recorder."""

    def __init__(self, log, signals, settings=Endpointing(silence_seconds=3.0, no_speech_timeout=4.0)):
        self.log, self.signals, self.settings = log, list(signals), settings
        self.spools = []
        self.syncs = 0  # sync_spool() calls (streaming transcription makes them)

    def record(
        self,
        question_id="answer",
        question_text="",
        *,
        max_seconds=None,
        should_stop=None,
        on_progress=None,
        on_audio=None,
    ):
        import dataclasses

        from redrill.sound.microphone import AnswerTap

        self.log.append(("record", question_id, max_seconds))
        settings = dataclasses.replace(self.settings, max_seconds=max_seconds) if max_seconds else self.settings
        signal = self.signals.pop(0)
        ep = Endpointer(RATE, settings)
        tap = AnswerTap(RATE, settings, on_audio) if on_audio is not None else None
        blocks, reason, i, total = [], None, 0, 0
        spool = _MemorySpool()
        self.spools.append(spool)
        try:
            while reason is None:
                block = signal[i : i + 1600] if i < len(signal) else np.zeros(1600, np.float32)
                i += 1600
                blocks.append(block)
                total += len(block)
                reason = ep.feed(block)
                if tap is not None:
                    tap.push(blocks, total, ep)
                if reason is None and should_stop is not None and should_stop():
                    reason = "stopped"
                if on_progress:
                    on_progress(ep.progress())
        except KeyboardInterrupt:
            reason = INTERRUPTED
        rec = finish_recording(blocks, RATE, ep, reason, tap)
        rec._spool = spool
        return rec

    def sync_spool(self):
        self.syncs += 1


class _MemorySpool:
    discarded = False

    def discard(self):
        self.discarded = True


def fake_report(attempt_id: int, question: Question, metrics: Metrics) -> AttemptReport:
    """A report as the real pipeline returns one, with the figures a test scripted."""
    return AttemptReport(
        attempt_id, question, metrics, Comparison(attempts_before=0, scope="question"), Feedback((), "")
    )


class FakePractice:
    def __init__(self, log):
        self.log = log
        self.next_id = 1
        self.saved = {}
        self.leads = []
        self.ended = False  # end_session() was called

    def start_recording(self, question):
        return None  # saved in one go (StorePractice encodes while the answer is spoken)

    def save_recording(self, question, samples, writer=None):
        attempt_id = self.next_id
        self.next_id += 1
        self.saved[attempt_id] = samples
        self.log.append(("save", question.id, attempt_id, round(len(samples) / RATE, 2)))
        return attempt_id

    def finish(self, attempt_id, transcriber, transcript=None, samples=None, frames=None, lead_s=None, progress=None):
        self.log.append(("finish", attempt_id))
        self.leads.append(lead_s)
        heard = transcriber.transcribe(self.saved[attempt_id])
        return fake_report(attempt_id, Q1, Metrics(duration_s=heard.audio_seconds))

    def score_text(self, question, text):
        self.log.append(("score_text", question.id, text))
        attempt_id = self.next_id
        self.next_id += 1
        return fake_report(attempt_id, question, Metrics(words=len(text.split())))

    def hints(self, question):
        return None

    def tick_self_check(self, attempt_id, prompts, ticked):
        self.log.append(("tick", attempt_id, tuple(ticked)))

    def end_session(self):
        self.ended = True

    def play(self, attempt_id):
        self.log.append(("play", attempt_id))

    def withdraw(self, attempt_id):
        self.log.append(("withdraw", attempt_id))
        self.saved.pop(attempt_id)

    def save_spool(self, spool):
        self.log.append(("save_spool", spool.question_id))
        attempt_id = self.next_id
        self.next_id += 1
        return attempt_id

    def discard_spool(self, spool):
        self.log.append(("discard_spool", spool.question_id))


class FakeTranscriber:
    """A queue of scripted outcomes (a duration for a report, or an exception to raise)."""

    model_name = "fake"

    def __init__(self, outcomes):
        self.outcomes = list(outcomes)
        self.loaded = False

    def load(self):
        self.loaded = True
        return self

    def transcribe(self, samples, *, offset_s=0.0):
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return Transcript(words=(), timed=True, audio_seconds=outcome)


class FakeUI:
    def __init__(self, log, *, choices=(), texts=(), stop_after_polls=None, interrupt_at_s=None):
        self.log = log
        self.choices = list(choices)
        self.texts = list(texts)
        self.stop_after_polls = stop_after_polls
        self.interrupt_at_s = interrupt_at_s
        self.polls = 0
        self.messages = []
        self.started = []  # (question id, max seconds, carried seconds) of each recording

    def question(self, question, number, total):
        self.log.append(("question", question.id, number, total))

    def info(self, text):
        self.messages.append(text)

    def warn(self, text):
        self.messages.append("WARN " + text)

    def recording_started(self, question, max_seconds, *, carried_s=0.0):
        self.started.append((question.id, max_seconds, carried_s))

    def progress(self, p):
        if self.interrupt_at_s is not None and p.elapsed_s >= self.interrupt_at_s:
            raise KeyboardInterrupt

    def heard(self, words, fillers):
        pass  # the live view: see test_live_view

    def recording_finished(self, rec):
        self.log.append(("recorded", rec.reason))

    def waiting(self, seconds):
        self.messages.append("Transcribing and scoring ...")
        return contextlib.nullcontext(lambda chunks, secs: None)

    def follow_up(self, question, why=""):
        self.messages.append(f"Follow-up: {question.text}")

    def model_answer(self, model):
        self.log.append(("model_answer", model.kind))

    def report(self, report):
        self.log.append(("report", report.attempt_id))

    def tick(self, prompts):
        return None

    def choose(self, prompt, choices, default):
        choice = self.choices.pop(0)
        assert choice in choices, (choice, choices)
        self.log.append(("choose", choice, tuple(choices)))
        return choice

    def read_text(self, question):
        return self.texts.pop(0)

    def stop_requested(self):
        self.polls += 1
        return self.stop_after_polls is not None and self.polls >= self.stop_after_polls


def make(
    questions,
    signals=(),
    outcomes=(),
    *,
    interactive=False,
    ui=None,
    factory=None,
    speaker: Speaker | None = None,
    coach: Coach | None = None,
    **kw,
):
    """A drill over the fakes (each typed as the adapter it stands for, so the checker holds it to the
    Protocol); returns (drill, log, ui, microphone, practice)."""
    log = Log()
    ui = ui or FakeUI(log)
    ui.log = log
    transcriber = FakeTranscriber(outcomes)
    mic = FakeMicrophone(log, signals)
    practice = FakePractice(log)
    as_ui: DrillUI = ui
    as_recorder: Recorder = mic
    as_practice: Practice = practice

    def default_factory() -> Transcriber:
        return transcriber

    drill = Drill(
        questions,
        speaker=speaker or FakeSpeaker(log),
        practice=as_practice,
        ui=as_ui,
        recorder=as_recorder,
        transcriber_factory=factory or default_factory,
        interactive=interactive,
        coach=coach,
        **kw,
    )
    return drill, log, ui, mic, practice


def kinds(log, *names):
    return [e for e in log if e[0] in names]


def test_answer_ended_by_silence_is_saved_before_it_is_transcribed():
    drill, log, _ui, mic, practice = make([Q1], [answer(2.0)], [2.3])
    result = drill.run()
    assert [e[0] for e in log] == ["question", "say", "cue", "record", "recorded", "save", "finish", "report"]
    assert ("recorded", "silence") in log
    save = kinds(log, "save")[0]
    assert save[3] == pytest.approx(2.0 + 0.15 + 0.25, abs=0.05)  # trimmed to speech + air
    # the 0.5 s of silence before the answer, less the 0.15 s kept, counts towards the first-word delay
    assert practice.leads == [pytest.approx(0.5 - 0.15, abs=0.05)]
    assert [r.attempt_id for r in result.reports] == [1]
    assert not result.interrupted and result.pending == []
    assert mic.spools[0].discarded
    assert practice.ended  # the session's end is always reported to the practice adapter


def test_record_only_after_the_question_was_spoken_and_cap_is_twice_target():
    drill, log, *_ = make([Q1, Q2], [answer(), answer()], [2.0, 2.0])
    drill.run()
    order = [e[0] for e in log]
    assert order.index("say") < order.index("cue") < order.index("record")
    assert [e[2] for e in kinds(log, "record")] == [120.0, 180.0]


def test_max_seconds_option_ends_a_long_answer():
    drill, log, _, _, practice = make([Q1], [tone(20.0)], [3.0], max_seconds=3.0)
    drill.run()
    assert ("recorded", "max_length") in log
    assert kinds(log, "record")[0][2] == 3.0
    assert len(practice.saved[1]) / RATE == pytest.approx(3.0, abs=0.1)


def test_enter_ends_the_answer():
    ui = FakeUI(None, choices=["n"], stop_after_polls=20)  # 20 blocks of 0.1 s
    drill, log, *_ = make([Q1], [tone(30.0)], [2.0], interactive=True, ui=ui)
    drill.run()
    assert ("recorded", "stopped") in log
    assert kinds(log, "save")[0][3] == pytest.approx(2.0 - 0.1, abs=0.15)


def test_ctrl_c_during_recording_keeps_the_answer_and_ends_the_session():
    ui = FakeUI(None, interrupt_at_s=2.0)
    drill, log, _, mic, _ = make([Q1, Q2], [tone(10.0), answer()], [2.0], ui=ui)
    result = drill.run()
    assert result.interrupted
    assert ("recorded", "interrupted") in log
    assert result.pending == [1], "the answer recorded before Ctrl-C must be saved"
    assert kinds(log, "finish") == []
    assert [e[1] for e in kinds(log, "question")] == ["q-one"]  # the session ended
    assert mic.spools[0].discarded  # saved, so the crash copy is gone


def test_ctrl_c_before_any_speech_stores_nothing():
    ui = FakeUI(None, interrupt_at_s=1.0)
    drill, log, *_ = make([Q1], [silence(10.0)], ui=ui)
    result = drill.run()
    assert result.interrupted and kinds(log, "save") == []


def test_ctrl_c_during_transcription_keeps_the_recording_pending():
    drill, log, *_ = make([Q1, Q2], [answer(), answer()], [KeyboardInterrupt()])
    result = drill.run()
    assert result.interrupted and result.pending == [1]
    assert kinds(log, "save") and kinds(log, "report") == []
    assert any("redrill transcribe --pending" in m for m in drill.ui.messages)


def test_ctrl_c_while_the_question_is_spoken_ends_cleanly():
    log = Log()

    def interrupt(text):
        raise KeyboardInterrupt

    drill, log, *_ = make([Q1], [answer()], speaker=FakeSpeaker(log, on_say=interrupt))
    result = drill.run()
    assert result.interrupted and result.attempt_ids == []


def test_retry_asks_the_same_question_again():
    ui = FakeUI(None, choices=["r", "n"])
    drill, log, *_ = make([Q1], [answer(), answer(3.0)], [2.0, 3.0], interactive=True, ui=ui)
    result = drill.run()
    assert [e[1] for e in kinds(log, "question")] == ["q-one", "q-one"]
    assert [r.attempt_id for r in result.reports] == [1, 2]


def test_play_back_then_next():
    ui = FakeUI(None, choices=["p", "p", "n"])
    drill, log, *_ = make([Q1, Q2], [answer(), answer()], [2.0, 2.0], interactive=True, ui=ui)
    ui.choices.append("q")
    result = drill.run()
    assert kinds(log, "play") == [("play", 1), ("play", 1)]
    assert [e[1] for e in kinds(log, "choose")] == ["p", "p", "n", "q"]
    assert len(result.reports) == 2 and not result.interrupted


def test_quit_ends_the_session():
    ui = FakeUI(None, choices=["q"])
    drill, log, *_ = make([Q1, Q2], [answer(), answer()], [2.0], interactive=True, ui=ui)
    result = drill.run()
    assert result.asked == 1 and [e[1] for e in kinds(log, "question")] == ["q-one"]


def test_no_speech_moves_on_without_storing_or_asking():
    ui = FakeUI(None, choices=["n"])
    drill, log, _, mic, _ = make([Q1, Q2], [silence(10.0), answer()], [2.0], interactive=True, ui=ui)
    result = drill.run()
    assert ("recorded", "no_speech") in log
    assert [e[2] for e in kinds(log, "save")] == [1]  # only the second question's answer
    assert kinds(log, "save")[0][1] == "q-two"
    assert result.no_speech == ["q-one"]
    assert [e[1] for e in kinds(log, "choose")] == ["n"]  # no menu after the silent answer
    assert mic.spools[0].discarded
    assert any("No speech heard" in m for m in ui.messages)


def test_no_words_from_the_transcriber_moves_on():
    drill, _log, *_ = make([Q1, Q2], [answer(), answer()], [NoSpeechError("no speech"), 2.0])
    result = drill.run()
    assert result.no_speech == ["q-one"] and [r.attempt_id for r in result.reports] == [2]


def test_model_missing_still_saves_every_recording():
    def no_model():
        raise RedrillError("speech model 'base.en' is not installed; run `redrill model pull base.en`")

    drill, _log, ui, *_ = make([Q1, Q2], [answer(), answer()], factory=no_model)
    result = drill.run()
    assert result.pending == [1, 2] and result.reports == []
    warnings = [m for m in ui.messages if m.startswith("WARN")]
    assert len(warnings) == 2
    assert "redrill model pull base.en" in warnings[0]
    assert "saved as attempt #1" in warnings[0] and "redrill transcribe --pending" in warnings[0]


def test_model_loads_in_the_background_while_the_question_is_spoken():
    loading = threading.Event()
    transcriber = FakeTranscriber([2.0])

    def factory():
        loading.set()
        return transcriber

    def say(text):
        assert loading.wait(5), "the model did not start loading while the question was read"

    log = Log()
    drill, log, *_ = make([Q1], [answer()], factory=factory, speaker=FakeSpeaker(log, on_say=say))
    drill.run()
    assert transcriber.loaded and kinds(log, "report")


def test_model_loader_reports_errors_on_every_get():
    loader = ModelLoader(lambda: (_ for _ in ()).throw(ValueError("bad file")))
    for _ in range(2):
        with pytest.raises(RedrillError, match="failed to load: ValueError: bad file"):
            loader.get()


def test_typed_answers():
    log = Log()
    ui = FakeUI(log, texts=["I built the billing system.", "", None])
    drill = Drill(
        [Q1, Q2, Q1], speaker=FakeSpeaker(log), practice=FakePractice(log), ui=ui, text_mode=True, interactive=False
    )
    result = drill.run()
    assert kinds(log, "score_text") == [("score_text", "q-one", "I built the billing system.")]
    assert [r.attempt_id for r in result.reports] == [1]
    assert result.asked == 3  # empty answer moved on; end of input (None) ended the session


def test_leftover_spools_are_saved_without_a_terminal():
    spool = Spool("q-one", tone(2.0), Path("q-one.spool"))
    drill, log, ui, *_ = make([Q1], [answer()], [2.0], find_spools=lambda: [spool])
    result = drill.run()
    assert result.recovered == [1]
    assert kinds(log, "save_spool", "discard_spool") == [("save_spool", "q-one"), ("discard_spool", "q-one")]
    assert any("redrill transcribe --pending" in m for m in ui.messages)


def test_leftover_spools_declined_are_deleted():
    ui = FakeUI(None, choices=["n", "q"])
    drill, log, *_ = make(
        [Q1], [answer()], [2.0], interactive=True, ui=ui, find_spools=lambda: [Spool("q-one", tone(2.0), Path("x"))]
    )
    result = drill.run()
    assert result.recovered == [] and kinds(log, "save_spool") == [] and kinds(log, "discard_spool")


# --- the real store, scoring and recordings folder ---------------------------------------------


class WordsTranscriber:
    """Returns a fixed timed transcript (no model needed), or raises."""

    model_name = "words"

    def __init__(self, outcome):
        self.outcome = outcome

    def load(self):
        return self

    def transcribe(self, samples, offset_s=0.0):
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return self.outcome


def timed(text, start=0.2, step=0.4):
    words = tuple(
        Word(w, round(start + i * step, 3), round(start + i * step + 0.3, 3), 0.9) for i, w in enumerate(text.split())
    )
    last = words[-1].end
    assert last is not None
    return Transcript(words=words, timed=True, audio_seconds=last + 0.3)


@pytest.fixture
def real(redrill_home):
    from redrill.banks import load_catalog
    from redrill.config import Config
    from redrill.paths import Paths
    from redrill.store import open_store

    paths = Paths(redrill_home).ensure()
    store = open_store(paths)
    catalog = load_catalog(paths.banks, [])
    yield store, catalog, paths, Config()
    store.close()


def test_real_store_saves_opus_then_scores(real):
    store, catalog, paths, config = real
    question = catalog.get("tell-me-about-yourself")
    log = Log()
    drill = Drill(
        [question],
        speaker=FakeSpeaker(log),
        practice=StorePractice(store, catalog, paths, config),
        ui=FakeUI(log),
        recorder=FakeMicrophone(log, [answer(3.0)]),
        transcriber_factory=lambda: WordsTranscriber(
            timed("I am an engineer who led the billing migration at my last company")
        ),
        interactive=False,
    )
    result = drill.run()
    assert len(result.reports) == 1
    attempt = store.get_attempt(result.reports[0].attempt_id)
    assert attempt.status == "scored" and attempt.source == "microphone"
    assert attempt.audio_path.endswith(".ogg") and (paths.home / attempt.audio_path).exists()
    assert attempt.audio_seconds == pytest.approx(3.4, abs=0.05)


def test_real_store_ctrl_c_in_transcription_leaves_attempt_recorded(real):
    store, catalog, paths, config = real
    question = catalog.get("tell-me-about-yourself")
    log = Log()
    drill = Drill(
        [question],
        speaker=FakeSpeaker(log),
        practice=StorePractice(store, catalog, paths, config),
        ui=FakeUI(log),
        recorder=FakeMicrophone(log, [answer(2.0)]),
        transcriber_factory=lambda: WordsTranscriber(KeyboardInterrupt()),
        interactive=False,
    )
    result = drill.run()
    assert result.interrupted and len(result.pending) == 1
    attempt = store.get_attempt(result.pending[0])
    assert attempt.status == "recorded"
    assert [a.id for a in store.pending_attempts()] == result.pending


def test_real_spool_is_recovered_into_a_pending_attempt(real):
    store, catalog, paths, config = real
    spool = SpoolWriter(paths.recordings, "tell-me-about-yourself", "Tell me?", 48000)
    spool.write(np.tile(tone(1.0), 3))  # 1 s at 48 kHz
    spool.close()
    found = recover_spools(paths.recordings)
    practice = StorePractice(store, catalog, paths, config)
    attempt_id = practice.save_spool(found[0])
    practice.discard_spool(found[0])
    assert store.get_attempt(attempt_id).status == "recorded"
    assert store.get_attempt(attempt_id).audio_seconds == pytest.approx(1.0, abs=0.01)
    assert recover_spools(paths.recordings) == []


# --- the commands -----------------------------------------------------------------------------


def test_drill_text_mode_from_a_script(cli):
    result = cli(
        "drill",
        "--text",
        "--no-tts",
        "--question",
        "tell-me-about-yourself",
        input="I build payment systems and lead a small team.\n\n",
    )
    assert result.exit_code == 0, result.output
    assert "Attempt #1" in result.output
    assert "Session done: 1 answer scored." in result.output


def test_play_a_typed_answer_says_there_is_no_audio(cli):
    cli("drill", "--text", "--no-tts", "--question", "tell-me-about-yourself", input="I build payment systems.\n\n")
    result = cli("play", "1")
    assert result.exit_code == 1
    assert "Error: attempt #1 has no recording (it was text)" in result.stderr


def test_play_unknown_attempt(cli):
    result = cli("play", "42")
    assert result.exit_code == 1 and "no attempt #42" in result.stderr


def test_drill_without_a_microphone_says_how_to_go_on(cli, monkeypatch):
    import sounddevice as sd

    def no_device(device=None, kind=None):
        raise sd.PortAudioError("Error querying device -1")

    monkeypatch.setattr(sd, "query_devices", no_device)
    result = cli("drill", "--no-tts", "--question", "tell-me-about-yourself")
    assert result.exit_code == 1
    assert "Error: no microphone found" in result.stderr
    assert "--text works without one" in result.stderr


def test_unknown_question_id(cli):
    result = cli("drill", "--text", "--question", "tell-me-about-yoursel")
    assert result.exit_code == 1 and "Did you mean: tell-me-about-yourself" in result.stderr


def test_devices_lists_voices(cli):
    result = cli("devices", "--voices")
    assert result.exit_code == 0 and "en-us" in result.output


def test_no_sound_output_goes_on_with_questions_on_screen():
    from redrill.errors import RedrillError

    log = Log()

    def no_device(_text):
        raise RedrillError("no sound output device (Error querying device -1)")

    ui = FakeUI(log, texts=["I built the billing system.", "I cut scope to the core flow."])
    drill = Drill(
        [Q1, Q2],
        speaker=FakeSpeaker(log, on_say=no_device),
        practice=FakePractice(log),
        ui=ui,
        text_mode=True,
        interactive=False,
    )
    result = drill.run()
    assert [r.attempt_id for r in result.reports] == [1, 2]  # both questions were still drilled
    warnings = [m for m in ui.messages if m.startswith("WARN")]
    assert len(warnings) == 1 and "no sound output device" in warnings[0] and "on screen only" in warnings[0]
    assert kinds(log, "say") == []  # the failing voice was not tried again


def test_the_self_check_list_is_ticked_in_the_drill_and_kept(cli, monkeypatch, redrill_home):
    """Rubric prompts are a list the user ticks ([t] after the report); the ticks stay with the
    attempt (show, export, rescore) and change no figure."""
    import json

    import redrill.cli.drill as drill_cli

    monkeypatch.setattr(drill_cli, "is_interactive", lambda: True)
    answer = "Our checkout migration locked a table. The stakes were high. I rolled it back and added a size check."
    result = cli("drill", "--text", "--no-tts", "--question", "failure-story", input=f"{answer}\n\nt\n1 x\n1 4\nq\n")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "[t]ick the self-check list" in out
    assert (
        "Check yourself: which of these did your answer do?" in out and "1. the situation and what was at stake" in out
    )
    assert "Please type numbers from 1 to 4" in out  # "1 x" is asked again
    assert "Ticked 2 of 4; kept with attempt #1." in out
    shown = json.loads(cli("show", "1", "--json").output)
    assert shown["report"]["metrics"]["self_check"] == {
        "covered": ["the situation and what was at stake", "what I changed afterwards"],
        "missing": ["what went wrong and my part in it", "how I owned it and fixed it"],
    }
    before = shown["report"]["metrics"]["ramble_score"]
    text = cli("show", "1").output
    assert "☑ the situation and what was at stake" in text and "☐ how I owned it and fixed it" in text
    assert cli("rescore").exit_code == 0
    after = json.loads(cli("show", "1", "--json").output)["report"]["metrics"]
    assert after["self_check"]["covered"] == ["the situation and what was at stake", "what I changed afterwards"]
    assert after["ramble_score"] == before


def test_the_loop_asks_its_adapters_nothing():
    """The loop is typed against redrill.adapters and calls what the contracts promise: it never asks
    an adapter whether it has a method (a fake without one would take another path than the real)."""
    import ast
    import inspect

    import redrill.drill
    import redrill.menu

    for module in (redrill.drill, redrill.menu):
        asked = [
            node.lineno
            for node in ast.walk(ast.parse(inspect.getsource(module)))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "hasattr")
        ]
        assert asked == [], f"{module.__name__} asks an adapter what it has on lines {asked}"
