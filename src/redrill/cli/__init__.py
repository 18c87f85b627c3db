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
        except sqlite3.Error as err:  # met while using the database: locked, read-only, full, damaged, ...
            from redrill.dbfaults import explain

            raise click.ClickException(str(explain(err, ctx.ensure_object(App).paths.database))) from None
        except KeyboardInterrupt:
            click.echo("\nStopped.", err=True)
            ctx.exit(130)


# Every command: the module that defines it and the line `redrill --help` shows for it. Commands are
# imported only when they run (or their own --help is asked for), so `redrill --help` imports no
# command module at all and stays fast; tests check this table against the modules and the README.
COMMANDS: dict[str, tuple[str, str]] = {
    "answer": ("answer", "Score a recorded, transcribed or typed answer."),
    "bank": ("bank", "List, show and check question banks."),
    "debrief": ("debrief", "Log an interview: what went badly, what you wish you had said."),
    "devices": ("sound", "List microphones, or voices for reading questions aloud."),
    "doctor": ("system", "Check every component and say how to fix what is missing."),
    "drill": ("drill", "Hear each question, answer out loud, get a report."),
    "export": ("track", "Export every attempt with its metrics as CSV or JSON."),
    "flag": ("queue", "Put a question on your weak list, due now."),
    "followup": ("debrief", "Draft a short follow-up note that adds what you forgot to say."),
    "forget": ("privacy", "Delete attempts, a question's history, or everything."),
    "history": ("track", "Your attempts, newest first, with their key figures."),
    "interviews": ("debrief", "Your debriefed interviews, newest first."),
    "mastered": ("queue", "Take a question off your weak list and stop scheduling it."),
    "mock": ("mock", "A mock interview: questions in a row, one scorecard at the end."),
    "model": ("model", "The speech-recognition models: list them, pull a bigger one."),
    "paths": ("system", "Where redrill keeps your data."),
    "play": ("sound", "Play back a recorded answer."),
    "prep": ("prep", "Pick the questions and points for a job from its description."),
    "progress": ("track", "How each practised question is going, weakest first."),
    "queue": ("queue", "What is due to drill, when, and why."),
    "report": ("track", "An HTML page with charts of how each answer improves."),
    "rescore": ("answer", "Recompute stored attempts' metrics, voice figures from recordings."),
    "show": ("track", "One attempt: its transcript marked up, and its report."),
    "transcribe": ("answer", "Transcribe and score recordings not yet scored."),
    "warmup": ("mock", "Before an interview: the opener and your two weakest questions."),
}


class LazyCommands(RedrillGroup):
    """Loads a command's module only when the command is used (click's lazy-loading pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        import importlib

        module = importlib.import_module(f"redrill.cli.{entry[0]}")
        for command in module.COMMANDS:
            if command.name == cmd_name:
                return command
        raise RuntimeError(f"redrill.cli.{entry[0]} does not define the {cmd_name!r} command")

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from :data:`COMMANDS`, without importing any command module."""
        with formatter.section("Commands"):
            formatter.write_dl([(name, COMMANDS[name][1]) for name in self.list_commands(ctx)])


@click.group(cls=LazyCommands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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
    from redrill.cli.terminal import prepare_streams

    prepare_streams()
    app = ctx.ensure_object(App)
    if home is not None:
        app.paths = type(app.paths)(home)
    ctx.call_on_close(app.close)
