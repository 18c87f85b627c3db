"""What ``redrill prep``, ``mock``, ``warmup`` and the drill share for practising the next interview:
loading a prep set, building a spoken or typed session, and showing follow-ups, model answers,
short feedback and the mock scorecard."""

from __future__ import annotations

import click

from redrill.cli.app import App, console, fmt_seconds


def escape(text: str) -> str:
    from rich.markup import escape as rich_escape

    return rich_escape(text)


# --- prep sets --------------------------------------------------------------------------------


def load_prep(app: App, name: str | None):
    """The prep set called ``name`` (None: the newest) and the catalog its questions are drilled
    from (with the job's terms as talking points)."""
    from redrill.prep import PrepSet, find_prep, prep_catalog
    from redrill.store import prep_sets

    row = find_prep(prep_sets(app.store), name)
    prep = PrepSet.from_json(row.data)
    return prep, prep_catalog(app.catalog, prep)


# --- what the drill shows ---------------------------------------------------------------------


def show_follow_up(out, question, why: str = "") -> None:
    """A follow-up question, shown like a question (it is read aloud next)."""
    lo, hi = question.target_seconds
    reason = f", {why}" if why else ""
    out.print(f"[bold]Follow-up[/bold] [dim](aim for {fmt_seconds(lo)}-{fmt_seconds(hi)}{escape(reason)})[/dim]")
    out.print(f"[bold cyan]{escape(question.text)}[/bold cyan]")


def show_model_answer(out, model) -> None:
    """What the better answer is: the user's best recording, or the cleaned words and points."""
    from redrill.model_answer import RECORDING

    score = "" if model.ramble_score is None else f" (ramble {model.ramble_score:.0f})"
    if model.kind == RECORDING:
        out.print(f"[bold]Your best answer so far[/bold]: attempt #{model.attempt_id}{score}, as you said it.")
        return
    if model.cleaned:
        out.print(
            f"[bold]Your best answer so far[/bold], attempt #{model.attempt_id}{score}, without fillers and restarts:"
        )
        out.print(f"  {escape(model.cleaned)}")
    if model.points:
        out.print(
            "[bold]Your own points[/bold]" + (" to add:" if model.cleaned else " (what you wished you had said):")
        )
        for point in model.points:
            out.print(f"  + {escape(point)}")


# --- sessions ---------------------------------------------------------------------------------


class QuietUI:
    """The terminal of a mock interview: everything as in a drill, except that answers get no
    report until the scorecard at the end."""

    def __init__(self, inner):
        self._inner = inner

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def follow_up(self, question, why: str = "") -> None:
        """The follow-up question, without the reason (that would be feedback)."""
        self._inner.follow_up(question, "")

    def report(self, report) -> None:
        """No feedback between questions: the answer is stored, the scorecard comes at the end."""
        self._inner.out.print("[dim]Answer saved. Feedback comes at the end of the interview.[/dim]")


class ShortUI(QuietUI):
    """The terminal of a warm-up: one line of figures and one thing to keep in mind per answer."""

    def report(self, report) -> None:
        """Short feedback: the key figures and the most useful note (and what went well)."""
        from redrill.cli.render import summary_line

        out = self._inner.out
        out.print(f"[bold]#{report.attempt_id}[/bold] {summary_line(report.metrics)}")
        notes = report.feedback.to_json() if hasattr(report.feedback, "to_json") else list(report.feedback or [])
        work = next((n for n in notes if not n.lower().startswith("went well")), None)
        good = next((n for n in notes if n.lower().startswith("went well")), None)
        if work:
            out.print(f"[yellow]•[/yellow] {escape(work)}")
        if good:
            out.print(f"[green]•[/green] {escape(good)}")


