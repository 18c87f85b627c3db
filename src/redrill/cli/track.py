"""``redrill history``, ``show``, ``progress``, ``report`` and ``export``: see how answers improve.

These commands only read the store. ``progress`` is on the interactive path and must stay fast
with many thousands of attempts: it reads metrics without transcripts and imports nothing heavy.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from redrill.cli.app import (
    App,
    check_out_file,
    console,
    esc,
    file_option,
    fmt_seconds,
    force_option,
    pass_app,
    print_json,
)

_SOURCE_LABEL = {"microphone": "mic", "audio_file": "audio", "transcript": "whisper", "text": "typed"}
_TREND_STYLE = {"improving": "green", "worsening": "red", "steady": "yellow", "new": "dim"}


def _num(value, spec: str = ".1f") -> str:
    return "-" if value is None else format(value, spec)


def _target(target) -> str:
    return "-" if not target else f"{fmt_seconds(target[0])}-{fmt_seconds(target[1])}"


def _duration_vs_target(duration, distance) -> str:
    """``1:45`` in the band, ``2:30 +30s`` over it, ``40 s -20s`` under it."""
    if duration is None:
        return "-"
    text = fmt_seconds(duration)
    if distance:
        text += f" [red]{'+' if distance > 0 else '-'}{abs(distance):.0f}s[/red]"
    return text


def _table(title: str):
    """A compact table: one space between columns, so ten columns fit in 80."""
    from rich.table import Table

    return Table(
        title=title, title_justify="left", box=None, padding=(0, 1, 0, 0), pad_edge=False, header_style="bold underline"
    )


def _table_or_stack(table, title: str, entries) -> None:
    """The table when it fits the terminal, else one stacked entry per row (whole ids, never cut)."""
    from redrill.cli.render import fits

    out = console()
    if fits(table):
        out.print(table)
        return
    out.print(title)
    for entry in entries:
        out.print(entry)


def _ramble(value) -> str:
    if value is None:
        return "-"
    style = "green" if value < 30 else "yellow" if value < 60 else "red"
    return f"[{style}]{value:.0f}[/{style}]"


@click.command("history")
@click.argument("question_id", required=False)
@click.option(
    "--limit",
    "-n",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="Show at most this many attempts (0: all).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_app
def history(app: App, question_id: str | None, limit: int, as_json: bool) -> None:
    """List your attempts, newest first, with their key figures (all questions, or QUESTION_ID)."""
    from redrill.tracking.progress import history_rows

    store = app.store
    rows = history_rows(store.attempts(question_id, newest_first=True, limit=limit or None))
    if as_json:
        print_json([r.to_json() for r in rows])
        return
    if not rows:
        where = f" at '{question_id}'" if question_id else ""
        click.echo(f"No attempts{where} yet. Answer a question with `redrill drill` or `redrill answer`.")
        return
    from redrill.cli.render import stacked

    title = "Your attempts, newest first (ramble score: lower is better)"
    table = _table(title)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("when", no_wrap=True)
    table.add_column("question", no_wrap=True)
    table.add_column("via", no_wrap=True)
    table.add_column("length\nvs target", justify="right", no_wrap=True)
    table.add_column("wpm", justify="right", no_wrap=True)
    table.add_column("fillers\n/min", justify="right", no_wrap=True)
    table.add_column("long\npauses", justify="right", no_wrap=True)
    table.add_column("ramble", justify="right", no_wrap=True)
    pending = False
    entries = []
    for r in rows:
        when = "date damaged" if r.date_damaged else f"{r.created_at.astimezone():%d %b %H:%M}"
        via = esc(_SOURCE_LABEL.get(r.source, r.source))
        length = _duration_vs_target(r.duration_s, _signed_distance(r.duration_s, r.target_s))
        ramble = (
            "[red]damaged[/red]"
            if r.damaged and r.ramble_score is None
            else _ramble(r.ramble_score)
            if r.status == "scored"
            else "[red]failed[/red]"
            if r.error
            else "[yellow]pending[/yellow]"
        )
        figures = (_num(r.wpm, ".0f"), _num(r.fillers_per_min), _num(r.long_pauses, "d"))
        table.add_row(str(r.id), when, esc(r.question_id), via, length, *figures, ramble)
        entries.append(
            stacked(
                f"[bold]#{r.id}[/bold] {when}  [bold]{esc(r.question_id)}[/bold]",
                [
                    f"{via} · length {length} · {figures[0]} wpm · fillers/min {figures[1]} · "
                    f"long pauses {figures[2]} · ramble {ramble}"
                ],
            )
        )
        pending = pending or r.status != "scored"
    _table_or_stack(table, title, entries)
    damaged = [f"#{r.id}" for r in rows if r.damaged]
    if damaged:
        click.echo(
            f"damaged: stored data of {', '.join(damaged)} could not be read in full (what is missing is blank)."
        )
    if pending:
        click.echo("pending: recorded but not scored yet; `redrill transcribe --pending` finishes them.")
    if limit and len(rows) == limit:
        click.echo(f"Showing the latest {limit}; use --limit 0 for all.")


def _signed_distance(duration, target) -> float | None:
    """Seconds over the band (positive) or under it (negative); 0 inside."""
    if duration is None or not target:
        return None
    lo, hi = target
    return duration - hi if duration > hi else duration - lo if duration < lo else 0.0


@click.command("progress")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_app
def progress(app: App, as_json: bool) -> None:
    """How each practised question is going, weakest first: first, best and latest attempt, trend."""
    from redrill.tracking.progress import figures_from_store_rows, summarise, voice_progress

    store = app.store
    figures = list(figures_from_store_rows(store.progress_figures()))
    rows = summarise(figures, store.question_texts())
    if as_json:
        print_json([r.to_json() for r in rows])
        return
    if not rows:
        click.echo("No scored attempts yet. Answer a question with `redrill drill` or `redrill answer`.")
        return
    from redrill.cli.render import plural, stacked

    title = "Progress per question, weakest first (ramble score: lower is better)"
    table = _table(title)
    table.add_column("question", no_wrap=True)
    table.add_column("tries", justify="right", no_wrap=True)
    table.add_column("length\nfirst→best→latest", no_wrap=True)
    table.add_column("fillers/min\nfirst→latest", no_wrap=True)
    voiced = any(p.pitch_range_st is not None for r in rows for p in (r.first, r.latest))
    if voiced:
        table.add_column("pitch st\nfirst→latest", no_wrap=True)
    table.add_column("ramble", justify="right", no_wrap=True)
    table.add_column("trend", no_wrap=True)
    entries = []
    for r in rows:
        durations = "→".join(
            "-"
            if p.duration_s is None
            else fmt_seconds(p.duration_s).replace(" ", "") + ("*" if p.distance_from_target_s else "")
            for p in (r.first, r.best, r.latest)
        )
        style = _TREND_STYLE.get(r.trend, "")
        target = "" if not r.target_s else f"target {r.target_s[0]:.0f}-{r.target_s[1]:.0f} s"
        fillers = f"{_num(r.first.fillers_per_min)}→{_num(r.latest.fillers_per_min)}"
        pitch = f"{_num(r.first.pitch_range_st)}→{_num(r.latest.pitch_range_st)}" if voiced else None
        trend = f"{r.sparkline} [{style}]{r.trend}[/{style}]"
        table.add_row(
            esc(r.question_id) + (f"\n[dim]{target}[/dim]" if target else ""),
            str(r.attempts),
            durations,
            fillers,
            *([pitch] if pitch else []),
            _ramble(r.latest.ramble_score),
            trend,
        )
        line = (
            f"{plural(r.attempts, 'try', 'tries')} · length {durations} · fillers/min {fillers} · "
            + (f"pitch st {pitch} · " if pitch else "")
            + f"ramble {_ramble(r.latest.ramble_score)} · {trend}"
        )
        entries.append(
            stacked(f"[bold]{esc(r.question_id)}[/bold]" + (f" [dim]({target})[/dim]" if target else ""), [line], 2)
        )
    _table_or_stack(table, title, entries)
    out = console()
    out.print("[dim]* outside the target length. `redrill report` draws these over time.[/dim]")
    voice = voice_progress(figures)
    if voice is not None:
        out.print(_voice_progress_line(voice))
    _print_mocks(store, out)


def _voice_progress_line(v) -> str:
    """How the voice moved across all answers, e.g. ``pitch spread 3.1 → 4.6 semitones``."""
    parts = []
    if v.pitch_first is not None and v.pitch_latest is not None:
        band = "" if v.pitch_band is None else f", usually {v.pitch_band[0]:.1f}-{v.pitch_band[1]:.1f}"
        parts.append(f"pitch spread {v.pitch_first:.1f} → {v.pitch_latest:.1f} semitones{band}")
    if v.trailing_first is not None and v.trailing_latest is not None:
        parts.append(f"sentences trailing off {v.trailing_first:.0%} → {v.trailing_latest:.0%}")
    return (
        f"Your voice across {v.answers} recorded answers (first few → latest few): " + "; ".join(parts) + "."
        if parts
        else ""
    )


def _print_mocks(store, out) -> None:
    """The practice interviews (``redrill mock``), oldest first, with the change in score."""
    from datetime import datetime

    from redrill.mock import mock_summaries
    from redrill.store import mocks

    rows = mock_summaries(mocks(store))
    if not rows:
        return
    table = _table("Practice interviews (redrill mock; score 0-100: higher is better)")
    for name, justify in (("#", "right"), ("when", "left"), ("questions from", "left"), ("answered", "right")):
        table.add_column(name, justify=justify, no_wrap=True)
    for name in ("score", "change", "first answer"):
        table.add_column(name, justify="right", no_wrap=True)
    for r in rows:
        change = "-" if r["change"] is None else f"{r['change']:+.0f}"
        style = "green" if (r["change"] or 0) >= 3 else "red" if (r["change"] or 0) <= -3 else ""
        table.add_row(
            str(r["mock_id"]),
            f"{datetime.fromisoformat(r['when']).astimezone():%d %b %H:%M}",
            esc(r["source"]),
            f"{r['answered']}/{r['questions']}",
            _num(r["score"], ".0f"),
            f"[{style}]{change}[/{style}]" if style else change,
            _num(r["first_answer_score"], ".0f"),
        )
    out.print()
    out.print(table)


@click.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json"]),
    default="csv",
    show_default=True,
    help="csv: one flat row per attempt; json: everything as stored.",
)
@file_option("--out", "out_file", help="Write to this file (user-only) instead of standard output.")
@force_option
@pass_app
def export(app: App, fmt: str, out_file: Path | None, force: bool) -> None:
    """Export every attempt with its metrics as CSV or JSON."""
    from redrill.tracking.export import export_text, write_private

    if out_file is not None:
        check_out_file(app, out_file, force)
    text, count = export_text(app.store.attempts(), fmt)
    if out_file is None:
        click.echo(text, nl=False)
        return
    write_private(out_file, text)
    from redrill.cli.render import plural

    click.echo(f"Exported {plural(count, 'attempt')} to {out_file}", err=True)


@click.command("report")
@file_option("--out", "out_file", help="Write the page here. Default: exports/report-YYYYMMDD.html in your data home.")
@click.option("--open", "open_it", is_flag=True, help="Open the page in your web browser afterwards.")
@force_option
@pass_app
def report(app: App, out_file: Path | None, open_it: bool, force: bool) -> None:
    """Write an HTML page with charts of how each answer improves (works offline, prints well)."""
    from datetime import datetime

    from redrill.errors import RedrillError
    from redrill.tracking.export import write_private
    from redrill.tracking.report import render_html, report_data

    if out_file is not None:
        check_out_file(app, out_file, force)
    store = app.store
    from redrill.mock import mock_summaries
    from redrill.store import mocks

    scored = store.scored_metrics()
    data = report_data(scored, store.question_texts(), strips=_latest_strips(app, scored))
    data["mocks"] = mock_summaries(mocks(store))
    if not data["questions"]:
        raise RedrillError(
            "no scored attempts yet, so there is nothing to chart; answer a question first with `redrill drill` or `redrill answer`"
        )
    now = datetime.now().astimezone()
    if out_file is None:
        app.paths.ensure()
        out_file = app.paths.exports / f"report-{now:%Y%m%d}.html"
    write_private(out_file, render_html(data, generated=now))
    click.echo(f"Report: {out_file}")
    if open_it:
        import webbrowser

        if not webbrowser.open(out_file.resolve().as_uri()):
            click.echo("Could not start a web browser; open the file above yourself.", err=True)


def _latest_strips(app: App, scored) -> dict[int, dict]:
    """The pitch and loudness strip of each question's latest attempt with voice figures (analysed
    from its recording now: about a third of a second per minute of answer)."""
    from redrill import pipeline

    latest: dict[str, tuple[int, datetime]] = {}
    for attempt_id, question_id, created_at, m in scored:
        if m.voice is not None:
            latest[question_id] = (attempt_id, created_at)
    attempts = pipeline.AttemptPipeline(app.store, app.config, paths=app.paths)
    strips = {}
    for attempt_id, created_at in latest.values():
        when = created_at.astimezone().isoformat(timespec="minutes")
        strip = attempts.voice_strip(app.store.get_attempt(attempt_id), when=when)
        if strip is not None:
            strips[attempt_id] = strip
    return strips


_TOKEN_STYLE = {
    "filled_pause": "bold magenta",
    "filler": "magenta",
    "restart": "yellow strike",
    "unheard_filler": "dim strike",
}
# Heard in the audio, not written by the recognizer: shown as a marker of its own, in italics.
_AUDIO_TEXT = {"filled_pause": "(filler)", "restart": "(said twice)"}
_AUDIO_STYLE = {"filled_pause": "italic magenta", "restart": "italic yellow"}


def attempt_view(store, catalog, config, attempt_id: int) -> dict:
    """Everything `redrill show` displays for one attempt: the stored row, the transcript's tokens
    (as scoring classified them) with long pauses placed between them, repeated phrases, and the
    report against the attempts of the same question made before this one."""
    from redrill import pipeline
    from redrill.errors import RedrillError
    from redrill.scoring import annotate, normalise
    from redrill.tracking.export import json_row
    from redrill.transcript import Transcript

    attempt = store.get_attempt(attempt_id)
    if attempt.status == "scored" and attempt.metrics is None and attempt.damage:
        attempt = _remeasured(store, catalog, config, attempt)
    if attempt.status != "scored" or not attempt.metrics:
        raise RedrillError(
            f"attempt #{attempt_id} is {attempt.status}, not scored yet; run `redrill transcribe {attempt_id}` first"
        )
    metrics = attempt.metrics
    transcript = Transcript.from_json(attempt.transcript) if attempt.transcript else None
    tokens = annotate(transcript) if transcript is not None else []
    items: list[dict] = [
        {"text": t.text, "kind": t.kind, "start": t.start, "end": t.end, "source": "transcript"} for t in tokens
    ]
    # A long pause ends where the next word starts: put its marker before that word.
    for pause in sorted(metrics.long_pauses or (), key=lambda p: p.at_s, reverse=True):
        ends = pause.at_s + pause.length_s - 0.05
        at = next((i for i, t in enumerate(items) if t.get("start") is not None and t["start"] >= ends), len(items))
        items.insert(
            at,
            {
                "text": f"[{pause.length_s:.1f} s]",
                "kind": "long_pause",
                "start": pause.at_s,
                "end": pause.at_s + pause.length_s,
            },
        )
    # Mark every occurrence of the phrases scoring reported as repeated.
    words = [(i, normalise(t["text"])) for i, t in enumerate(items) if t["kind"] in ("word", "restart")]
    for phrase in metrics.repeated_phrases:
        target = phrase.phrase.split()
        n = len(target)
        for j in range(len(words) - n + 1):
            if [w for _, w in words[j : j + n]] == target:
                for i, _ in words[j : j + n]:
                    items[i]["repeated"] = True
    # What the audio holds that the words leave out, where it was heard.
    for heard in sorted(transcript.audio_disfluencies or () if transcript else (), key=lambda d: -d.start_s):
        if heard.kind == "unheard_filler":  # the written filler's own token is marked (annotate)
            continue
        at = next(
            (i for i, t in enumerate(items) if t.get("start") is not None and t["start"] >= heard.start_s - 0.05),
            len(items),
        )
        items.insert(at, {"text": _AUDIO_TEXT[heard.kind], **heard.to_json()})
    report = pipeline.AttemptPipeline(store, config).view(catalog, attempt)
    return {"attempt": json_row(attempt), "tokens": items, "report": report}


def _remeasured(store, catalog, config, attempt):
    """A scored attempt whose stored metrics are damaged, measured again from its transcript (in
    memory only: `redrill doctor --repair` stores it). Without a readable transcript it stays as it is."""
    import dataclasses

    from redrill import pipeline
    from redrill.errors import RedrillError
    from redrill.transcript import Transcript

    transcript = Transcript.from_json(attempt.transcript) if attempt.transcript else None
    if transcript is None or not transcript.words:
        raise RedrillError(
            f"attempt #{attempt.id} is damaged beyond showing ({'; '.join(attempt.damage)}); "
            "`redrill doctor --repair` keeps a copy of the database and clears what cannot be read"
        )
    question = pipeline.question_for(catalog, attempt)
    metrics = pipeline.AttemptPipeline(store, config).measure(
        question, transcript, pipeline.talking_points_for(store, question)
    )
    return dataclasses.replace(attempt, metrics=metrics)


@click.command("show")
@click.argument("attempt_id", type=int, required=False)
@click.option(
    "--best",
    "best_question",
    metavar="QUESTION",
    help="Instead: your best answer to QUESTION so far, cleaned of fillers and restarts, with your own points.",
)
@click.option("--hear", is_flag=True, help="With --best: play that recording, or read the cleaned answer aloud.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: the attempt, its annotated tokens and the report.")
@pass_app
def show(app: App, attempt_id: int | None, best_question: str | None, hear: bool, as_json: bool) -> None:
    """Show one attempt: the transcript with fillers, long pauses, restarts and repeated phrases
    marked, talking points ticked, and how it compares with your earlier attempts.

    With --best QUESTION: the better answer redrill offers after a drill answer ([h] in the drill):
    your best recording of that question, or your best transcript without fillers and restarts and
    the points you wished you had made.
    """
    if best_question is not None:
        _show_best(app, best_question, hear=hear, as_json=as_json)
        return
    if attempt_id is None:
        raise click.UsageError(
            "Missing argument 'ATTEMPT_ID': an attempt number (`redrill history` lists them), or --best QUESTION"
        )
    view = attempt_view(app.store, app.catalog, app.config, attempt_id)
    report = view["report"]
    if as_json:
        data = {k: v for k, v in view.items() if k != "report"}
        data["report"] = report.to_json()
        print_json(data)
        return
    from rich.text import Text

    out = console()
    attempt = view["attempt"]
    out.print(
        f"[bold]Attempt #{attempt['id']}[/bold] · {esc(attempt['question_id'])} · {esc(attempt['source'].replace('_', ' '))}"
    )
    out.print(Text(report.question.text, style="dim"))
    if attempt["damaged"]:
        out.print(
            Text(
                f"damaged: {'; '.join(attempt['damaged'])} (shown as far as it can be; `redrill doctor --repair` "
                "repairs it)",
                style="red",
            )
        )
    text = Text()
    for i, t in enumerate(view["tokens"]):
        if i:
            text.append(" ")
        style = "reverse red" if t["kind"] == "long_pause" else _TOKEN_STYLE.get(t["kind"], "")
        if t.get("source") == "audio":
            style = _AUDIO_STYLE.get(t["kind"], "italic")
        if t.get("repeated"):
            style = (style + " underline").strip()
        text.append(t["text"], style=style or None)
    out.print()
    out.print(text)
    out.print(
        "[dim]Key:[/dim] [bold magenta]um/uh[/bold magenta] [magenta]filler[/magenta] "
        "[yellow strike]restart[/yellow strike] [reverse red]\\[long pause][/reverse red] [underline]repeated phrase[/underline]"
    )
    if any(t["kind"] == "unheard_filler" for t in view["tokens"]):
        out.print(
            "[dim strike]uh[/dim strike] [dim]written by the recognizer where the audio holds no filler: not "
            "counted[/dim]"
        )
    if any(t.get("source") == "audio" for t in view["tokens"]):
        out.print(
            "[dim]Heard in the audio, not written by the recognizer:[/dim] "
            "[italic magenta](filler)[/italic magenta] [italic yellow](said twice)[/italic yellow]"
        )
    from redrill.cli.render import print_report

    print_report(report)


def _show_best(app: App, question_id: str, *, hear: bool, as_json: bool) -> None:
    """``redrill show --best QUESTION`` (see :mod:`redrill.model_answer`)."""
    from redrill.cli.practice import show_model_answer
    from redrill.coaching import model_answer_for
    from redrill.errors import RedrillError
    from redrill.model_answer import RECORDING

    question = app.catalog.questions.get(question_id)
    if question is None and not app.store.attempts(question_id, limit=1):
        app.catalog.get(question_id)  # the error that suggests the closest ids
    model = model_answer_for(app.store, app.paths, question_id)
    if as_json:
        print_json({"question_id": question_id, "model_answer": None if model is None else model.to_json()})
        return
    if model is None:
        raise RedrillError(
            f"no answer to '{question_id}' yet, and no points of your own for it: answer it with "
            f"`redrill drill --question {question_id}`, or note what you wish you had said in `redrill debrief`"
        )
    out = console()
    if question is not None:
        out.print(f"[bold]{esc(question.id)}[/bold] [dim]{esc(question.text)}[/dim]")
    show_model_answer(out, model)
    if model.kind == RECORDING and not hear:
        out.print(
            f"[dim]Hear it: redrill show --best {esc(question_id)} --hear (or redrill play {model.attempt_id})[/dim]"
        )
    if not hear:
        return
    if model.kind == RECORDING and model.attempt_id is not None:  # a recording always names its attempt
        from redrill.drill import play_attempt

        play_attempt(app.store, app.paths, model.attempt_id)
    else:
        from redrill.sound.speaker import TtsSpeaker

        TtsSpeaker(app.config.voice, app.config.rate).say(model.spoken_text)


COMMANDS = [history, show, progress, report, export]
