"""``redrill drill``, ``redrill devices`` and ``redrill play``: the spoken practice loop and its sound."""

from __future__ import annotations

import queue
import sys
import threading

import click

from redrill.cli.app import App, bank_option, console, fmt_seconds, is_interactive, pass_app, print_json


class LineReader:
    """Reads standard input lines in a background thread, so Enter can end a recording.

    All keyboard input of an interactive drill goes through this one reader (choices, typed
    answers, the Enter that ends an answer), so no line is lost to a reader that is not listening.
    ``None`` in the queue means end of input (Ctrl-D).
    """

    def __init__(self, stream=None):
        self._stream = stream or sys.stdin
        self._lines: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._read, name="redrill-stdin", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            for line in iter(self._stream.readline, ""):
                self._lines.put(line.rstrip("\r\n"))
        except (OSError, ValueError):
            pass
        self._lines.put(None)

    def get(self) -> str | None:
        """The next line (waits; Ctrl-C interrupts), or None at end of input."""
        while True:
            try:
                line = self._lines.get(timeout=0.2)
            except queue.Empty:
                continue
            if line is None:
                self._lines.put(None)  # stay at end of input for later reads
            return line

    def poll(self) -> bool:
        """True (and the line is used up) when a line was entered since the last call."""
        try:
            line = self._lines.get_nowait()
        except queue.Empty:
            return False
        if line is None:
            self._lines.put(None)
            return False
        return True

    def drain(self) -> None:
        """Forget lines typed ahead (e.g. Enter pressed while the question was being read)."""
        while True:
            try:
                line = self._lines.get_nowait()
            except queue.Empty:
                return
            if line is None:
                self._lines.put(None)
                return


def escape(text: str) -> str:
    """Text shown as is by rich (brackets are not markup)."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


class TerminalUI:
    """The drill's terminal: question, live meter on stderr, report, choices."""

    def __init__(self, interactive: bool, *, silence_seconds: float):
        self.interactive = interactive
        self.silence_seconds = silence_seconds
        self.out = console()
        self._reader: LineReader | None = None
        self._meter = sys.stderr.isatty()
        self._target = None

    def _lines(self) -> LineReader:
        if self._reader is None:
            self._reader = LineReader()
        return self._reader

    def question(self, question, number, total) -> None:
        """Show the question."""
        lo, hi = question.target_seconds
        self.out.print()
        self.out.print(f"[bold]Question {number}/{total}[/bold] [dim]({escape(question.id)}, aim for {fmt_seconds(lo)}-{fmt_seconds(hi)})[/dim]")
        self.out.print(f"[bold cyan]{escape(question.text)}[/bold cyan]")
        self._target = (lo, hi)

    def info(self, text: str) -> None:
        """A plain message (never read as rich markup: error texts contain brackets)."""
        self.out.print(escape(text))

    def warn(self, text: str) -> None:
        """A message that needs attention."""
        self.out.print(f"[yellow]{escape(text)}[/yellow]")

    def recording_started(self, question, max_seconds: float) -> None:
        """Say that recording is on and how it ends."""
        how = f"after {self.silence_seconds:g} s of silence"
        if self.interactive:
            how = f"when you press Enter or {how}"
            self._lines().drain()
        self.out.print(f"[red]● Recording[/red] - speak now; the answer ends {how} (at most {fmt_seconds(max_seconds)}).")

    def progress(self, p) -> None:
        """The live meter: elapsed time against the target, level bar, silence count-down."""
        if not self._meter:
            return
        lo, hi = self._target or (0, 0)
        level = max(0.0, min(1.0, (p.level_db + 60) / 60))
        bar = "#" * int(level * 20)
        state = "speaking" if p.voiced else (f"silence {p.silence_s:.0f}/{p.silence_seconds:g} s" if p.speech_started else "waiting for you to speak")
        mark = " over target" if hi and p.elapsed_s > hi else ""
        line = f"\r  {fmt_seconds(p.elapsed_s):>6} (aim {fmt_seconds(lo)}-{fmt_seconds(hi)}{mark}) [{bar:<20}] {state}"
        sys.stderr.write(f"{line:<90}")
        sys.stderr.flush()

    def recording_finished(self, rec) -> None:
        """End the meter line and say why recording stopped."""
        if self._meter:
            sys.stderr.write("\r" + " " * 90 + "\r")
            sys.stderr.flush()
        why = {
            "silence": "you went quiet",
            "stopped": "you pressed Enter",
            "max_length": "the time limit was reached",
            "no_speech": "no speech was heard",
            "interrupted": "Ctrl-C",
            "stalled": "the microphone stopped sending sound",
        }.get(rec.reason, rec.reason)
        if rec.has_answer:
            self.out.print(f"Recorded {fmt_seconds(rec.seconds)} (stopped: {why}).")
        if getattr(rec, "overflows", 0):
            self.warn(f"The computer could not keep up with the microphone {rec.overflows} time(s); some sound may be missing.")

    def report(self, report) -> None:
        """Render the scored attempt."""
        from redrill.cli.render import print_report

        print_report(report)

    def choose(self, prompt: str, choices: dict[str, str], default: str) -> str:
        """Ask until one of the choice letters (or Enter for the default) is given."""
        menu = ", ".join(f"[{k}]{v[1:] if v.startswith(k) else ' ' + v}" for k, v in choices.items())
        while True:
            self.out.print(escape(f"{prompt} {menu} (Enter: {choices[default]}) "), end="")
            line = self._lines().get()
            if line is None:
                self.out.print()
                return "q" if "q" in choices else default
            answer = line.strip().lower()[:1] or default
            if answer in choices:
                return answer
            self.out.print(f"Please type one of: {', '.join(choices)}")

    def read_text(self, question) -> str | None:
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
        """True when Enter was pressed during the recording."""
        return self._lines().poll()


