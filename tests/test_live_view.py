"""The live view while speaking: time against the target band (and its colour), a level meter that
reads as one, the silence countdown, the words and fillers heard; ``--no-live``; and that drawing
it never costs the recorder a block of sound."""

from __future__ import annotations

import contextlib
import io
import os
import threading
import time
from collections.abc import Callable

import numpy as np
import pytest

from redrill.cli.live import GREEN, RED, YELLOW, Heard, LiveView, level_meter, live_lines, strip
from redrill.sound.endpointing import Progress

TARGET = (60.0, 120.0)


def progress(elapsed, *, first=0.5, silence=0.0, level=-20.0, started=True):
    return Progress(
        elapsed_s=elapsed,
        level_db=level,
        voiced=silence == 0.0,
        speech_started=started,
        silence_s=silence,
        max_seconds=240.0,
        silence_seconds=8.0,
        first_speech_s=first if started else None,
        no_speech_timeout=15.0,
    )


NOTHING_HEARD = Heard()


def view(p, *, heard=NOTHING_HEARD, width=80, levels=(-20.0,) * 12, **kw):
    return live_lines(p, TARGET, levels, heard, width, **kw)


@pytest.mark.parametrize(
    ("answer_s", "colour", "where"),
    [(30, YELLOW, "30 s short of the target"), (90, GREEN, "inside the target"), (130, RED, "10 s over the target")],
)
def test_time_against_the_target_band_changes_colour(answer_s, colour, where):
    first = view(progress(answer_s + 0.5))[0]
    assert f"{colour}" in first and where in strip(first)
    assert strip(first).split()[0] == ("0:30" if answer_s == 30 else "1:30" if answer_s == 90 else "2:10")
    assert "aim 1:00-2:00" in strip(first)


def test_time_is_the_answer_from_its_first_word_plus_what_was_carried():
    assert strip(view(progress(12.0, first=4.0))[0]).split()[0] == "0:08"  # "8 s": waiting time not counted
    assert strip(view(progress(12.0, first=4.0), carried_s=50.0)[0]).split()[0] == "0:58"
    assert strip(view(progress(6.0, started=False))[0]).split()[0] == "0:00"


def test_level_meter_rises_and_falls_with_the_voice():
    levels = [-60, -50, -40, -30, -20, -10, 0, -10, -30, -60]
    meter = level_meter(levels, cells=10)
    assert meter.startswith("mic ")
    heights = ["▁▂▃▄▅▆▇█".index(c) for c in meter[4:]]
    assert heights == sorted(heights[:7]) + heights[7:] and heights[6] == 7 and heights[-1] == 0
    assert "▮" not in meter and "▯" not in meter and "░" not in meter  # not a bar that fills up
    assert level_meter([], cells=5) == "mic ▁▁▁▁▁"


def test_speaking_says_which_keys_end_the_answer():
    second = strip(view(progress(10.0), keys="Enter or space")[1])
    assert "speaking · Enter or space ends the answer" in second
    assert strip(view(progress(10.0), keys="")[1]).endswith("speaking")


def test_countdown_once_quiet_and_gone_when_sound_comes_back():
    assert "ends in" not in strip(view(progress(10.0, silence=0.5))[1])
    quiet = view(progress(13.0, silence=3.0))[1]
    assert "quiet: the answer ends in 5 s unless you go on" in strip(quiet) and YELLOW in quiet
    assert "ends in" not in strip(view(progress(13.5, silence=0.0))[1])  # any sound cancels it


def test_waiting_for_the_first_word_says_how_long():
    second = strip(view(progress(6.0, started=False))[1])
    assert "waiting for you to speak (up to 9 s more)" in second


def test_words_and_fillers_heard_so_far():
    third = strip(view(progress(20.0), heard=Heard("so um I led the migration", 1))[2])
    assert third == "  heard: so um I led the migration · 1 filler so far"
    assert strip(view(progress(20.0), heard=Heard("a b", 2))[2]).endswith("· 2 fillers so far")
    assert "words appear" in strip(view(progress(5.0))[2])
    long = " ".join(f"word{i}" for i in range(60))
    third = strip(view(progress(40.0), heard=Heard(long, 0))[2])
    assert third.startswith("  heard: … word") and third.endswith("word59 · 0 fillers so far") and len(third) <= 79
    assert set(third.split()[3:-5]) <= set(long.split())  # whole words only, the newest ones


@pytest.mark.parametrize("width", [80, 60, 40, 24])
def test_every_line_fits_the_terminal(width):
    cases = [
        progress(6.0, started=False),
        progress(200.0, silence=4.0),
        progress(20.0),
    ]
    for p in cases:
        for line in view(p, heard=Heard("word " * 40, 12), width=width, keys="Enter or space"):
            assert len(strip(line)) <= width - 1, (width, strip(line))


def test_live_view_draws_in_place_and_erases():
    out = io.StringIO()
    live = LiveView(out, colour=False)
    live.show(["a", "b", "c"])
    live.show(["d", "e", "f"])
    live.erase()
    text = out.getvalue()
    assert text.count("\x1b[2A") == 2  # back up over the three lines each time
    assert GREEN not in text


