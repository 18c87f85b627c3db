"""The ``redrill`` command line.

Each command is thin: parse options, get what it needs from :class:`~redrill.cli.app.App`, call
one core function, render the result. Known failures (:class:`~redrill.errors.RedrillError`) become
``Error: ...`` with exit code 1; bad options are usage errors (exit 2). No traceback reaches the
user for a known failure.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click

from redrill import __version__
from redrill.cli.app import App, bank_option
from redrill.errors import RedrillError


class RedrillGroup(click.Group):
    """A group that turns known errors into clean messages."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except RedrillError as err:
            raise click.ClickException(str(err)) from None
        except sqlite3.OperationalError as err:
            raise click.ClickException(
                f"database problem: {err}. If another redrill is running, let it finish and try again."
            ) from None
        except KeyboardInterrupt:
            click.echo("\nStopped.", err=True)
            ctx.exit(130)

    def list_commands(self, ctx):
        return sorted(self.commands)


@click.group(cls=RedrillGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="redrill")
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="REDRILL_HOME",
    help="Data home (database, recordings, models, banks). Default: $REDRILL_HOME or your user data folder.",
)
@bank_option(help="Also load this question bank (YAML). Repeatable; also accepted after any command.")
@click.pass_context
def main(ctx: click.Context, home: Path | None) -> None:
    """redrill: practise interview answers out loud, offline, and see them improve.

    \b
    After a bad interview:
      redrill debrief            log it: the questions that went badly, what you wish you'd said
      redrill drill              hear each weak question, answer out loud, get a report
      redrill progress           see how each answer is improving
    Everything stays on this computer. `redrill doctor` checks your set-up.
    """
    app = ctx.ensure_object(App)
    if home is not None:
        app.paths = type(app.paths)(home)
    ctx.call_on_close(app.close)


# One module per group of commands; each lists its click commands in COMMANDS. These modules import
# nothing heavy at the top, so `redrill --help` stays fast.
COMMAND_MODULES = [
    "answer",
    "bank",
    "debrief",
    "drill",
    "model",
    "privacy",
    "system",
    "track",
]


def _register() -> None:
    import importlib

    for name in COMMAND_MODULES:
        for command in importlib.import_module(f"redrill.cli.{name}").COMMANDS:
            main.add_command(command)


_register()