def _summary(result, out) -> None:
    scored = len(result.reports)
    parts = [f"{scored} answer(s) scored"]
    if result.pending:
        parts.append(f"{len(result.pending)} saved for later ({', '.join(f'#{i}' for i in result.pending)}: run `redrill transcribe --pending`)")
    if result.no_speech:
        parts.append(f"{len(result.no_speech)} without speech")
    head = "Session stopped" if result.interrupted else "Session done"
    out.print(f"\n[bold]{head}:[/bold] " + "; ".join(parts) + ".")
    if scored:
        out.print("See how your answers are improving: redrill progress")


@click.command("drill")
@click.option("--question", "question_ids", multiple=True, metavar="ID", help="Drill this question (repeatable; asked in this order).")
@click.option("--tag", "tags", multiple=True, help="Only questions with this tag (repeatable).")
@click.option("--count", type=click.IntRange(min=1), help="Ask at most this many questions.")
@click.option("--interview", "interview_id", type=int, help="Drill the questions flagged in this debrief.")
@click.option("--text", "text_mode", is_flag=True, help="Type the answers instead of speaking (no microphone needed).")
@click.option("--no-tts", is_flag=True, help="Do not read questions aloud (show them only, no sound).")
@click.option("--voice", help="Voice for reading questions: an id or part of one, e.g. en-us (`redrill devices --voices`).")
@click.option("--rate", type=click.IntRange(60, 400), help="Speaking rate of the question voice, words per minute (default 175).")
@click.option("--device", help="Microphone: a device number or name from `redrill devices` (default: the system's).")
@click.option("--silence-seconds", type=click.FloatRange(min=0.5, max=60), help="End the answer after this much silence once you have started (default 4).")
@click.option("--max-seconds", type=click.FloatRange(min=1, max=1800), help="Longest answer recorded (default: twice the question's target maximum).")
@click.option("--model", "model", metavar="NAME|DIR", help="Whisper model: a name (base.en, ...) or a CTranslate2 model folder.")
@click.option(
    "--streaming/--no-streaming",
    default=True,
    show_default=True,
    help="Transcribe while you speak, so the report appears about a second after you stop.",
)
@bank_option
@pass_app
def drill(app: App, question_ids, tags, count, interview_id, text_mode, no_tts, voice, rate, device, silence_seconds, max_seconds, model, streaming) -> None:
    """Hear each question, answer out loud, and get a report against your earlier attempts.

    Questions come in drill order (due flagged questions first, then your weakest, then new ones)
    unless you pick them with --question, --tag or --interview. Each answer ends when you press
    Enter, go quiet for --silence-seconds, or reach --max-seconds; it is saved before it is
    transcribed, so Ctrl-C never loses it. With no terminal on standard input (a script), the drill
    runs without prompts.
    """
    import random

    from redrill.drill import Drill, StorePractice
    from redrill.selection import pick_questions
    from redrill.speech import NullSpeaker, TtsSpeaker
    from redrill.store import utcnow

    config = app.config.with_overrides(voice=voice, rate=rate, input_device=device, silence_seconds=silence_seconds)
    questions = pick_questions(
        app.store, app.catalog, question_ids=question_ids, tags=tags, count=count, interview_id=interview_id, now=utcnow(), rng=random.Random()
    )
    if not questions:
        raise click.ClickException("there are no questions to drill; add some with `redrill debrief` or a --bank file")
    interactive = is_interactive()
    recorder = factory = find_spools = None
    if not text_mode:
        from redrill.microphone import Endpointing, Recorder, recover_spools

        settings = Endpointing(silence_seconds=config.silence_seconds, no_speech_timeout=config.no_speech_timeout)
        recorder = Recorder(config.input_device, settings=settings, spool_dir=app.paths.ensure().recordings)
        recorder.check()  # no microphone: say so before reading any question aloud

        def factory():
            from redrill.cli.answer import transcriber_for

            return transcriber_for(app, model)

        def find_spools():
            return recover_spools(app.paths.recordings)

    speaker = NullSpeaker() if no_tts else TtsSpeaker(config.voice, config.rate)
    session = Drill(
        questions,
        speaker=speaker,
        practice=StorePractice(app.store, app.catalog, app.paths, config),
        ui=TerminalUI(interactive, silence_seconds=config.silence_seconds),
        recorder=recorder,
        transcriber_factory=factory,
        text_mode=text_mode,
        interactive=interactive,
        max_seconds=max_seconds,
        find_spools=find_spools,
        streaming=streaming,
    )
    result = session.run()
    _summary(result, console())


