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
        """Create the data home and its folders, user-only (0700).

        A folder that already holds other things and none of redrill's is refused, untouched: redrill
        does not make someone's Documents folder private or fill it with its own folders.
        """
        check_home_is_redrills(self.home)
        for folder in (self.home, self.recordings, self.models, self.banks, self.exports):
            folder.mkdir(parents=True, exist_ok=True)
            private_dir(folder)
        return self


# The names redrill itself puts in a data home.
_OWN_NAMES = ("redrill.db", "config.yaml", "recordings", "models", "banks", "exports")


def check_home_is_redrills(home: Path) -> None:
    """Raise :class:`RedrillError` when ``home`` exists, is not empty, and is not a redrill data home."""
    from redrill.errors import RedrillError

    try:
        names = sorted(os.listdir(home))
    except FileNotFoundError:
        return
    except NotADirectoryError:
        raise RedrillError(
            f"the data home {home} is a file, not a folder; give --home (or REDRILL_HOME) a folder"
        ) from None
    except OSError as exc:
        raise RedrillError(f"cannot read the data home {home}: {exc.strerror}") from None
    # Redrill's: it holds a redrill database, or nothing but names redrill uses (a home made by hand
    # with a config.yaml or a banks folder first). The user's own notes next to a database are fine.
    if "redrill.db" in names or all(name.startswith("redrill.db") or name in _OWN_NAMES for name in names):
        return
    shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
    raise RedrillError(
        f"{home} is not a redrill data home: it holds other things ({shown}) and no redrill database. redrill "
        "would make it private (chmod 700) and add its folders, so it leaves it alone. Give --home (or "
        "REDRILL_HOME) a new or empty folder, or the one redrill uses (`redrill paths` shows it)"
    )


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
