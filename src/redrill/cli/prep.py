"""``redrill prep``: questions and talking points for a specific job, from its job description."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from redrill.cli.app import App, console, is_interactive, pass_app, print_json
from redrill.cli.practice import escape

SHOWN_PHRASES = 12
ALSO_RELEVANT = 5


def read_job(source: str) -> tuple[str, str]:
    """The job description's text and where it came from (a file, or ``-`` for standard input)."""
    from redrill.errors import RedrillError
    from redrill.prep import MAX_JOB_CHARS

    # Read at most what the longest allowed description can take in UTF-8 (and one byte more), so
    # /dev/zero or an endless pipe is refused instead of filling memory.
    limit = 4 * MAX_JOB_CHARS
    if source == "-":
        stream = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else None
        data = stream.read(limit + 1) if stream is not None else sys.stdin.read(limit + 1).encode()
        origin = "standard input"
        if len(data) > limit:
            raise RedrillError(f"{origin}: more than {limit:,} bytes; a job description fits in {MAX_JOB_CHARS:,}")
    else:
        from redrill.capped import read_capped

        path = Path(source)
        if not path.exists():
            raise RedrillError(f"{source}: no such file; save the job ad as a text file, or pipe it in with `-`")
        data = read_capped(path, limit)
        origin = source
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise RedrillError(f"{origin}:{line}: not UTF-8 text; save the job description as plain UTF-8 text") from None
    return text, origin


def render_prep(prep) -> None:
    """Show a prep set: the job's key phrases, the questions in order with why they are there and
    the points added to them, and the next most relevant questions."""
    out = console()
    out.print(f"[bold]Job:[/bold] {escape(prep.title)}")
    out.print("[bold]Key phrases[/bold] [dim](most important first)[/dim]:")
    out.print("  " + escape(" · ".join(p.text for p in prep.phrases[:SHOWN_PHRASES])))
    top = max((q.relevance for q in prep.questions if not q.opener), default=0.0) or 1.0
    out.print()
    out.print(
        f"[bold]Prep set '{escape(prep.name)}'[/bold]: {len(prep.questions)} questions, most relevant first "
        "[dim](fit: relevance against the best match)[/dim]"
    )
    for i, q in enumerate(prep.questions, start=1):
        fit = "opener" if q.opener else f"{q.relevance / top:4.0%}"
        why = "asked first in almost every interview" if q.opener else ", ".join(q.matched[:3]) or "-"
        out.print(f"  {i:>2}. [bold]{escape(q.question_id)}[/bold] [dim]{fit}[/dim]  {escape(why)}")
        if q.added_points:
            out.print(f"      [green]+ points:[/green] {escape('; '.join(q.added_points))}")
    chosen = set(prep.question_ids)
    more = [r for r in prep.ranking if r.question.id not in chosen and r.relevance > 0][:ALSO_RELEVANT]
    if more:
        out.print(
            "[dim]Next most relevant: "
            + escape(", ".join(f"{r.question.id} ({r.relevance / top:.0%})" for r in more))
            + " (more with --count)[/dim]"
        )


def _list(app: App, as_json: bool) -> None:
    from redrill.store import prep_sets

    rows = prep_sets(app.store)
    if as_json:
        print_json(
            [
                {"name": r.name, "title": r.title, "created_at": r.created_at.isoformat(), **{"prep": r.data}}
                for r in rows
            ]
        )
        return
    if not rows:
        click.echo("No prep sets yet. Make one from a job description: redrill prep JOB.txt")
        return
    out = console()
    for r in rows:
        count = len(r.data.get("questions") or [])
        out.print(
            f"[bold]{escape(r.name)}[/bold]  {r.created_at.astimezone():%d %b %Y}  {count} questions  "
            f"[dim]{escape(r.title)}[/dim]"
        )


@click.command("prep")
@click.argument("job", required=False, metavar="JOB.txt")
@click.option("--name", help="Name of the prep set (default: made from the job title), e.g. acme-backend.")
@click.option(
    "--count",
    type=click.IntRange(1, 30),
    default=8,
    show_default=True,
    help="Questions in the set, the opener included.",
)
@click.option("--yes", "-y", is_flag=True, help="Save without asking (for scripts).")
@click.option("--json", "as_json", is_flag=True, help="Print the prep set as JSON and save it (for scripts).")
@click.option("--list", "list_sets", is_flag=True, help="List your prep sets instead.")
@click.option("--delete", "delete_name", metavar="NAME", help="Delete the prep set NAME instead.")
@pass_app
def prep(app: App, job, name, count, yes, as_json, list_sets, delete_name) -> None:
    """Pick the questions for a specific job from its job description (JOB.txt, or - for standard input).

    The description's key phrases (YAKE, offline) rank every question in your banks by relevance;
    the opener and the best matches become a prep set, each question checked for the job's own
    terms as extra talking points. You see it before it is saved. Then practise it with
    `redrill drill --prep NAME`, `redrill mock --prep NAME` or `redrill warmup --prep NAME`.
    How the ranking works: docs/prep.md.
    """
    from redrill.errors import RedrillError
    from redrill.prep import check_name, default_name, prepare
    from redrill.store import prep_sets, save_prep

    if list_sets:
        _list(app, as_json)
        return
    if delete_name is not None:
        from redrill.store import delete_prep

        if not delete_prep(app.store, delete_name):
            raise RedrillError(f"no prep set named '{delete_name}'; `redrill prep --list` shows them")
        click.echo(f"Deleted prep set '{delete_name}'.")
        return
    if job is None:
        raise click.UsageError("give the job description: redrill prep JOB.txt (or - to read standard input)")
    text, origin = read_job(job)
    from redrill.prep import check_job_text, job_title

    text = check_job_text(text, origin)
    existing = {r.name for r in prep_sets(app.store)}
    if name is not None:
        check_name(name)
    else:
        name = default_name(job_title(text), existing)
    from redrill.coaching import own_points

    mine = {qid: own_points(app.store, qid) for qid in {f.question_id for f in app.store.flags()}}
    prepared = prepare(name, text, app.catalog, count=count, own_points=mine)
    if as_json:
        save_prep(
            app.store, name=name, title=prepared.title, job_text=text, data=prepared.to_json(), created_at=app.now()
        )
        data = prepared.to_json()
        data["ranking"] = [r.to_json() for r in prepared.ranking]
        print_json({"saved": True, "prep": data})
        return
    render_prep(prepared)
    replacing = " (replacing the prep set of that name)" if name in existing else ""
    if not yes:
        if job == "-" or not is_interactive():
            click.echo(f"\nNot saved: no terminal to confirm at. Run again with --yes to save it as '{name}'.")
            return
        if not click.confirm(f"\nSave it as '{name}'{replacing}?", default=True):
            click.echo("Not saved.")
            return
    save_prep(app.store, name=name, title=prepared.title, job_text=text, data=prepared.to_json(), created_at=app.now())
    render_saved(name)


def render_saved(name: str) -> None:
    out = console()
    out.print(f"\nSaved prep set '{escape(name)}'. Practise it:")
    out.print(f"  redrill drill --prep {name}     drill each question with a report")
    out.print(f"  redrill mock --prep {name}      a mock interview, scored as a whole")
    out.print(f"  redrill warmup --prep {name}    five minutes before the interview")


COMMANDS = [prep]
