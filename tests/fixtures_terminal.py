"""A real terminal for end-to-end tests: `redrill` runs on a pseudo-terminal of a given size, so it
sees a terminal on standard input and output (prompts, single-key mode, the live view), and the
test reads the screen's text and types keys.

* ``terminal(argv, env, columns=80, rows=30)`` (fixture): starts the command; the process is
  killed (only it, by its own PID) at the end of the test if it is still running.
* ``Terminal.expect(text, timeout)`` waits until ``text`` (a string or compiled regex) appears in
  the output after the last match, colour and cursor codes removed; ``send(keys)`` types.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import termios
import threading
import time

import pytest

_CODES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[()][A-Z0-9]|\x1b[=>]")


def plain(text: str) -> str:
    """Terminal output as text: colour and cursor codes removed, carriage returns as line ends."""
    return _CODES.sub("", text).replace("\r\n", "\n").replace("\r", "\n")


class Terminal:
    """One command running on a pseudo-terminal."""

    def __init__(self, argv: list[str], env: dict, *, columns: int = 80, rows: int = 30):
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        env = {**env, "TERM": "xterm-256color", "COLUMNS": str(columns), "LINES": str(rows)}
        env.pop("NO_COLOR", None)
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
        os.close(slave)
        self._master = master
        self._raw = bytearray()
        self._lock = threading.Condition()
        self._pos = 0  # where the next expect() starts looking, in plain text
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self._master, 65536)
            except OSError:  # the command ended and the terminal closed
                data = b""
            with self._lock:
                if not data:
                    self._lock.notify_all()
                    return
                self._raw += data
                self._lock.notify_all()

    @property
    def raw(self) -> str:
        with self._lock:
            return self._raw.decode("utf-8", errors="replace")

    @property
    def text(self) -> str:
        """Everything shown so far, as plain text."""
        return plain(self.raw)

    def expect(self, wanted, timeout: float = 30.0) -> re.Match:
        """Wait until ``wanted`` appears after the previous match; fails with the screen so far."""
        pattern = wanted if isinstance(wanted, re.Pattern) else re.compile(re.escape(wanted))
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                text = plain(self._raw.decode("utf-8", errors="replace"))
                found = pattern.search(text, self._pos)
                if found:
                    self._pos = found.end()
                    return found
                left = deadline - time.monotonic()
                if left <= 0 or (not self._reader.is_alive() and self.proc.poll() is not None):
                    pytest.fail(f"{pattern.pattern!r} did not appear within {timeout:.0f} s; the screen:\n{text}")
                self._lock.wait(min(left, 0.2))

    def send(self, keys: str) -> None:
        """Type ``keys``."""
        os.write(self._master, keys.encode())

    def wait(self, timeout: float = 60.0) -> int:
        """Wait for the command to end; its exit status."""
        rc = self.proc.wait(timeout=timeout)
        self._reader.join(5)
        return rc

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()  # only the command this terminal started
            self.proc.wait(10)
        self._reader.join(5)
        try:
            os.close(self._master)
        except OSError:
            pass


@pytest.fixture
def terminal():
    """``terminal(argv, env, columns=80, rows=30)``: start a command on a pseudo-terminal."""
    started: list[Terminal] = []

    def start(argv, env, **size) -> Terminal:
        term = Terminal(argv, env, **size)
        started.append(term)
        return term

    yield start
    for term in started:
        term.close()
