"""``redrill debrief``, ``interviews`` and ``followup``.

After a bad interview: log it, see the interviews logged, draft a follow-up note.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from redrill.cli.app import (
    App,
    bank_option,
    check_out_file,
    console,
    esc,
    file_option,
    force_option,
    pass_app,
    print_json,
)
from redrill.cli.render import plural

if TYPE_CHECKING:
    from redrill.debrief import DebriefQuestion

DEBRIEF_HELP = """Log an interview: the questions that went badly and what you wish you'd said.

Without --from, asks a few quick questions (a few minutes, not an essay). Questions you rate
bombed or shaky go on your weak list and are due at once, so `redrill drill` asks them first;
the points you wish you had made become your own talking points for that question.

\b
A debrief file (--from FILE.yaml):
  interview: {company: Acme, role: Backend engineer, date: 2026-11-20, stage: onsite}
  went_well: [clear intro, good questions for them]
  to_change: [slow down on the system design answer]    # optional
  questions:
    - id: failure-story          # an id from `redrill bank list`, or
      rating: bombed             # bombed / shaky / ok / nailed
      wish_i_said: [rolled back within an hour, added a reconciliation test]
    - text: Why do you want to leave your current job?   # a new question
      rating: shaky
Unknown keys are rejected; every problem is listed with its file, line and field.
New questions are added to banks/my-questions.yaml in your data home.
"""


def _lines(prompt: str) -> list[str]:
    """Ask for a list, one item per line; an empty line ends it."""
    click.echo(f"{prompt} (one per line, empty line to finish)")
    items: list[str] = []
    while True:
        value = click.prompt("  -", default="", show_default=False, prompt_suffix=" ").strip()
        if not value:
            return items
        items.append(" ".join(value.split()))


def _wrapped(text: str, indent: int) -> str:
    """``text`` wrapped to the terminal, continuation lines indented, ids and words never split."""
    import shutil
    import textwrap

    width = max(40, shutil.get_terminal_size((80, 24)).columns - 1)
    return textwrap.fill(
        text,
        width=width,
        initial_indent="  ",
        subsequent_indent=" " * indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _ask_question(catalog, number: int):
    """One question of the interview: find it in the banks or type it; None when the user is done."""
    from redrill.debrief import DebriefQuestion, search_questions
    from redrill.store import RATINGS

    while True:
        words = click.prompt(
            f"\nQuestion {number}: a few words to find it (empty line when done)",
            default="",
            show_default=False,
        ).strip()
        if not words:
            return None
        matches = search_questions(catalog, words)
        if matches:
            for i, q in enumerate(matches, 1):
                click.echo(_wrapped(f"{i:>2}. {q.text}  [{q.id}]", indent=6))
            choice = click.prompt(
                "Type its number, or the question in full to add it (Enter alone: search again)",
                default="",
                show_default=False,
            ).strip()
        else:
            click.echo("  No question in your banks matches those words.")
            choice = click.prompt(
                "Type the question in full to add it as new (empty to search again)",
                default=words if len(words.split()) >= 4 else "",
                show_default=len(words.split()) >= 4,
            ).strip()
        if not choice:
            continue
        if choice.isdigit() and not matches:
            click.echo("  Nothing to pick from: type the question in full, or search with other words.")
            continue
        if choice.isdigit():
            index = int(choice)
            if not 1 <= index <= len(matches):
                click.echo(f"  Pick a number from 1 to {len(matches)}, or type the question.")
                continue
            question_id, text = matches[index - 1].id, None
            click.echo(_wrapped(f"-> {matches[index - 1].text}", indent=5))
        else:
            question_id, text = None, " ".join(choice.split())
        rating = click.prompt("How did it go?", type=click.Choice(RATINGS), show_choices=True)
        wish = _lines("Points you wish you had made")
        return DebriefQuestion(rating=rating, question_id=question_id, text=text, wish_i_said=tuple(wish))


def interactive_debrief(catalog, today: str):
    """Ask for a debrief with prompts and return it (nothing is stored here)."""
    from redrill.debrief import Debrief, check_date
    from redrill.errors import RedrillError

    click.echo("Debrief: a few minutes while it's fresh. Notice what went well, too.\n")
    company = click.prompt("Company", default="", show_default=False).strip()
    role = click.prompt("Role", default="", show_default=False).strip()
    while True:
        try:
            date = check_date(click.prompt("Date (YYYY-MM-DD)", default=today))
            break
        except RedrillError as err:
            click.echo(f"  {err}")
    stage = click.prompt("Stage (e.g. phone screen, onsite)", default="", show_default=False).strip()
    click.echo("\nNow the questions you remember: the ones that went badly first.")
    questions: list[DebriefQuestion] = []
    while True:
        item = _ask_question(catalog, len(questions) + 1)
        if item is None:
            break
        questions.append(item)
    click.echo("")
    went_well = _lines("What went well?")
    if not went_well:
        # The advice is to notice strengths too; ask once more, gently, then accept none.
        went_well = _lines("Even small things count: a clear intro, a good question you asked. What went well?")
    to_change = _lines("What would you do differently next time?")
    return Debrief(
        company=company,
        role=role,
        date=date,
        stage=stage,
        went_well=tuple(went_well),
        to_change=tuple(to_change),
        questions=tuple(questions),
    )


@click.command("debrief", help=DEBRIEF_HELP)
@click.option(
    "--from",
    "from_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the debrief from this YAML file instead of asking.",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was stored as JSON.")
@bank_option
@pass_app
def debrief(app: App, from_file: Path | None, as_json: bool) -> None:
    run_debrief(app, from_file, as_json)


def run_debrief(app: App, from_file: Path | None, as_json: bool, *, drill_next: bool = False) -> None:
    """Log a debrief (from a file or by asking) and say what it flagged. ``drill_next``: the drill
    starts right after (the first-run onboarding), so the last words lead into it."""
    from redrill.debrief import apply_debrief, load_debrief

    now = app.now()
    catalog = app.catalog
    if from_file is not None:
        entry = load_debrief(from_file, catalog)
    else:
        try:
            entry = interactive_debrief(catalog, now.date().isoformat())
        except click.Abort:  # Ctrl-C, or standard input ended (closed, /dev/null, a short pipe)
            raise click.ClickException(
                "the debrief was not finished, so nothing was stored. Answer the questions at a terminal, "
                "or write the debrief in a file and use --from FILE (see `redrill debrief --help`)"
            ) from None
    result = apply_debrief(app.store, catalog, entry, user_bank=app.paths.user_bank, now=now)
    if as_json:
        print_json(
            {
                "interview_id": result.interview_id,
                "flagged": [{"question_id": q.id, "text": q.text, "rating": r} for q, r in result.flagged],
                "weak": [q.id for q in result.weak],
                "new_questions": [q.id for q in result.new_questions],
            }
        )
        return
    label = ", ".join(p for p in (entry.company, entry.role) if p) or "interview"
    extra = ", ".join(p for p in (entry.stage, entry.date) if p)
    click.echo(f"\nSaved interview #{result.interview_id}: {label}" + (f" ({extra})" if extra else ""))
    for q, rating in result.flagged:
        click.echo(_wrapped(f"{rating:<7} {q.text}  [{q.id}]", indent=10))
    for q in result.new_questions:
        click.echo(f"  added '{q.id}' to your own bank ({app.paths.user_bank.name})")
    if entry.went_well:
        click.echo("Went well: " + "; ".join(entry.went_well))
    if entry.to_change:
        click.echo("Next time: " + "; ".join(entry.to_change))
    n = len(result.weak)
    if n and drill_next:
        click.echo(f"\nNow practise {'it' if n == 1 else 'them'} out loud: {plural(n, 'flagged question')}.")
    elif n:
        click.echo(f"\nNext: run `redrill drill` to practise the {plural(n, 'flagged question')} out loud.")
    else:
        click.echo("\nNothing flagged as weak. `redrill drill` keeps your answers fresh.")
    click.echo(f"A follow-up note: `redrill followup {result.interview_id}`.")


@click.command("interviews")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_app
def interviews(app: App, as_json: bool) -> None:
    """List your debriefed interviews, newest first, with how many questions were flagged."""
    store = app.store
    rows = []
    for iv in store.interviews():
        flags = store.flags(interview_id=iv.id)
        rows.append(
            {
                "id": iv.id,
                "date": iv.date,
                "company": iv.company,
                "role": iv.role,
                "stage": iv.stage,
                "flagged": len(flags),
                "weak": sum(1 for f in flags if f.rating in ("bombed", "shaky")),
            }
        )
    if as_json:
        print_json(rows)
        return
    if not rows:
        click.echo("No interviews yet. After your next one, run `redrill debrief`.")
        return
    from rich.table import Table

    table = Table(title=f"{plural(len(rows), 'interview')}", title_justify="left")
    for name in ("id", "date", "company", "role", "stage", "flagged", "weak"):
        table.add_column(name, justify="right" if name in ("id", "flagged", "weak") else "left")
    for r in rows:
        table.add_row(
            *(
                esc(r[k] if r[k] is not None else "-")
                for k in ("id", "date", "company", "role", "stage", "flagged", "weak")
            )
        )
    console().print(table)


@click.command("followup")
@click.argument("interview_id", type=int)
@file_option("--out", help="Write the note here (default: exports/followup-ID.txt in your data home).")
@click.option("--name", "sender", default="", help="Sign the note with this name.")
@force_option
@pass_app
def followup(app: App, interview_id: int, out: Path | None, sender: str, force: bool) -> None:
    """Draft a short follow-up note for an interview, adding what you wish you'd said.

    Thanks, one line on the role, then the points you wrote down for your weakest answer; under
    120 words, no list of mistakes. Saved (readable by you only) and printed for you to edit.
    """
    from redrill.followup import default_path, draft_followup, write_followup

    store = app.store
    interview = store.get_interview(interview_id)
    if out is not None:
        check_out_file(app, out, force)
    text = draft_followup(interview, store.flags(interview_id=interview_id), sender=sender)
    if out is None:
        app.paths.ensure()
    path = write_followup(out or default_path(app.paths.exports, interview_id), text)
    click.echo(text)
    click.echo(f"Saved to {path}. Edit it before you send it.", err=True)


COMMANDS = [debrief, interviews, followup]
