"""What every command shares: the data home, settings, question catalog and store, opened lazily,
plus the console used for output and the options common to many commands."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from redrill.paths import Paths, current


class App:
    """Per-invocation state, created by the ``redrill`` group and passed to commands."""

    def __init__(self, home: Path | None = None):
        self.paths = Paths(home) if home else current()
        self.extra_banks: list[Path] = []
        self._config = None
        self._catalog = None
        self._store = None
        self.warn_about_damage = True  # doctor reports damaged rows itself

    @property
    def config(self):
        if self._config is None:
            from redrill.config import load_config

            self._config = load_config(self.paths.config)
        return self._config

    @property
    def catalog(self):
        """Every question: shipped banks, the data home's banks folder, and ``--bank`` files."""
        if self._catalog is None:
            from redrill.banks import load_catalog

            self._catalog = load_catalog(self.paths.banks, self.extra_banks)
        return self._catalog

    @property
    def store(self):
        if self._store is None:
            from redrill.store import open_store

            self._store = open_store(self.paths)
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


def print_json(data: Any) -> None:
    """Print one JSON object on standard output (no colour, no wrapping)."""
    import json

    click.echo(json.dumps(data, ensure_ascii=False, allow_nan=False, indent=2))


def is_interactive() -> bool:
    return sys.stdin.isatty()


def fmt_seconds(value: float | None) -> str:
    """``95.4`` -> ``1:35``, ``119.5`` -> ``2:00``; None -> ``-`` (:func:`redrill.numbers.length_text`)."""
    from redrill.numbers import length_text

    return length_text(value)
