"""``redrill paths`` and ``redrill doctor``."""

from __future__ import annotations

import click

from redrill.cli.app import App, bank_option, console, pass_app, print_json
from redrill.cli.render import plural


@click.command("paths")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def paths(app: App, as_json: bool) -> None:
    """Print where redrill keeps the database, recordings, models and your banks."""
    p = app.paths
    rows = {
        "home": p.home,
        "database": p.database,
        "recordings": p.recordings,
        "models": p.models,
        "banks": p.banks,
        "config": p.config,
    }
    if as_json:
        print_json({k: str(v) for k, v in rows.items()})
        return
    for key, value in rows.items():
        click.echo(f"{key:<11} {value}")


@click.command("doctor")
@click.option(
    "--repair",
    is_flag=True,
    help="Repair damaged rows in the database (after keeping a copy of it), then check everything.",
)
@bank_option
@pass_app
def doctor(app: App, repair: bool) -> None:
    """Check every component (database, banks, microphone, voice, model) and say how to fix problems."""
    from rich.markup import escape

    from redrill.doctor import run_checks

    out = console()
    app.warn_about_damage = False
    if repair:
        from redrill.damage import repair as repair_rows

        kept, done = repair_rows(app.store, app.catalog, app.config)
        if kept is None:
            out.print("Nothing to repair: no damaged rows.\n")
        else:
            out.print(f"Kept a copy of the database as it was: {escape(str(kept))}", soft_wrap=True)
            for line in done:
                out.print(f"  repaired: {escape(line)}", soft_wrap=True)
            out.print()
    results = run_checks(app)
    failed = 0
    for check in results:
        if check.ok:
            mark = "[green]ok[/green]  "
        elif check.warning:
            mark = "[yellow]note[/yellow]"
        else:
            mark = "[red]FAIL[/red]"
            failed += 1
        # Details quote paths and errors ("[Errno 13]"): never markup. One line each, unwrapped,
        # so a fix command can be copied whole.
        out.print(f"{mark} [bold]{escape(check.component)}[/bold]: {escape(check.detail)}", soft_wrap=True)
        if check.fix and not check.ok:
            out.print(f"      fix: {escape(check.fix)}", soft_wrap=True)
    if failed:
        out.print(f"\n{plural(failed, 'problem')} found.")
        raise SystemExit(1)
    out.print("\nAll good.")


COMMANDS = [paths, doctor]
