"""``redrill queue``, ``flag`` and ``mastered``: what is due to drill, and putting questions on or off the weak list."""

from __future__ import annotations

import click

from redrill.cli.app import App, bank_option, console, pass_app, print_json

TREND_ARROWS = {"improving": "↑ improving", "worsening": "↓ worsening", "steady": "→ steady", "new": "new"}


@click.command("queue")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@bank_option
@pass_app
def queue_command(app: App, as_json: bool) -> None:
    """Show what is due to drill, when, and why: due questions first.

    Review is the line your last report ended with (rating, when it comes back, the weak list).
    Trend is the one `redrill progress` shows: ↑ improving, ↓ worsening, → steady, or new.
    """
    from redrill.selection import queue

    now = app.now()
    entries = queue(app.store, app.catalog, now=now)
    if as_json:
        print_json([e.to_json() for e in entries])
        return
    if not entries:
        click.echo("Nothing tracked yet. Log an interview with `redrill debrief`, or start with `redrill drill`.")
        return
    from rich.markup import escape
    from rich.table import Table

    from redrill.cli.render import fits, plural, stacked

    title = f"{sum(e.due_now for e in entries)} due now, {len(entries)} tracked"
    title = f"{sum(e.due_now for e in entries)} due now, {len(entries)} tracked"
    table = Table(title=title, title_justify="left")
    table.add_column("due", no_wrap=True)
    table.add_column("question")
    table.add_column("why")
    table.add_column("last review")
    table.add_column("last", justify="right")
    table.add_column("tries", justify="right")
    table.add_column("trend")
    stack = []
    for e in entries:
        if e.due_now:
            when = "[bold red]now[/bold red]"
        elif e.due is None:
            when = "-"
        else:
            when = e.due.astimezone().strftime("%a %d %b %H:%M")
        last = "-" if e.last_ramble_score is None else f"{e.last_ramble_score:.0f}"
        trend = TREND_ARROWS.get(e.trend, e.trend)
        table.add_row(
            when,
            f"{escape(e.text)}\n[dim]{escape(e.question_id)}[/dim]",
            escape(e.reason),
            escape(e.review or "-"),
            last,
            str(e.attempts),
            trend,
        )
        figures = f"{escape(e.reason)} · last ramble {last} · {plural(e.attempts, 'try', 'tries')}" + (
            f" · {trend}" if trend else ""
        )
        review = [f"last review: {escape(e.review)}"] if e.review else []
        stack.append(
            stacked(f"{when}  [bold]{e.question_id}[/bold]", [figures, *review, f"[dim]{escape(e.text)}[/dim]"])
        )
    out = console()
    if fits(table, whole=[e.question_id for e in entries]):
        out.print(table)
        return
    out.print(title)  # narrow: whole ids, the rest wrapped under each
    for entry in stack:
        out.print(entry)


@click.command("flag")
@click.argument("question_id")
@click.option(
    "--rating", type=click.Choice(["bombed", "shaky"]), default="shaky", show_default=True, help="How it went."
)
@click.option("--wish", "wish_i_said", multiple=True, help="A point you wish you had made (repeatable).")
@bank_option
@pass_app
def flag(app: App, question_id: str, rating: str, wish_i_said: tuple[str, ...]) -> None:
    """Put a question on your weak list, due now (also undoes `redrill mastered`)."""
    from redrill.schedule import flag_question

    q = app.catalog.get(question_id)
    flag_question(
        app.store,
        q.id,
        q.text,
        now=app.now(),
        rating=rating,
        wish_i_said=[" ".join(w.split()) for w in wish_i_said if w.strip()],
    )
    click.echo(f"Flagged {q.id} ({rating}): due now. Run `redrill drill` to practise it.")


@click.command("mastered")
@click.argument("question_id")
@bank_option
@pass_app
def mastered(app: App, question_id: str) -> None:
    """Take a question off your weak list and stop scheduling it (`redrill flag` brings it back)."""
    from redrill.schedule import mark_mastered

    store = app.store
    q = app.catalog.get(question_id)
    mark_mastered(store, q.id, now=app.now())
    click.echo(f"Marked {q.id} as mastered: it is no longer scheduled.")


COMMANDS = [queue_command, flag, mastered]