def build_session(
    app: App,
    questions,
    catalog,
    *,
    wrap,
    text_mode: bool,
    no_tts: bool,
    voice,
    rate,
    device,
    silence_seconds,
    max_seconds,
    model,
    streaming: bool,
    no_live: bool,
    follow_ups: bool,
):
    """A drill session (menu off) for a mock interview or a warm-up, and its terminal UI.

    ``wrap`` is :class:`QuietUI` or :class:`ShortUI`; the session is spoken unless ``text_mode``.
    """
    from redrill.cli.app import is_interactive
    from redrill.cli.drill import TerminalUI
    from redrill.cli.render import PlaybackBar
    from redrill.coaching import StoreCoach
    from redrill.drill import Drill, StorePractice
    from redrill.sound.speaker import NullSpeaker, TtsSpeaker

    config = app.config.with_overrides(voice=voice, rate=rate, input_device=device, silence_seconds=silence_seconds)
    interactive = is_interactive()
    recorder = factory = find_spools = None
    if not text_mode:
        from redrill.sound.endpointing import Endpointing
        from redrill.sound.microphone import Recorder
        from redrill.sound.spool import recover_spools

        settings = Endpointing(silence_seconds=config.silence_seconds, no_speech_timeout=config.no_speech_timeout)
        recorder = Recorder(config.input_device, settings=settings, spool_dir=app.paths.ensure().recordings)
        recorder.check()

        def factory():
            from redrill.cli.answer import transcriber_for

            return transcriber_for(app, model)

        def find_spools():
            return recover_spools(app.paths.recordings)

    speaker = NullSpeaker() if no_tts else TtsSpeaker(config.voice, config.rate)
    terminal = TerminalUI(interactive, silence_seconds=config.silence_seconds, live=not no_live)
    session = Drill(
        questions,
        speaker=speaker,
        practice=StorePractice(app.store, catalog, app.paths, config, playback_bar=PlaybackBar),
        ui=wrap(terminal),
        recorder=recorder,
        transcriber_factory=factory,
        text_mode=text_mode,
        interactive=interactive,
        max_seconds=max_seconds,
        find_spools=find_spools,
        streaming=streaming,
        coach=StoreCoach(app.store, catalog, app.paths),
        follow_ups=follow_ups,
        menu=False,
    )
    return session, terminal