def terminal_ui(live=True):
    from redrill.cli.drill import TerminalUI

    ui = TerminalUI(False, silence_seconds=8.0, live=live)
    ui._tty = True
    ui._view = LiveView(io.StringIO(), colour=False)
    ui._target = TARGET
    return ui


def test_no_live_shows_only_the_countdown():
    ui = terminal_ui(live=False)
    ui.progress(progress(10.0))
    assert ui._view.stream.getvalue().replace("\r\x1b[J", "") == ""
    ui.progress(progress(13.0, silence=3.0))
    shown = ui._view.stream.getvalue()
    assert "quiet: the answer ends in 5 s" in shown and "heard" not in shown and "aim" not in shown


def test_the_ui_shows_words_handed_over_by_the_transcriber():
    ui = terminal_ui()
    ui.heard("I led the migration", 0)
    ui.progress(progress(10.0))
    assert "heard: I led the migration · 0 fillers so far" in ui._view.stream.getvalue()


# --- the live view must not cost the recorder any sound ------------------------------------------


class PacedStream:
    """Stands in for sounddevice.InputStream: delivers ``audio`` in 10 ms blocks at real-time pace
    from its own thread (as PortAudio does), then keeps delivering the same loud signal."""

    def __init__(self, audio, *, samplerate, callback, **_):
        self.audio, self.rate, self.callback = audio, int(samplerate), callback
        self.delivered = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        class Status:
            input_overflow = False

        n = self.rate // 100
        start = time.perf_counter()
        i = 0
        while not self._stop.is_set():
            block = self.audio[(i * n) % len(self.audio) :][:n]
            self.callback(block.reshape(-1, 1), n, None, Status())
            self.delivered += n
            i += 1
            delay = start + i * 0.01 - time.perf_counter()
            if delay > 0:
                time.sleep(delay)

    def start(self):
        self._thread.start()

    def stop(self):
        self._stop.set()
        self._thread.join(5)

    def close(self):
        pass


