"""Where redrill keeps the user's data.

One data home holds everything: ``REDRILL_HOME`` when set, else the platform's user data directory
(``~/.local/share/redrill`` on Linux). It is created readable by the user only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

HOME_ENV = "REDRILL_HOME"


def data_home() -> Path:
    """The data home: ``$REDRILL_HOME`` or the platform user data dir."""
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("redrill", appauthor=False))


@dataclass(frozen=True)
class Paths:
    """The files and folders inside one data home."""

    home: Path

    @property
    def database(self) -> Path:
        return self.home / "redrill.db"

    @property
    def recordings(self) -> Path:
        return self.home / "recordings"

    @property
    def models(self) -> Path:
        return self.home / "models"

    @property
    def banks(self) -> Path:
        return self.home / "banks"

    @property
    def user_bank(self) -> Path:
        """The bank that holds questions the user typed in during a debrief."""
        return self.banks / "my-questions.yaml"

    @property
    def config(self) -> Path:
        return self.home / "config.yaml"

    @property
    def exports(self) -> Path:
        return self.home / "exports"

    def ensure(self) -> Paths:
        """Create the data home and its folders, user-only (0700)."""
        for folder in (self.home, self.recordings, self.models, self.banks, self.exports):
            folder.mkdir(parents=True, exist_ok=True)
            private_dir(folder)
        return self


def private_dir(path: Path) -> None:
    """Make a folder readable by its owner only (0700); best effort on odd filesystems."""
    try:
        path.chmod(0o700)
    except OSError:
        pass


def private_file(path: Path) -> None:
    """Make a file readable and writable by its owner only (0600)."""
    try:
        path.chmod(0o600)
    except OSError:
        pass


def current() -> Paths:
    """Paths of the current data home (not created)."""
    return Paths(data_home())