def session_options(func):
    """The options a mock interview and a warm-up share with ``redrill drill``."""
    options = [
        click.option(
            "--text", "text_mode", is_flag=True, help="Type the answers instead of speaking (no microphone needed)."
        ),
        click.option("--no-tts", is_flag=True, help="Do not read questions aloud (show them only, no sound)."),
        click.option("--voice", help="Voice for reading questions: an id or part of one, e.g. en-us."),
        click.option(
            "--rate", type=click.IntRange(60, 400), help="Speaking rate of the question voice (words a minute)."
        ),
        click.option("--device", help="Microphone: a device number or name from `redrill devices`."),
        click.option(
            "--silence-seconds",
            type=click.FloatRange(min=0.5, max=60),
            help="End an answer after this much silence once you have started (default 8).",
        ),
        click.option(
            "--max-seconds",
            type=click.FloatRange(min=1, max=1800),
            help="Longest answer recorded (default: twice the question's target maximum).",
        ),
        click.option(
            "--model", "model", metavar="NAME|DIR", help="Whisper model: a name or a CTranslate2 model folder."
        ),
        click.option(
            "--streaming/--no-streaming",
            default=True,
            show_default=True,
            help="Transcribe while you speak, so the next question comes at once.",
        ),
        click.option("--no-live", is_flag=True, help="No live view while you speak; only the silence countdown shows."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


# --- the mock interview's scorecard -----------------------------------------------------------


def _vs(word: str | None) -> str:
    styles = {"better": "[green]better[/green]", "worse": "[red]worse[/red]", "same": "[dim]same[/dim]"}
    return styles.get(word, "[dim]first time[/dim]" if word is None else word)


def print_scorecard(card: dict, mock_id: int | None = None) -> None:
    """The scorecard of one mock interview (see :mod:`redrill.mock`)."""
    from rich.table import Table

    from redrill.mock import source_label

    out = console()
    o, prev = card["overall"], card["previous"]
    head = f"Mock interview{f' #{mock_id}' if mock_id else ''} · {source_label(card['source'])}"
    out.print()
    out.print(f"[bold]{escape(head)} · {o['questions']} questions, {o['answered']} answered[/bold]")
    table = Table(box=None, padding=(0, 1, 0, 0), pad_edge=False, header_style="bold underline")
    for name, justify in (
        ("#", "right"),
        ("question", "left"),
        ("length", "right"),
        ("wpm", "right"),
        ("fillers\n/min", "right"),
        ("long\npauses", "right"),
        ("points", "right"),
        ("ramble", "right"),
        ("vs your\nusual", "left"),
    ):
        table.add_column(name, justify=justify, overflow="fold" if name == "question" else None)
    for row in card["answers"]:
        if row["attempt_id"] is None:
            table.add_row(str(row["number"]), escape(row["question_id"]), "[dim]not answered[/dim]", *[""] * 6)
        elif not row["scored"]:
            table.add_row(
                str(row["number"]),
                escape(row["question_id"]),
                f"[yellow]saved #{row['attempt_id']}, not scored[/yellow]",
                *[""] * 6,
            )
        else:
            length = "-" if row["duration_s"] is None else fmt_seconds(row["duration_s"])
            if row["within_target"] is False:
                length = f"[red]{length}[/red]"
            points = "-" if row["points_total"] is None else f"{row['points_covered']}/{row['points_total']}"
            table.add_row(
                str(row["number"]),
                escape(row["question_id"]),
                length,
                "-" if row["wpm"] is None else f"{row['wpm']:.0f}",
                "-" if row["fillers_per_min"] is None else f"{row['fillers_per_min']:.1f}",
                "-" if row["long_pauses"] is None else str(row["long_pauses"]),
                points,
                "-" if row["ramble_score"] is None else f"{row['ramble_score']:.0f}",
                _vs(row["vs_usual"]),
            )
        follow = row.get("follow_up")
        if follow:
            figures = []
            if follow.get("duration_s") is not None:
                figures.append(fmt_seconds(follow["duration_s"]))
            if follow.get("ramble_score") is not None:
                figures.append(f"ramble {follow['ramble_score']:.0f}")
            table.add_row("", f"[dim]↳ {escape(follow['question'])} {' · '.join(figures)}[/dim]", *[""] * 7)
    out.print(table)
    parts = []
    if o["score"] is not None:
        parts.append(f"[bold]score {o['score']:.0f}/100[/bold] (100 - mean ramble {o['mean_ramble_score']:.0f})")
    if o["timed"]:
        parts.append(f"{o['within_target']}/{o['timed']} inside their target length")
        parts.append(f"{fmt_seconds(o['speaking_s'])} speaking")
        if o["fillers_per_min"] is not None:
            parts.append(f"{o['fillers_per_min']:.1f} fillers/min")
    if o["points_covered_share"] is not None:
        parts.append(f"{o['points_covered_share']:.0%} of talking points made")
    if parts:
        out.print("Overall: " + " · ".join(parts) + ".")
    if o["first_answer_score"] is not None:
        out.print(
            f"First answer: {o['first_answer_score']:.0f}/100 [dim](the first answer sets the tone of an interview)[/dim]."
        )
    if not prev.get("mocks_before"):
        out.print("[dim]Your first mock interview: the next one will be compared with this.[/dim]")
    elif prev.get("delta") is not None:
        sign = "+" if prev["delta"] >= 0 else ""
        best = " - a new best!" if prev.get("new_best") else f"; your best is {prev['best_score']:.0f}."
        out.print(
            f"Against your {prev['mocks_before']} earlier mock(s): {sign}{prev['delta']:.0f} since the last one "
            f"({prev['last_score']:.0f}), {_vs(prev['change'])}{best}"
        )
