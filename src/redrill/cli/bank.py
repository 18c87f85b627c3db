"""``redrill bank ...``: list, show and validate question banks."""

from __future__ import annotations

from pathlib import Path

import click

from redrill.cli.app import App, bank_option, console, esc, pass_app, print_json
from redrill.cli.render import plural


@click.group("bank")
def bank() -> None:
    """List, show and check question banks."""


@bank.command("list")
@bank_option
@click.option("--tag", help="Only questions with this tag.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_app
def bank_list(app: App, tag: str | None, as_json: bool) -> None:
    """List every question of every loaded bank, with its id."""
    catalog = app.catalog
    questions = [q for q in catalog.questions.values() if tag is None or tag in q.tags]
    if as_json:
        print_json(
            [
                {
                    "id": q.id,
                    "text": q.text,
                    "bank": q.bank,
                    "tags": list(q.tags),
                    "target_seconds": list(q.target_seconds),
                }
                for q in questions
            ]
        )
        return
    from rich.table import Table

    from redrill.cli.render import fits, stacked

    title = f"{plural(len(questions), 'question')} in {plural(len(catalog.banks), 'bank')}"
    table = Table(title=title, title_justify="left")
    table.add_column("id", style="bold", no_wrap=True)
    table.add_column("question", min_width=40)
    table.add_column("target", no_wrap=True)
    table.add_column("bank", style="dim", min_width=12)
    for q in questions:
        lo, hi = q.target_seconds
        table.add_row(esc(q.id), esc(q.text), f"{lo:.0f}-{hi:.0f} s", esc(q.bank))
    out = console()
    if fits(table, whole=[q.id for q in questions]):
        out.print(table)
        return
    # Too narrow for a table with whole ids and readable questions: one bank after another, each
    # question's id and target on a line, its text wrapped under it.
    out.print(f"[bold]{title}[/bold]")
    for bank_name in dict.fromkeys(q.bank for q in questions):
        out.print()
        out.print(f"[bold underline]{esc(bank_name)}[/bold underline]")
        for q in questions:
            if q.bank == bank_name:
                lo, hi = q.target_seconds
                out.print(stacked(f"  [bold]{esc(q.id)}[/bold] [dim]({lo:.0f}-{hi:.0f} s)[/dim]", [esc(q.text)]))


@bank.command("show")
@click.argument("question_id")
@bank_option
@pass_app
def bank_show(app: App, question_id: str) -> None:
    """Show one question: text, target length, tags and talking points."""
    q = app.catalog.get(question_id)
    out = console()
    out.print(f"[bold]{esc(q.id)}[/bold]  ({esc(q.bank)})")
    out.print(esc(q.text))
    lo, hi = q.target_seconds
    out.print(f"Target: {lo:.0f}-{hi:.0f} s" + (f"   Tags: {esc(', '.join(q.tags))}" if q.tags else ""))
    if q.talking_points:
        out.print("Talking points:")
        for point in q.talking_points:
            out.print(f"  - {esc(point)}")
    if q.self_check:
        out.print("Check yourself (not scored):")
        for prompt in q.self_check:
            out.print(f"  ☐ {prompt}", markup=False)
    if q.follow_ups:
        out.print("Follow-up questions:")
        for text in q.follow_ups:
            out.print(f"  - {esc(text)}")
    out.print(f"[dim]From {esc(q.source)}[/dim]")


def _other_banks_ids(app: App, files: tuple[Path, ...]) -> dict[str, str]:
    """``{id: where}`` of the shipped banks and the banks folder, other than ``files``.

    A file that is valid on its own still cannot be loaded next to a bank that uses one of its ids.
    Banks that do not load are skipped here: they are not what is being validated.
    """
    from redrill.banks import read_bank, shipped_bank_files, user_bank_files
    from redrill.errors import InputError

    given = {str(Path(f).resolve()) for f in files}
    ids: dict[str, str] = {}
    for path in shipped_bank_files() + user_bank_files(app.paths.banks):
        if str(path.resolve()) in given:
            continue
        try:
            for q in read_bank(path)[0].questions:
                ids.setdefault(q.id, f"{q.source}:{q.line}" if q.line else q.source)
        except InputError:
            continue
    return ids


@bank.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def bank_validate(app: App, files: tuple[Path, ...]) -> None:
    """Check bank files; every problem is listed with its file, line and field.

    Ids must also be new to the shipped banks and the banks in your data home, since all of them
    are loaded together.
    """
    from redrill.banks import BANK_HINT, read_bank
    from redrill.errors import InputError, Problem

    problems: list[Problem] = []
    seen: dict[str, str] = _other_banks_ids(app, files)
    total = 0
    for path in files:
        if not path.exists():
            problems.append(Problem(str(path), None, None, "no such file"))
            continue
        try:
            loaded, own = read_bank(path)
        except InputError as err:
            problems.extend(err.problems)
            continue
        # Checked even when the file has other problems, so one run lists them all.
        for q in loaded.questions:
            if q.id in seen:
                own.append(Problem(str(path), q.line, "id", f"duplicate id '{q.id}': already defined in {seen[q.id]}"))
            else:
                seen[q.id] = f"{q.source}:{q.line}" if q.line else q.source
        total += len(loaded.questions)
        if own:
            problems.extend(sorted(own, key=lambda p: p.line or 0))
        else:
            click.echo(f"ok  {path}: {len(loaded.questions)} questions ({loaded.name})")
    if problems:
        raise InputError(problems, hint=BANK_HINT)
    click.echo(f"{plural(len(files), 'file')}, {plural(total, 'question')}: all valid.")


COMMANDS = [bank]
