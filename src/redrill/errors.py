"""Errors a user can act on.

Every known failure is a :class:`RedrillError` (or a subclass). The CLI turns them into
``Error: ...`` and exit code 1, never a traceback. Messages say what went wrong, where (file, line,
field) and what to do next.
"""

from __future__ import annotations

from dataclasses import dataclass


class RedrillError(Exception):
    """A failure the user can do something about; ``str(err)`` is the whole message."""


@dataclass(frozen=True)
class Problem:
    """One problem in an input file: where it is and what is wrong."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.field:
            where += f": {self.field}"
        return f"{where}: {self.message}"


class InputError(RedrillError):
    """One or more problems in a file the user gave us, all reported at once."""

    def __init__(self, problems: list[Problem], hint: str | None = None):
        self.problems = list(problems)
        self.hint = hint
        lines = [str(p) for p in self.problems]
        head = "1 problem" if len(lines) == 1 else f"{len(lines)} problems"
        text = f"{head} found:\n" + "\n".join(f"  {line}" for line in lines)
        if hint:
            text += f"\n{hint}"
        super().__init__(text)


class NoSpeechError(RedrillError):
    """An answer contained no words."""
