"""What every command shares: the data home, settings, question catalog and store, opened lazily,
plus the console used for output and the options common to many commands."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from redrill.paths import Paths, current

if TYPE_CHECKING:  # opened on first use: a command that needs none of them starts without them
    from redrill.banks import Catalog
    from redrill.config import Config
    from redrill.store import Store


class App:
    """Per-invocation state, created by the ``redrill`` group and passed to commands."""

    def __init__(self, home: Path | None = None):
        self.paths = Paths(home) if home else current()
        self.extra_banks: list[Path] = []
        self._config: Config | None = None
        self._catalog: Catalog | None = None
        self._store: Store | None = None
        self.warn_about_damage = True  # doctor reports damaged rows itself

    @property
    def config(self) -> Config:
        if self._config is None:
            from redrill.config import load_config

            self._config = load_config(self.paths.config)
        return self._config

    @property
    def catalog(self) -> Catalog:
        """Every question: shipped banks, the data home's banks folder, and ``--bank`` files."""
        if self._catalog is None:
            from redrill.banks import load_catalog

            self._catalog = load_catalog(self.paths.banks, self.extra_banks)
        return self._catalog

    @property
    def store(self) -> Store:
        if self._store is None:
            from redrill.leftovers import sweep_temp_files
            from redrill.store import open_store

            self._store = open_store(self.paths)
            # Temporary files of a redrill that was killed before it renamed them into place.
            sweep_temp_files(self.paths)
        return self._store

    def now(self):
        """The current time (UTC). One place, so tests can fix the clock for every command."""
        from redrill.store import utcnow

        return utcnow()

    def close(self) -> None:
        if self._store is not None:
            damage = list(self._store.damage)
            self._store.close()
            self._store = None
            if damage and self.warn_about_damage:  # once, after the command's own output
                from redrill.damage import warning

                click.echo(warning(damage), err=True)


pass_app = click.make_pass_decorator(App)


def _add_banks(ctx: click.Context, _param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    if value:
        ctx.ensure_object(App).extra_banks.extend(Path(v) for v in value)
    return value


def bank_option(
    func: Callable | None = None, *, help: str = "Also load this question bank (YAML). Repeatable."
) -> Callable:
    """``--bank FILE`` (repeatable): load an extra question bank for this command (or the group)."""
    option = click.option(
        "--bank",
        "banks",
        multiple=True,
        type=click.Path(dir_okay=False, path_type=str),
        expose_value=False,
        callback=_add_banks,
        help=help,
    )
    return option if func is None else option(func)


_console = None


def console():
    """The rich console for standard output (created on first use: rich is not imported for --help)."""
    global _console
    if _console is None:
        from rich.console import Console

        _console = Console(highlight=False, soft_wrap=False)
    return _console


def err_console():
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def esc(text: Any) -> str:
    """``text`` for a rich console: brackets are shown as written, never read as markup.

    Everything a user or a bank wrote (question text, talking points, company names, file paths,
    error messages) goes through this before it is put into a rich markup string or a table cell:
    ``[/red]`` would otherwise crash the command and ``[your last project]`` would vanish.
    """
    from rich.markup import escape

    return escape(str(text))


def print_json(data: Any) -> None:
    """Print one JSON object on standard output (no colour, no wrapping)."""
    import json

    click.echo(json.dumps(data, ensure_ascii=False, allow_nan=False, indent=2))


def is_interactive() -> bool:
    """True when standard input is a terminal (a closed or missing stdin is not)."""
    try:
        return sys.stdin is not None and not sys.stdin.closed and sys.stdin.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def file_option(*names: str, help: str) -> Callable:
    """An option naming one file (not a folder), given to the command as a Path."""
    return click.option(*names, type=click.Path(dir_okay=False, path_type=Path), help=help)


def force_option(func: Callable) -> Callable:
    """``--force``: replace an existing ``--out`` file without asking."""
    return click.option(
        "--force",
        is_flag=True,
        help="Overwrite an existing --out file without asking (redrill's own data is never overwritten).",
    )(func)


def check_out_file(app: App, out: Path, force: bool) -> None:
    """May ``--out`` be written? Never over redrill's own data; another existing file only after
    asking at a terminal, or with ``--force`` (see :func:`redrill.owned.check_out`)."""
    from redrill.owned import check_out

    ask = (lambda question: click.confirm(question, default=False, err=True)) if is_interactive() else None
    check_out(app.paths, out, force=force, ask=ask)


def fmt_seconds(value: float | None) -> str:
    """``95.4`` -> ``1:35``, ``119.5`` -> ``2:00``; None -> ``-`` (:func:`redrill.numbers.length_text`)."""
    from redrill.numbers import length_text

    return length_text(value)
