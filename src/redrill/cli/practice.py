"""What ``redrill prep``, ``mock``, ``warmup`` and the drill share for practising the next interview:
loading a prep set, the options of a spoken or typed session, and showing follow-ups, model answers
and the mock scorecard. (The session itself is built by :func:`redrill.cli.drill.build_session`.)"""

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


# --- the options of a spoken session -----------------------------------------------------------


def session_options(func):
    """The options ``redrill drill``, ``mock`` and ``warmup`` share: how a session is spoken and heard
    (the keyword arguments of :func:`redrill.cli.drill.build_session`)."""
    options = [
        click.option(
            "--text", "text_mode", is_flag=True, help="Type the answers instead of speaking (no microphone needed)."
        ),
        click.option("--no-tts", is_flag=True, help="Do not read questions aloud (show them only, no sound)."),
        click.option(
            "--voice",
            help="Voice for reading questions: an id or part of one, e.g. en-us (`redrill devices --voices`).",
        ),
        click.option(
            "--rate",
            type=click.IntRange(60, 400),
            help="Speaking rate of the question voice, words per minute (default 175).",
        ),
        click.option(
            "--device", help="Microphone: a device number or name from `redrill devices` (default: the system's)."
        ),
        click.option(
            "--silence-seconds",
            type=click.FloatRange(min=0.5, max=60),
            help="End the answer after this much silence once you have started (default 8; a countdown shows, "
            "any sound cancels it).",
        ),
        click.option(
            "--max-seconds",
            type=click.FloatRange(min=1, max=1800),
            help="Longest answer recorded (default: twice the question's target maximum).",
        ),
        click.option(
            "--model",
            "model",
            metavar="NAME|DIR",
            help="Whisper model: a name (base.en, ...) or a CTranslate2 model folder.",
        ),
        click.option(
            "--streaming/--no-streaming",
            default=True,
            show_default=True,
            help="Transcribe while you speak, so the report (or the next question) comes about a second after you stop.",
        ),
        click.option(
            "--no-live",
            is_flag=True,
            help="No live view while you speak (time, level, words heard); only the silence countdown shows.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


follow_ups_option = click.option(
    "--follow-ups/--no-follow-ups",
    default=None,
    help="Ask one follow-up question after each answer, as interviewers do (default: the follow_ups setting, off).",
)


# --- the mock interview's scorecard -----------------------------------------------------------


def _vs(word: str | None) -> str:
    if word is None:
        return "[dim]first time[/dim]"
    styles = {"better": "[green]better[/green]", "worse": "[red]worse[/red]", "same": "[dim]same[/dim]"}
    return styles.get(word, word)


def print_scorecard(card: dict, mock_id: int | None = None) -> None:
    """The scorecard of one mock interview (see :mod:`redrill.mock`)."""
    from rich.console import JustifyMethod
    from rich.table import Table

    from redrill.mock import source_label

    out = console()
    o, prev = card["overall"], card["previous"]
    head = f"Mock interview{f' #{mock_id}' if mock_id else ''} · {source_label(card['source'])}"
    out.print()
    out.print(f"[bold]{escape(head)} · {o['questions']} questions, {o['answered']} answered[/bold]")
    table = Table(box=None, padding=(0, 1, 0, 0), pad_edge=False, header_style="bold underline")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("#", "right"),
        ("question", "left"),
        ("length", "right"),
        ("wpm", "right"),
        ("fillers\n/min", "right"),
        ("long\npauses", "right"),
        ("points", "right"),
        ("ramble", "right"),
        ("vs your\nusual", "left"),
    )
    for name, justify in columns:
        table.add_column(name, justify=justify, overflow="fold" if name == "question" else "ellipsis")
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
