"""Terminal rendering of an attempt report (rich)."""

from __future__ import annotations

from rich.markup import escape as escape_markup

from redrill.cli.app import console, esc, fmt_seconds
from redrill.numbers import plural as plural

# How each compared metric is shown: label and formatter.
_LABELS = {
    "distance_from_target_s": ("off target", fmt_seconds),
    "duration_s": ("duration", fmt_seconds),
    "fillers_per_min": ("fillers / min", lambda v: f"{v:.1f}"),
    "long_pauses_per_min": ("long pauses / min", lambda v: f"{v:.1f}"),
    "long_pause_count": ("long pauses", lambda v: f"{v:.0f}"),
    "restarts_per_100_words": ("restarts / 100 words", lambda v: f"{v:.1f}"),
    "ramble_score": ("ramble score", lambda v: f"{v:.0f}"),
    "talking_points_covered": ("talking points", lambda v: f"{v:.0%}"),
    "wpm_off_band": ("pace off band", lambda v: f"{v:.0f} wpm"),
}
_ARROWS = {"better": "[green]better[/green]", "worse": "[red]worse[/red]", "same": "[dim]same[/dim]"}


def fits(table, whole=()) -> bool:
    """True when ``table`` fits the terminal as it is: no column squeezed below its minimum, and
    every string in ``whole`` (ids) shown on one line, not cut or folded."""
    from rich.measure import Measurement

    out = console()
    if Measurement.get(out, out.options.update_width(10_000), table).minimum > out.width:
        return False
    if not whole:
        return True
    with out.capture() as shown:
        out.print(table)
    text = shown.get()
    return all(item in text for item in whole)


def stacked(head: str, lines, indent: int = 4):
    """One entry of a narrow listing: ``head`` on its own line, then ``lines`` indented under it
    (wrapping under their own start, not under the head)."""
    from rich.console import Group
    from rich.padding import Padding

    return Group(head, *(Padding(line, (0, 0, 0, indent)) for line in lines))


class PlaybackBar:
    """A progress bar for playback on a terminal (nothing elsewhere): call it with
    ``(played_s, total_s)`` while playing, then :meth:`done`."""

    def __init__(self, label: str, stream=None):
        import sys

        self.label = label
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty()
        self._shown = False

    def __call__(self, played: float, total: float) -> None:
        if not self.tty:
            return
        import shutil

        width = shutil.get_terminal_size((80, 24)).columns
        times = f" {fmt_seconds(played)} / {fmt_seconds(total)}"
        cells = max(5, min(40, width - len(self.label) - len(times) - 6))
        filled = int(round(cells * (played / total if total > 0 else 1.0)))
        self.stream.write(f"\r▶ {self.label} [{'█' * filled}{'░' * (cells - filled)}]{times}")
        self.stream.flush()
        self._shown = True

    def done(self) -> None:
        """End the bar's line."""
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()
            self._shown = False


def _fmt(key: str, value) -> str:
    if value is None:
        return "-"
    label_fmt = _LABELS.get(key)
    try:
        return label_fmt[1](value) if label_fmt else f"{value:.1f}" if isinstance(value, float) else str(value)
    except (TypeError, ValueError):
        return str(value)


def summary_line(metrics) -> str:
    """One line of the key figures of an attempt (:class:`~redrill.scoring.Metrics`)."""
    parts = []
    if metrics.duration_s is not None:
        lo, hi = metrics.target_s or (None, None)
        parts.append(f"{fmt_seconds(metrics.duration_s)} (target {fmt_seconds(lo)}-{fmt_seconds(hi)})")
    parts.append(plural(metrics.words, "word"))
    if metrics.wpm is not None:
        parts.append(f"{metrics.wpm:.0f} wpm")
    parts.append(plural(metrics.fillers_total, "filler"))
    if metrics.long_pause_count is not None:
        parts.append(plural(metrics.long_pause_count, "long pause"))
    parts.append(f"ramble {metrics.ramble_score:.0f}/100")
    return " · ".join(parts)


