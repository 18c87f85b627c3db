"""Crash safety for recordings: every block is appended (and flushed) to a spool file as it arrives.

Even a SIGKILL keeps what was captured; :func:`recover_spools` reads such leftovers (of processes
that are gone) so the drill can offer to save them.
"""

from __future__ import annotations

import json
import os
import struct
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from redrill.errors import RedrillError
from redrill.paths import pid_alive
from redrill.sound import SAMPLE_RATE

if TYPE_CHECKING:
    import numpy as np


SPOOL_MAGIC = b"RDSPOOL1"


SPOOL_SUFFIX = ".spool"


class Spool(NamedTuple):
    """A recording left behind by a session that did not finish (see :func:`recover_spools`)."""

    question_id: str
    samples: np.ndarray  # 16 kHz mono float32, as captured (not trimmed)
    path: Path
    question_text: str = ""
    started_at: str | None = None


class SpoolWriter:
    """Appends raw float32 blocks to ``<recordings>/.answer-<question>-<time>-<pid>.spool``.

    Layout: ``RDSPOOL1``, a little-endian u32 header length, a JSON header (question, rate,
    channels, dtype, pid, start time), then little-endian float32 mono samples. Each block is
    flushed to the OS as it arrives (enough to survive the process being killed); the file is
    fsynced when the recording ends.

    A write that fails (the disk is full) does not stop the recording: the answer goes on being
    captured in memory, the spool keeps what was written before the failure, and :attr:`error`
    says what happened so the user can be told.
    """

    def __init__(self, folder: Path, question_id: str, question_text: str, rate: int):
        self.error: str | None = None  # why writing the spool stopped, if it did
        self.written_s = 0.0  # seconds of audio safely handed to the OS
        self.rate = int(rate)
        try:
            self._open(folder, question_id, question_text)
        except OSError as exc:
            raise RedrillError(
                f"cannot record: there is no room to keep the recording safe in {folder} "
                f"({exc.strerror or exc}). Free some disk space and try again"
            ) from None

    def _open(self, folder: Path, question_id: str, question_text: str) -> None:
        rate = self.rate
        folder.mkdir(parents=True, exist_ok=True)
        now = datetime.now(timezone.utc)
        safe_id = "".join(c if c.isalnum() or c in "-_" else "_" for c in question_id)[:60]
        self.path = folder / f".answer-{safe_id}-{now:%Y%m%d-%H%M%S}-{os.getpid()}{SPOOL_SUFFIX}"
        header = json.dumps(
            {
                "question_id": question_id,
                "question_text": question_text,
                "rate": int(rate),
                "channels": 1,
                "dtype": "float32-le",
                "pid": os.getpid(),
                "started_at": now.isoformat(timespec="seconds"),
            }
        ).encode("utf-8")
        fd = os.open(self.path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        self._file = os.fdopen(fd, "wb", buffering=0)
        try:
            self._write_all(SPOOL_MAGIC + struct.pack("<I", len(header)) + header)
        except OSError:
            self._file.close()
            self.path.unlink(missing_ok=True)
            raise

    def _write_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[self._file.write(view) :]

    def write(self, block) -> None:
        """Append one block and hand it to the OS; after a failed write, keep quiet (see the class)."""
        import numpy as np

        if self.error is not None or self._file.closed:
            return
        data = np.asarray(block, dtype="<f4").reshape(-1)
        try:
            self._write_all(data.tobytes())
        except OSError as exc:
            self.error = exc.strerror or str(exc)
            return
        self.written_s += len(data) / self.rate

    def sync(self) -> None:
        """Force what was written so far onto the disk (before it is handed to transcription)."""
        if self._file.closed:
            return
        try:
            os.fsync(self._file.fileno())
        except OSError:
            pass

    def close(self) -> None:
        """Flush to disk and close (the file stays until :meth:`discard`)."""
        if self._file.closed:
            return
        self.sync()
        try:
            self._file.close()
        except OSError:
            pass

    def discard(self) -> None:
        """Delete the spool: its answer is safely stored (or was not worth keeping)."""
        self.close()
        self.path.unlink(missing_ok=True)


def _pid_alive(pid: int) -> bool:
    """Whether another running redrill owns a spool: this process's own spools, and any whose owner
    cannot be checked, are offered for saving (recovering keeps the file; leaving it could lose it)."""
    return pid != os.getpid() and pid_alive(pid, when_unsure=False)


def spool_owner_alive(path: Path) -> bool:
    """True when the redrill that wrote this spool is still running (its header's pid is alive).

    Only the header is read. A spool whose header cannot be read has no live owner.
    """
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(SPOOL_MAGIC) + 4)
            if not head.startswith(SPOOL_MAGIC) or len(head) < len(SPOOL_MAGIC) + 4:
                return False
            (size,) = struct.unpack_from("<I", head, len(SPOOL_MAGIC))
            header = json.loads(handle.read(min(size, 65536)).decode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return False
    pid = header.get("pid") if isinstance(header, dict) else None
    return isinstance(pid, int) and _pid_alive(pid)


def read_spool(path: Path) -> tuple[dict, np.ndarray]:
    """The header and the raw samples of one spool file (a torn last sample is dropped)."""
    import numpy as np

    raw = Path(path).read_bytes()
    if not raw.startswith(SPOOL_MAGIC) or len(raw) < len(SPOOL_MAGIC) + 4:
        raise RedrillError(f"{path} is not a redrill recording spool")
    (size,) = struct.unpack_from("<I", raw, len(SPOOL_MAGIC))
    start = len(SPOOL_MAGIC) + 4
    try:
        header = json.loads(raw[start : start + size].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise RedrillError(f"{path}: damaged spool header") from None
    body = raw[start + size :]
    body = body[: len(body) - len(body) % 4]
    return header, np.frombuffer(body, dtype="<f4").astype(np.float32)


def recover_spools(recordings_dir: Path, *, min_seconds: float = 0.5) -> list[Spool]:
    """Recordings left by sessions that were killed: ``(question_id, samples16k, path)`` each.

    Spools of a redrill that is still running (its pid is alive) are left alone; damaged files and
    ones shorter than ``min_seconds`` are skipped (the caller may delete them with
    :func:`discard_spool`). Oldest first.
    """
    from redrill.sound.audiofile import resample

    found = []
    folder = Path(recordings_dir)
    if not folder.is_dir():
        return []
    for path in sorted(folder.glob(f".answer-*{SPOOL_SUFFIX}"), key=lambda p: p.stat().st_mtime):
        try:
            header, samples = read_spool(path)
        except (OSError, RedrillError):
            continue
        pid = header.get("pid")
        if isinstance(pid, int) and _pid_alive(pid):
            continue
        rate = int(header.get("rate") or SAMPLE_RATE)
        if len(samples) < min_seconds * rate:
            continue
        found.append(
            Spool(
                question_id=str(header.get("question_id", "")),
                samples=resample(samples, rate, SAMPLE_RATE),
                path=path,
                question_text=str(header.get("question_text", "")),
                started_at=header.get("started_at"),
            )
        )
    return found


def discard_spool(path: Path) -> None:
    """Delete a spool file once its recording is saved (or the user declined it)."""
    Path(path).unlink(missing_ok=True)