@pytest.mark.slow
def test_a_slow_terminal_does_not_make_the_recorder_lose_blocks(monkeypatch, tmp_path):
    """Every block the device delivered before the answer ended is in the recording, in order, with
    the live view drawing to a real pseudo-terminal, a transcriber thread handing over words all the
    time, and each draw made 40 ms slow."""
    from redrill.cli.drill import TerminalUI
    from redrill.sound import microphone
    from redrill.sound.endpointing import Endpointing

    rate = 16000
    rng = np.random.default_rng(7)
    audio = (0.2 * rng.standard_normal(rate * 10)).astype(np.float32)  # loud from the first sample
    streams = []

    class SD:
        PortAudioError = RuntimeError

        @staticmethod
        def InputStream(**kw):
            streams.append(PacedStream(audio, **kw))
            return streams[-1]

    monkeypatch.setattr(microphone, "import_sounddevice", lambda: SD)
    monkeypatch.setattr(
        microphone, "resolve_input_device", lambda sd, device: (None, {"name": "t", "default_samplerate": rate})
    )
    master, slave = os.openpty()
    tty = os.fdopen(slave, "w", encoding="utf-8")

    def read_terminal():
        try:
            while os.read(master, 65536):
                pass
        except OSError:  # the terminal was closed
            pass

    drain = threading.Thread(target=read_terminal, daemon=True)
    drain.start()
    ui = TerminalUI(False, silence_seconds=8.0)
    ui._tty = True
    ui._view = LiveView(tty)
    ui._target = (5.0, 10.0)
    draws = []
    show = ui._view.show

    def slow_show(lines):
        time.sleep(0.04)
        draws.append(lines)
        show(lines)

    ui._view.show = slow_show  # type: ignore[method-assign]  # a slow terminal, drawn in the real view's place
    stop_hearing = threading.Event()

    def transcriber():
        words = []
        while not stop_hearing.is_set():
            words.append("word")
            ui.heard(" ".join(words), len(words) // 5)
            time.sleep(0.01)

    hearing = threading.Thread(target=transcriber, daemon=True)
    hearing.start()
    began = time.monotonic()
    recorder = microphone.Recorder(settings=Endpointing(max_seconds=60), spool_dir=tmp_path)
    try:
        rec = recorder.record("q", should_stop=lambda: time.monotonic() - began >= 4.0, on_progress=ui.progress)
    finally:
        stop_hearing.set()
        hearing.join(5)
        tty.close()
        drain.join(5)
        os.close(master)
    assert rec.reason == "stopped" and rec.overflows == 0
    assert len(draws) >= 20, "the live view was not drawn"
    assert any("heard: …" in strip(d[2]) or "heard: word" in strip(d[2]) for d in draws)
    # Nothing lost, nothing repeated: the recording is the delivered signal sample for sample,
    # and it reaches (within two blocks) the moment the key was pressed.
    assert np.array_equal(rec.samples, audio[: len(rec.samples)])
    assert rec.recorded_s == pytest.approx(4.0, abs=0.1)
    assert streams[0].delivered / rate >= rec.recorded_s


# --- waiting for the report shows what is left ----------------------------------------------------


def test_the_spinner_says_what_is_left(monkeypatch):
    from rich.console import Console

    from redrill.cli import app
    from redrill.cli.drill import TerminalUI

    shown = io.StringIO()
    monkeypatch.setattr(app, "_console", Console(file=shown, force_terminal=True, width=80))
    ui = TerminalUI(False, silence_seconds=8.0)
    with ui.waiting(21.0) as on_wait:
        for step in [(2, 21.0), (1, 8.0), (None, 3.0), (0, 0.0)]:
            on_wait(*step)
            time.sleep(0.15)  # the spinner redraws about ten times a second
    text = strip(shown.getvalue())
    assert "Transcribing: 2 pieces left (21 s of audio)" in text
    assert "Transcribing: 1 piece left (8 s of audio)" in text
    assert "Transcribing: 3 s of audio left" in text and "Scoring ..." in text


def test_without_a_terminal_the_wait_is_one_line(monkeypatch):
    from rich.console import Console

    from redrill.cli import app
    from redrill.cli.drill import TerminalUI

    shown = io.StringIO()
    monkeypatch.setattr(app, "_console", Console(file=shown, force_terminal=False, width=80))
    with TerminalUI(False, silence_seconds=8.0).waiting(65.0) as on_wait:
        on_wait(2, 30.0)
    assert shown.getvalue() == "Transcribing and scoring your 1:05 answer ...\n"


@pytest.mark.parametrize("streaming", [True, False])
def test_the_drill_reports_what_is_left_while_it_waits(real_store, streaming):
    from redrill.drill import Drill, StorePractice
    from test_drill import FakeMicrophone, FakeSpeaker, FakeUI, Log, WordsTranscriber, answer, timed

    class WaitingUI(FakeUI):
        """Notes what the drill reports while the answer is transcribed (TerminalUI.waiting's shape)."""

        def __init__(self, log: Log):
            super().__init__(log)
            self.waits: list[tuple[int | None, float]] = []
            self.entered: list[float] = []

        def waiting(self, seconds: float) -> contextlib.AbstractContextManager[Callable[[int | None, float], None]]:
            self.entered.append(seconds)
            return contextlib.nullcontext(self._on_wait)

        def _on_wait(self, pieces_left: int | None, seconds_left: float) -> None:
            self.waits.append((pieces_left, seconds_left))

    store, catalog, paths, config = real_store
    log = Log()
    ui = WaitingUI(log)
    drill = Drill(
        [catalog.get("tell-me-about-yourself")],
        speaker=FakeSpeaker(log),
        practice=StorePractice(store, catalog, paths, config),
        ui=ui,
        recorder=FakeMicrophone(log, [answer(3.0)]),
        transcriber_factory=lambda: WordsTranscriber(timed("I lead the billing team at a payments company")),
        interactive=False,
        streaming=streaming,
    )
    result = drill.run()
    assert len(result.reports) == 1
    assert ui.entered == [pytest.approx(3.4, abs=0.1)]  # speech and air (streaming: to the pause mark)
    assert ui.waits, "nothing was reported while waiting"
    if streaming:
        assert ui.waits[-1] == (0, 0.0)  # done: scoring
    else:
        assert ui.waits[0] == (None, pytest.approx(3.4, abs=0.05)) and ui.waits[-1] == (None, 0.0)


@pytest.fixture
def real_store(redrill_home):
    from redrill.banks import load_catalog
    from redrill.config import Config
    from redrill.paths import Paths
    from redrill.store import open_store

    paths = Paths(redrill_home).ensure()
    store = open_store(paths)
    yield store, load_catalog(paths.banks, []), paths, Config()
    store.close()


def test_the_drill_hands_the_words_heard_to_the_live_view(real_store):
    """At a pause inside the answer, the piece so far is transcribed and its words (and fillers)
    reach the UI while the user is still speaking."""
    import numpy as np

    from redrill.drill import Drill, StorePractice
    from test_drill import FakeMicrophone, FakeSpeaker, FakeUI, Log, WordsTranscriber, silence, timed, tone

    store, catalog, paths, config = real_store
    log = Log()
    heard = []

    class HearingUI(FakeUI):
        def heard(self, words: str, fillers: int | None) -> None:
            heard.append((words, fillers))

    signal = np.concatenate([silence(0.5), tone(2.0), silence(1.5), tone(2.0), silence(4.0)])
    drill = Drill(
        [catalog.get("tell-me-about-yourself")],
        speaker=FakeSpeaker(log),
        practice=StorePractice(store, catalog, paths, config),
        ui=HearingUI(log),
        recorder=FakeMicrophone(log, [signal]),
        transcriber_factory=lambda: WordsTranscriber(timed("so um I lead the billing team")),
        interactive=False,
        streaming=True,
    )
    drill.run()
    assert heard and heard[0] == ("so um I lead the billing team", 1)