@click.command("devices")
@click.option("--voices", is_flag=True, help="List the voices for reading questions aloud instead.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def devices(voices: bool, as_json: bool) -> None:
    """List microphones (input devices) for --device, or voices for --voice."""
    if voices:
        from redrill.speech import list_voices

        found = list_voices()
        if as_json:
            print_json([{"id": v.id, "name": v.name, "languages": list(v.languages)} for v in found])
            return
        for v in found:
            click.echo(f"{v.id:<24} {v.name}")
        return
    from redrill.microphone import list_input_devices

    found = list_input_devices()
    if as_json:
        print_json(
            [
                {"index": d.index, "name": d.name, "hostapi": d.hostapi, "channels": d.channels, "default_samplerate": d.default_samplerate, "default": d.is_default}
                for d in found
            ]
        )
        return
    if not found:
        raise click.ClickException(
            "no microphone found: plug one in or check your sound server (PulseAudio/PipeWire); typed answers work without one: redrill drill --text"
        )
    for d in found:
        mark = "*" if d.is_default else " "
        click.echo(f"{mark} {d.index:>3}  {d.name}  ({d.hostapi}, {d.channels} ch, {d.default_samplerate:.0f} Hz)")
    click.echo("* = default. Use --device NUMBER or --device NAME with `redrill drill`.")


@click.command("play")
@click.argument("attempt_id", type=int)
@click.option("--device", help="Output device number or name (default: the system's).")
@pass_app
def play(app: App, attempt_id: int, device) -> None:
    """Play back the recording of attempt ATTEMPT_ID (numbers are in `redrill history`)."""
    from redrill.drill import play_attempt

    if isinstance(device, str) and device.strip().isdigit():
        device = int(device)
    seconds = play_attempt(app.store, app.paths, attempt_id, device=device)
    click.echo(f"Played attempt #{attempt_id} ({fmt_seconds(seconds)}).")


COMMANDS = [drill, devices, play]
