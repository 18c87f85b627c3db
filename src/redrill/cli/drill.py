"""``redrill drill``, ``redrill devices`` and ``redrill play``: the spoken practice loop and its sound."""

from __future__ import annotations

import contextlib
import queue
import shutil
import sys
import threading
import time
from typing import TYPE_CHECKING

import click

from redrill.cli.app import App, bank_option, console, fmt_seconds, is_interactive, pass_app
from redrill.cli.practice import follow_ups_option, load_prep, session_options, show_follow_up, show_model_answer
from redrill.numbers import plural

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from rich.console import Console

    from redrill.adapters import OnWait, Recorder, Speaker, Transcriber
    from redrill.banks import Catalog, Question
    from redrill.drill import Drill, SessionResult
    from redrill.model_answer import ModelAnswer
    from redrill.pipeline import AttemptReport
    from redrill.sound.endpointing import Progress
    from redrill.sound.microphone import Recording
    from redrill.sound.spool import Spool


class LineReader:
    """Reads standard input in a background thread, so a key can end a recording.

    All keyboard input of an interactive drill goes through this one reader (choices, typed
    answers, the key that ends an answer), so nothing typed is lost to a reader that is not
    listening. At a terminal, :meth:`keys` switches it to single keys (no Enter needed, nothing
    echoed) while an answer is recorded: Enter or space then ends the answer at once. Elsewhere
    (a pipe) a line ends it. ``None`` in the queue means end of input (Ctrl-D).
    """

    def __init__(self, stream=None):
        self._stream = stream or sys.stdin
        self._pieces: queue.Queue = queue.Queue()
        self._buf = ""
        self._eof = False
        self._keys = False
        try:
            self._fd = self._stream.fileno() if self._stream.isatty() else None
        except (AttributeError, OSError, ValueError):
            self._fd = None
        self._thread = threading.Thread(target=self._read, name="redrill-stdin", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        import os

        try:
            if self._fd is not None:
                # Raw reads: in key mode the terminal hands over each key as it is pressed.
                while True:
                    data = os.read(self._fd, 1024)
                    if not data:
                        break
                    self._pieces.put(data.decode("utf-8", errors="replace"))
            else:
                for line in iter(self._stream.readline, ""):
                    self._pieces.put(line if line.endswith("\n") else line + "\n")
        except (OSError, ValueError):
            pass
        self._pieces.put(None)

    def _take(self, timeout: float | None) -> bool:
        """Move one piece into the buffer; False when none came (or at end of input)."""
        if self._eof:
            return False
        try:
            piece = self._pieces.get(timeout=timeout) if timeout else self._pieces.get_nowait()
        except queue.Empty:
            return False
        if piece is None:
            self._eof = True
            return False
        self._buf += piece.replace("\r\n", "\n").replace("\r", "\n")
        return True

    def get(self) -> str | None:
        """The next line (waits; Ctrl-C interrupts), or None at end of input."""
        while "\n" not in self._buf:
            if self._eof:
                if self._buf:
                    line, self._buf = self._buf, ""
                    return line
                return None
            self._take(0.2)
        line, self._buf = self._buf.split("\n", 1)
        return line

    def poll(self) -> bool:
        """True when the answer should end: Enter or space pressed (in key mode), or a line entered."""
        while self._take(None):
            pass
        if self._keys:
            hit = any(c in self._buf for c in " \n")
            self._buf = ""  # keys typed while recording are not input for later prompts
            return hit
        if "\n" in self._buf:
            self._buf = self._buf.split("\n", 1)[1]
            return True
        return False

    def typed_ahead(self) -> bool:
        """True when something was typed that no prompt has read yet."""
        while self._take(None):
            pass
        return bool(self._buf)

    def drain(self) -> None:
        """Forget what was typed ahead (e.g. Enter pressed while the question was being read)."""
        while self._take(None):
            pass
        self._buf = ""

    def echo(self, on: bool) -> None:
        """Show typed keys (the default) or not (while a recording plays back: keys typed ahead
        are still read afterwards, but do not scribble over the progress bar)."""
        if self._fd is None:
            return
        import termios

        try:
            attrs = termios.tcgetattr(self._fd)
            attrs[3] = attrs[3] | termios.ECHO if on else attrs[3] & ~termios.ECHO
            termios.tcsetattr(self._fd, termios.TCSANOW, attrs)
        except termios.error:
            pass

    @contextlib.contextmanager
    def keys(self):
        """Single-key mode for the ``with`` block (a terminal only); the terminal is always restored."""
        if self._fd is None:
            yield self
            return
        import termios
        import tty

        try:
            saved = termios.tcgetattr(self._fd)
            tty.setcbreak(self._fd, termios.TCSANOW)
        except termios.error:
            yield self
            return
        self._keys = True
        try:
            yield self
        finally:
            self._keys = False
            termios.tcsetattr(self._fd, termios.TCSADRAIN, saved)


def escape(text: str) -> str:
    """Text shown as is by rich (brackets are not markup)."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


REASONS = {
    "silence": "you were quiet for {silence} s",
    "stopped": "you pressed a key",
    "max_length": "the time limit was reached",
    "no_speech": "no speech was heard",
    "interrupted": "Ctrl-C",
    "stalled": "the microphone stopped sending sound",
}


class TerminalUI:
    """The drill's terminal: question, live view on stderr, progress while waiting, report, choices."""

    def __init__(self, interactive: bool, *, silence_seconds: float, live: bool = True):
        from redrill.cli.live import Heard, LiveView

        self.interactive = interactive
        self.silence_seconds = silence_seconds
        self.out = console()
        self._reader: LineReader | None = None
        self._tty = sys.stderr.isatty()
        self.live = live
        self._view = LiveView(sys.stderr, colour=self.out.is_terminal and not self.out.no_color)
        self._target = (0.0, 0.0)
        self._carried_s = 0.0
        self._end_keys = ""
        self._heard = Heard()
        self._heard_lock = threading.Lock()
        self._keys: contextlib.AbstractContextManager | None = None  # single-key mode while recording
        self._show_answer = False  # the next answer was typed while echo was off: print it

    def _lines(self) -> LineReader:
        if self._reader is None:
            self._reader = LineReader()
        return self._reader

    def question(self, question: Question, number: int, total: int) -> None:
        """Show the question."""
        lo, hi = question.target_seconds
        self.out.print()
        self.out.print(
            f"[bold]Question {number}/{total}[/bold] [dim]({escape(question.id)}, aim for {fmt_seconds(lo)}-{fmt_seconds(hi)})[/dim]"
        )
        self.out.print(f"[bold cyan]{escape(question.text)}[/bold cyan]")
        self._target = (lo, hi)

    def follow_up(self, question: Question, why: str = "") -> None:
        """Show a follow-up question (it is read aloud next, like the question)."""
        show_follow_up(self.out, question, why)
        self._target = question.target_seconds

    def model_answer(self, model: ModelAnswer) -> None:
        """Say what the better answer to hear is (a recording, or the cleaned words read aloud)."""
        show_model_answer(self.out, model)

    def info(self, text: str) -> None:
        """A plain message (never read as rich markup: error texts contain brackets)."""
        self.out.print(escape(text))

    def warn(self, text: str) -> None:
        """A message that needs attention."""
        self.out.print(f"[yellow]{escape(text)}[/yellow]")

    def recording_started(self, question: Question, max_seconds: float, *, carried_s: float = 0.0) -> None:
        """Say that recording is on and how it ends; at a terminal, keys end the answer from now."""
        from redrill.cli.live import Heard

        self._end_keys = ""
        silence = f"{self.silence_seconds:g} s of silence"
        how = f"The answer ends after {silence}."
        if self.interactive:
            reader = self._lines()
            reader.drain()
            self._keys = reader.keys()
            self._keys.__enter__()
            self._end_keys = "Enter or space" if reader._fd is not None else "Enter"
            how = f"Press {self._end_keys} when you are done; {silence} also ends the answer."
        with self._heard_lock:
            self._heard = Heard()
        self._carried_s = carried_s
        self._view.reset()
        what = "speak now" if not carried_s else f"go on from {fmt_seconds(carried_s)}"
        self.out.print(f"[red]● Recording[/red] (at most {fmt_seconds(max_seconds)}) - {what}.")
        self.out.print(f"  {how}")

    def heard(self, words: str, fillers: int | None) -> None:
        """The words (and fillers) heard so far; called from the transcription worker."""
        from redrill.cli.live import Heard

        with self._heard_lock:
            self._heard = Heard(words, fillers)

    def progress(self, p: Progress) -> None:
        """The live view (a terminal only; see :mod:`redrill.cli.live`).

        With ``--no-live`` only the silence countdown shows, as the one warning that matters.
        """
        if not self._tty:
            return
        from redrill.cli.live import COUNTDOWN_AFTER_S, live_lines

        self._view.levels.append(p.level_db)
        width = shutil.get_terminal_size((80, 24)).columns
        with self._heard_lock:
            heard = self._heard
        lines = live_lines(
            p, self._target, self._view.levels, heard, width, carried_s=self._carried_s, keys=self._end_keys
        )
        if not self.live:
            lines = [lines[1]] if p.speech_started and p.silence_s >= COUNTDOWN_AFTER_S else []
        self._view.show(lines)

    def recording_finished(self, rec: Recording) -> None:
        """End the live view and key mode, and say why recording stopped."""
        if self._keys is not None:
            self._keys.__exit__(None, None, None)
            self._keys = None
        if self._tty:
            self._view.erase()
        why = REASONS.get(rec.reason, rec.reason).format(silence=f"{self.silence_seconds:g}")
        if rec.has_answer and self._carried_s:
            total = fmt_seconds(self._carried_s + rec.seconds)
            self.out.print(f"Recorded {fmt_seconds(rec.seconds)} more, {total} in all (stopped: {why}).")
        elif rec.has_answer:
            self.out.print(f"Recorded {fmt_seconds(rec.seconds)} (stopped: {why}).")
        if rec.overflows:
            self.warn(
                f"The computer could not keep up with the microphone {plural(rec.overflows, 'time')}; some sound may be missing."
            )

    @contextlib.contextmanager
    def waiting(self, seconds: float) -> Iterator[OnWait]:
        """A spinner while the answer is transcribed and scored, with what is left; yields the
        ``on_wait(pieces_left, seconds_left)`` callback that updates it (``pieces_left`` None: not
        known, only the seconds of audio left)."""
        first = f"Transcribing and scoring your {fmt_seconds(seconds)} answer ..."
        if not self.out.is_terminal:
            self.out.print(first)
            yield lambda chunks, secs: None
            return
        with self.out.status(first, spinner="dots") as status, self._typing_hidden():
            started = time.monotonic()

            def on_wait(chunks: int | None, secs: float) -> None:
                spent = time.monotonic() - started
                if chunks is None and secs > 0:  # a whole answer: only the audio left is known
                    status.update(f"Transcribing: {secs:.0f} s of audio left · {spent:.0f} s so far")
                elif chunks:
                    status.update(
                        f"Transcribing: {plural(chunks, 'piece')} left ({secs:.0f} s of audio) · {spent:.0f} s so far"
                    )
                else:
                    status.update("Scoring ...")

            yield on_wait

    def report(self, report: AttemptReport) -> None:
        """Render the scored attempt."""
        from redrill.cli.render import print_report

        print_report(report)

    def choose(self, prompt: str, choices: dict[str, str], default: str) -> str:
        """Ask until one of the choice letters (or Enter for the default) is given."""
        menu = ", ".join(f"[{k}]{v[1:] if v.startswith(k) else ' ' + v}" for k, v in choices.items())
        while True:
            self.out.print(escape(f"{prompt} {menu}"))
            self.out.print(escape(f"Type a letter, then Enter (Enter alone: {choices[default]}): "), end="")
            line = self._lines().get()
            if line is None:
                self.out.print()
                return "q" if "q" in choices else default
            if self._show_answer:
                self._show_answer = False
                self.out.print(escape(line))
            answer = line.strip().lower()[:1] or default
            if answer in choices:
                return answer
            self.out.print(f"Please type one of: {', '.join(choices)}")

    def tick(self, prompts: tuple[str, ...]) -> tuple[str, ...] | None:
        """Ask which self-check prompts the answer did: numbers, e.g. ``1 3``; Enter for none;
        None at end of input."""
        self.out.print("Check yourself: which of these did your answer do?")
        for i, prompt in enumerate(prompts, 1):
            self.out.print(f"  {i}. {escape(prompt)}")
        while True:
            self.out.print("Type their numbers (e.g. 1 3), then Enter (Enter alone: none): ", end="")
            line = self._lines().get()
            if line is None:
                self.out.print()
                return None
            picked = parse_ticks(line, len(prompts))
            if picked is not None:
                return tuple(prompts[i - 1] for i in picked)
            self.out.print(f"Please type numbers from 1 to {len(prompts)}, separated by spaces.")

    def read_text(self, question: Question) -> str | None:
        """A typed answer: lines until an empty line; None at end of input with nothing typed."""
        self.out.print("Type your answer; finish with an empty line (or Ctrl-D):")
        lines: list[str] = []
        while True:
            line = self._lines().get()
            if line is None:
                return "\n".join(lines) if lines else None
            if not line.strip():
                if lines:
                    return "\n".join(lines)
                continue
            lines.append(line)

    def stop_requested(self) -> bool:
        """True when Enter or space was pressed during the recording."""
        return self._lines().poll()

    @contextlib.contextmanager
    def _typing_hidden(self):
        """Keys typed meanwhile are not echoed over a spinner or bar; the next prompt shows them."""
        if not self.interactive:
            yield
            return
        reader = self._lines()
        reader.echo(False)
        try:
            yield
        finally:
            reader.echo(True)
            self._show_answer = self._show_answer or reader.typed_ahead()

    def playback_bar(self, label: str):
        """The progress bar of a playback; typed keys are not echoed while it plays."""
        from redrill.cli.render import PlaybackBar

        hidden = self._typing_hidden()

        class QuietBar(PlaybackBar):
            def done(self) -> None:
                super().done()
                hidden.__exit__(None, None, None)

        hidden.__enter__()
        return QuietBar(label)

    def close(self) -> None:
        """Leave the terminal as it was (key mode off, echo on), also after Ctrl-C."""
        if self._keys is not None:
            self._keys.__exit__(None, None, None)
            self._keys = None
        if self._reader is not None:
            self._reader.echo(True)


def parse_ticks(line: str, count: int) -> list[int] | None:
    """``"1 3"`` / ``"1,3"`` -> ``[1, 3]`` (sorted, each once); None when a part is not 1..count."""
    import re

    parts = [p for p in re.split(r"[\s,;]+", line.strip()) if p]
    if not all(p.isdigit() and 1 <= int(p) <= count for p in parts):
        return None
    return sorted({int(p) for p in parts})


def _summary(result: SessionResult, out: Console) -> None:
    scored = len(result.reports)
    parts = [f"{plural(scored, 'answer')} scored"]
    if result.pending:
        parts.append(
            f"{len(result.pending)} saved for later ({', '.join(f'#{i}' for i in result.pending)}: run `redrill transcribe --pending`)"
        )
    if result.no_speech:
        parts.append(f"{len(result.no_speech)} without speech")
    if result.discarded:
        parts.append(f"{len(result.discarded)} discarded")
    if result.follow_ups:
        parts.append(f"{plural(len(result.follow_ups), 'follow-up')} answered")
    head = "Session stopped" if result.interrupted else "Session done"
    out.print(f"\n[bold]{head}:[/bold] " + "; ".join(parts) + ".")
    if scored:
        out.print("See how your answers are improving: redrill progress")


@click.command("drill")
@click.option(
    "--question",
    "question_ids",
    multiple=True,
    metavar="ID",
    help="Drill this question (repeatable; asked in this order).",
)
@click.option("--tag", "tags", multiple=True, help="Only questions with this tag (repeatable).")
@click.option("--count", type=click.IntRange(min=1), help="Ask at most this many questions.")
@click.option("--interview", "interview_id", type=int, help="Drill the questions flagged in this debrief.")
@click.option(
    "--prep",
    "prep_name",
    metavar="NAME",
    help="Drill a prep set made with `redrill prep` (its questions, with the job's terms as talking points).",
)
@follow_ups_option
@session_options
@bank_option
@pass_app
def drill(app: App, question_ids, tags, count, interview_id, prep_name, follow_ups, **options) -> None:
    """Hear each question, answer out loud, and get a report against your earlier attempts.

    Questions come in drill order (due flagged questions first, then your weakest, then new ones)
    unless you pick them with --question, --tag, --interview or --prep. After an answer, [h] plays
    your best recording of the question (or reads your cleaned best answer and own points aloud);
    --follow-ups asks a follow-up question like an interviewer would. Each answer ends when you press
    Enter or space, go quiet for --silence-seconds, or reach --max-seconds; it is saved before it
    is transcribed, so Ctrl-C never loses it. On a first run (no interview logged, nothing
    practised) it starts by asking what to drill. With no terminal on standard input (a script),
    the drill runs without prompts.
    """
    import random

    from redrill.coaching import session_catalog
    from redrill.selection import pick_questions
    from redrill.store import utcnow

    interactive = is_interactive()
    catalog = session_catalog(app.catalog)
    if prep_name is not None:
        prep, catalog = load_prep(app, prep_name)
        if not question_ids:
            question_ids = tuple(prep.question_ids)
    if not question_ids and not tags and interview_id is None and first_run(app.store):
        picked = onboarding(app, interactive=interactive, count=count)
        if picked is None:
            return
        question_ids, interview_id = picked
    questions = pick_questions(
        app.store,
        catalog,
        question_ids=question_ids,
        tags=tags,
        count=count,
        interview_id=interview_id,
        now=utcnow(),
        rng=random.Random(),
    )
    if not questions:
        raise click.ClickException("there are no questions to drill; add some with `redrill debrief` or a --bank file")
    use_follow_ups = app.config.follow_ups if follow_ups is None else follow_ups
    session, ui = build_session(app, questions, catalog, follow_ups=use_follow_ups, **options)
    try:
        result = session.run()
    finally:
        ui.close()
    _summary(result, console())


def build_session(
    app: App,
    questions: list[Question],
    catalog: Catalog,
    *,
    ui_class: type[TerminalUI] = TerminalUI,
    menu: bool = True,
    follow_ups: bool,
    text_mode: bool,
    no_tts: bool,
    voice: str | None,
    rate: int | None,
    device: str | None,
    silence_seconds: float | None,
    max_seconds: float | None,
    model: str | None,
    streaming: bool,
    no_live: bool,
) -> tuple[Drill, TerminalUI]:
    """A drill session over ``questions`` with the real adapters, and its terminal (``ui_class``:
    :class:`TerminalUI`, or a quieter one for a mock interview or a warm-up; ``menu=False`` moves on
    after each answer). Spoken unless ``text_mode``: then no microphone or model is touched.
    """
    from redrill.coaching import StoreCoach
    from redrill.drill import Drill, StorePractice
    from redrill.sound.speaker import NullSpeaker, TtsSpeaker

    config = app.config.with_overrides(voice=voice, rate=rate, input_device=device, silence_seconds=silence_seconds)
    interactive = is_interactive()
    recorder: Recorder | None = None
    factory: Callable[[], Transcriber] | None = None
    find_spools: Callable[[], list[Spool]] | None = None
    if not text_mode:
        from redrill.sound.endpointing import Endpointing
        from redrill.sound.microphone import Recorder
        from redrill.sound.spool import recover_spools

        settings = Endpointing(silence_seconds=config.silence_seconds, no_speech_timeout=config.no_speech_timeout)
        recorder = Recorder(config.input_device, settings=settings, spool_dir=app.paths.ensure().recordings)
        recorder.check()  # no microphone: say so before reading any question aloud

        def load_model() -> Transcriber:
            from redrill.cli.answer import transcriber_for

            return transcriber_for(app, model)

        def spools_left() -> list[Spool]:
            return recover_spools(app.paths.recordings)

        factory, find_spools = load_model, spools_left

    speaker: Speaker = NullSpeaker() if no_tts else TtsSpeaker(config.voice, config.rate)
    ui = ui_class(interactive, silence_seconds=config.silence_seconds, live=not no_live)
    session = Drill(
        questions,
        speaker=speaker,
        practice=StorePractice(app.store, catalog, app.paths, config, playback_bar=ui.playback_bar),
        ui=ui,
        recorder=recorder,
        transcriber_factory=factory,
        text_mode=text_mode,
        interactive=interactive,
        max_seconds=max_seconds,
        find_spools=find_spools,
        streaming=streaming,
        coach=StoreCoach(app.store, catalog, app.paths),
        follow_ups=follow_ups,
        menu=menu,
    )
    return session, ui


FIRST_RUN_COUNT = 3


def first_run(store) -> bool:
    """No interview logged and nothing practised yet: the drill starts with :func:`onboarding`."""
    return not store.interviews() and not store.attempts(limit=1)


def onboarding(app: App, *, interactive: bool, count: int | None):
    """What a first drill is about: the interview just had (the debrief), or a few questions of one
    role or bank; never a random question out of every bank. Returns ``(question_ids,
    interview_id)`` for :func:`pick_questions`, or None when the user quits.

    Without a terminal nothing can be asked, so it fails with the two ways to start.
    """
    from redrill.cli.render import plural

    if not interactive:
        raise click.ClickException(
            "nothing to drill yet: no interview is logged and nothing has been practised. Log the "
            "interview you just had with `redrill debrief`, or choose questions with --tag TAG or "
            "--question ID (`redrill bank list` shows them)"
        )
    out = console()
    out.print("[bold]Welcome to redrill.[/bold] No interview logged, nothing practised yet. What first?")
    out.print(
        _menu_grid(
            [
                (
                    "d",
                    "Debrief: log the interview you just had (the questions, how each went), then drill the weak ones",
                ),
                ("b", "Pick a role or question bank and answer a few of its questions"),
                ("q", "Quit"),
            ]
        )
    )
    choice = click.prompt(
        "Type d, b or q, then Enter (Enter alone: d)",
        type=click.Choice(["d", "b", "q"]),
        default="d",
        show_choices=False,
        show_default=False,
    )
    if choice == "q":
        return None
    if choice == "d":
        from redrill.cli.debrief import run_debrief

        run_debrief(app, None, False, drill_next=True)
        interviews = app.store.interviews()
        if not interviews:
            return None
        newest = max(interviews, key=lambda iv: iv.id)
        if not app.store.flags(interview_id=newest.id):
            out.print("Nothing was flagged in that interview; run `redrill drill` again to practise in drill order.")
            return None
        return (), newest.id
    banks = [b for b in app.catalog.banks if b.questions]
    out.print()
    rows = []
    for number, bank in enumerate(banks, start=1):
        about = f"\n[dim]{escape(bank.description)}[/dim]" if bank.description else ""
        rows.append(
            (str(number), f"[bold]{escape(bank.name)}[/bold] ({plural(len(bank.questions), 'question')}){about}")
        )
    out.print(_menu_grid(rows))
    picked = click.prompt(
        f"Which one? Type its number (1-{len(banks)}), then Enter (Enter alone: 1)",
        type=click.IntRange(1, len(banks)),
        default=1,
        show_default=False,
    )
    bank = banks[picked - 1]
    default = min(FIRST_RUN_COUNT, len(bank.questions))
    how_many = count or click.prompt(
        f"How many questions? Type a number (1-{len(bank.questions)}), then Enter (Enter alone: {default})",
        type=click.IntRange(1, len(bank.questions)),
        default=default,
        show_default=False,
    )
    return tuple(q.id for q in bank.questions[:how_many]), None


def _menu_grid(rows):
    """Choices as two columns, key and text, so a long text wraps under itself, not under the key."""
    from rich.table import Table

    grid = Table.grid(padding=(0, 2))
    grid.add_column(justify="right", style="bold", no_wrap=True)
    grid.add_column()
    for key, text in rows:
        grid.add_row(f"  {key}", text)
    return grid


COMMANDS = [drill]
