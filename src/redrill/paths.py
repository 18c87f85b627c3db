"""Where redrill keeps the user's data.

One data home holds everything: ``REDRILL_HOME`` when set, else the platform's user data directory
(``~/.local/share/redrill`` on Linux). It is created readable by the user only.
"""

from __future__ import annotations

import os
import re
import tempfile
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
        does not make someone's Documents folder private or fill it with its own folders. A folder
        below the home that is a symbolic link (recordings on another disk) is used but its mode is
        not changed: the folder it leads to is not redrill's. A folder that cannot be made is a
        :class:`~redrill.errors.RedrillError` naming it and what to do.
        """
        check_home_is_redrills(self.home)
        for folder in (self.home, self.recordings, self.models, self.banks, self.exports):
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                from redrill.errors import RedrillError

                raise RedrillError(unusable_folder(folder, self.home, exc)) from None
            if folder == self.home or not folder.is_symlink():
                private_dir(folder)
        return self


def unusable_folder(folder: Path, home: Path, exc: OSError) -> str:
    """What to tell the user when a data folder cannot be created."""
    if isinstance(exc, FileExistsError) or (folder.exists() and not folder.is_dir()):
        return (
            f"{folder} is a file, but redrill keeps a folder there; move the file aside "
            f"(mv {folder} {folder}.moved) and run again"
        )
    where = "" if folder == home else f" (in the data home {home})"
    return (
        f"cannot create the folder {folder}{where}: {exc.strerror or exc}. Set REDRILL_HOME (or --home) "
        "to a folder you can write to"
    )


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
        if not home.is_file():
            return  # a file further up is in the way: creating the folder says which
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


# ``.my-questions.yaml.4242.x7kq2ab1.tmp``: a temporary file of process 4242 (see :func:`temp_file`).
TEMP_NAME = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.(?P<tag>[A-Za-z0-9_]{6,})\.tmp$")


def temp_file(folder: Path, name: str) -> tuple[int, Path]:
    """Create a user-only temporary file for ``name`` in ``folder``: ``(fd, path)``.

    Its name carries the process number (``.NAME.PID.RANDOM.tmp``), so a later redrill knows whose
    it is and can clean it up if this process dies before renaming it into place.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.{os.getpid()}.", suffix=".tmp", dir=folder)
    try:
        os.fchmod(fd, 0o600)
    except OSError:
        pass
    return fd, Path(tmp)


def pid_alive(pid: int, *, when_unsure: bool = True) -> bool:
    """Whether process ``pid`` is running (this process counts as running).

    ``when_unsure`` is the answer when the check itself fails: a caller about to delete what the
    process owns keeps the default (alive: leave it), one about to save it may say False.
    """
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists but is not ours
        return True
    except OSError:
        return when_unsure
    return True