def voice_line(metrics, comparison=None) -> str | None:
    """``How it sounded: pitch spread 4.2 semitones (your usual 3.8-5.0) · ...``; None without a recording.

    Each figure is followed by the user's usual range (the middle half of their earlier answers)
    once there are enough of them.
    """
    from redrill.scoring.voice import VOICE_FIGURE

    v = metrics.voice
    if v is None:
        return None
    changes = comparison.voice if comparison is not None else {}

    def shown(name: str, label: str) -> str | None:
        value = getattr(v, name)
        if value is None:
            return None
        fig = VOICE_FIGURE[name]
        text = f"{label} {fig.show(value)}"
        band = changes[name].band if name in changes else None
        if band is not None:
            text += f" [dim](your usual {fig.show_band(band)})[/dim]"
        return text

    parts = [
        shown("pitch_range_st", "pitch spread"),
        shown("loudness_sd_db", "loudness variation"),
        f"{len(v.trailing)} of {plural(v.sentences, 'sentence')} trailed off" if v.sentences else None,
        shown("pace_cv", "pace variation"),
        shown("first_word_delay_s", "first word after"),
    ]
    measured = [p for p in parts if p]
    if not measured:
        return "[dim]How it sounded: too short to measure.[/dim]"
    return "How it sounded: " + " · ".join(measured)


def print_report(report) -> None:
    """Show one scored attempt: key figures, comparison with earlier attempts, feedback."""
    from rich.table import Table

    out = console()
    m, h = report.metrics, report.comparison
    out.print()
    out.print(f"[bold]Attempt #{report.attempt_id}[/bold] · {esc(report.question.id)}")
    out.print(esc(summary_line(m)))
    for point in m.talking_points.covered:
        out.print(f"  [green]✓[/green] {esc(point)}")
    for point in m.talking_points.missing:
        out.print(f"  [red]✗[/red] {esc(point)}")
    before, scope = h.attempts_before, h.scope
    if before and h.change:
        where = "this question" if scope == "this question" else "all your questions (first try at this one)"
        table = Table(title=f"Against your {plural(before, 'earlier attempt')} on {where}", title_justify="left")
        table.add_column("")
        table.add_column("now", justify="right")
        table.add_column("your median", justify="right")
        table.add_column("your best", justify="right")
        table.add_column("")
        for key, change in h.change.items():
            label = esc(_LABELS.get(key, (key.replace("_", " "), None))[0])
            table.add_row(
                label,
                esc(_fmt(key, change.value)),
                esc(_fmt(key, h.median.get(key))),
                esc(_fmt(key, h.best.get(key))),
                _ARROWS.get(change.vs_median, ""),
            )
        out.print(table)
    else:
        out.print("[dim]First attempt: this is your baseline; next time you'll see how you compare.[/dim]")
    voice = voice_line(m, h)
    if voice:
        out.print(voice)
    for line in report.feedback.to_json():
        style = "green" if line.lower().startswith("went well") else "yellow"
        out.print(f"[{style}]•[/{style}] {esc(line)}")
    line = report.review_text() if hasattr(report, "review_text") else None
    if line:
        out.print(f"[bold]Review:[/bold] {escape_markup(line)}")
    ticks = m.self_check
    if ticks.total:
        out.print(f"[bold]Self-check[/bold] [dim](your ticks: {len(ticks.covered)} of {ticks.total})[/dim]")
        for prompt in ticks.covered:
            out.print(f"  ☑ {prompt}", markup=False)
        for prompt in ticks.missing:
            out.print(f"  ☐ {prompt}", markup=False)
    elif report.question.self_check:
        # Prompts about the answer's shape: no word list can judge them, so the user ticks them.
        out.print(
            "[bold]Check yourself[/bold] [dim](tick what your answer did; in a drill, \\[t] keeps your ticks)[/dim]"
        )
        for prompt in report.question.self_check:
            out.print(f"  ☐ {prompt}", markup=False)
    for warning in report.warnings:
        out.print(f"[yellow]warning:[/yellow] {esc(warning)}")
