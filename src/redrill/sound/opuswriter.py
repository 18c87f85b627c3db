"""Encoding an answer to Ogg/Opus while it is spoken, so storing it at the end is almost free.

Encoding two minutes of speech costs about 0.8 s of CPU: done after the answer ended, it would sit
between the key press (or the silence endpoint) and the report. :class:`OpusWriter` takes the
answer as it is recorded (16 kHz, from the recorder's tap) and encodes it in a background thread,
``hold_s`` behind the newest audio: the stored answer is trimmed after its last word and may end
up to ``hold_s`` before what was recorded, and what is encoded can no longer change. At the end,
:meth:`OpusWriter.finish` encodes only the rest and moves the file into place, with the same
guarantees as :func:`redrill.sound.audiofile.write_opus` (written under a temporary name, synced,
private, renamed; the file decodes to exactly the samples given, identical to what ``write_opus``
gives for them). When the final answer is not an extension of what was encoded (it never is
otherwise, but the check is cheap), it returns False and the caller writes the file the usual way.

Encoding starts only once ``hold_s`` plus :data:`MIN_START_S` seconds have come in, so every file
it writes spans several Ogg pages and its length is exact without the length tag that
``write_opus`` adds for short recordings.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from redrill.errors import RedrillError
from redrill.paths import private_file, temp_file
from redrill.sound import SAMPLE_RATE

if TYPE_CHECKING:  # numpy and PyAV load on first use (see feed/_encode), not at import
    import numpy as np
    from av.audio.stream import AudioStream
    from av.container import OutputContainer

# The temporary file is :func:`redrill.paths.temp_file`'s ``.encoding.ogg.PID.RANDOM.tmp`` in the
# recordings folder. The answer is also in its spool (crash safety), so a file left by a process
# that died is removed like any other temporary file of redrill's (:mod:`redrill.leftovers`); its
# name is not a recording's, so it is never adopted as a second copy of the answer.
TMP_NAME = "encoding.ogg"
MIN_START_S = 2.0  # seconds of answer before encoding begins (see the module docstring)
STEP_S = 1.0  # encode in pieces of at least this much audio


class OpusWriter:
    """Encodes a growing answer into a temporary file in ``folder`` (see the module docstring)."""

    def __init__(self, folder: Path, *, bitrate: int = 24000, hold_s: float = 10.0, tags: dict | None = None):
        self.folder = Path(folder)
        self.tags = dict(tags or {})  # Vorbis comments, as write_opus writes them
        self.bitrate = int(bitrate)
        self.hold = int(hold_s * SAMPLE_RATE)
        self._buffer: np.ndarray | None = None  # the answer so far; grows by doubling
        self._fed = 0
        self._queued = 0  # samples handed to the encoder thread
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="redrill-opus")
        self._lock = threading.Lock()
        self._container: OutputContainer | None = None
        self._stream: AudioStream | None = None
        self._encoded = 0  # samples the encoder has taken
        self._tmp: Path | None = None
        self._failed: BaseException | None = None
        self._closed = False

    @property
    def encoded_seconds(self) -> float:
        """How much of the answer is encoded already."""
        return self._encoded / SAMPLE_RATE

    def feed(self, samples) -> None:
        """Add recorded audio (16 kHz mono float32); never blocks on encoding."""
        import numpy as np

        block = np.asarray(samples, dtype=np.float32).reshape(-1)
        with self._lock:
            if self._closed or self._failed is not None:
                return
            need = self._fed + len(block)
            buffer = self._buffer
            if buffer is None or need > len(buffer):
                grown = np.zeros(max(need, 2 * (0 if buffer is None else len(buffer)), 30 * SAMPLE_RATE), np.float32)
                if buffer is not None:
                    grown[: self._fed] = buffer[: self._fed]
                buffer = self._buffer = grown
            buffer[self._fed : need] = block
            self._fed = need
            safe = self._fed - self.hold
            start_at = self.hold + int(MIN_START_S * SAMPLE_RATE)
            if self._fed < start_at or safe - self._queued < STEP_S * SAMPLE_RATE:
                return
            piece = buffer[self._queued : safe].copy()
            self._queued = safe
        self._worker.submit(self._encode, piece)

    def _encode(self, piece) -> None:
        """Runs on the encoder thread."""
        import av
        import numpy as np

        if self._failed is not None:
            return
        try:
            container, stream = self._container, self._stream
            # Both are opened on the first piece; had add_stream failed, _failed would have returned above.
            if container is None or stream is None:
                fd, tmp = temp_file(self.folder, TMP_NAME)
                os.close(fd)
                self._tmp = tmp
                container = self._container = av.open(str(tmp), mode="w", format="ogg")
                stream = self._stream = container.add_stream("libopus", rate=SAMPLE_RATE, layout="mono")
                stream.bit_rate = self.bitrate
                for key, value in self.tags.items():
                    stream.metadata[key] = str(value)
            data = np.ascontiguousarray(np.clip(piece, -1.0, 1.0))
            frame = av.AudioFrame.from_ndarray(data[None, :], format="flt", layout="mono")
            frame.sample_rate = SAMPLE_RATE
            frame.pts = self._encoded
            frame.time_base = Fraction(1, SAMPLE_RATE)
            for packet in stream.encode(frame):
                container.mux(packet)
            self._encoded += len(piece)
        except BaseException as exc:  # noted; finish() then falls back to writing the whole file
            self._failed = exc

    def finish(self, target: Path, samples) -> bool:
        """Store ``samples`` (the final answer) at ``target``; False when this writer cannot (the
        caller then writes it with ``write_opus``). Either way the writer is closed afterwards."""
        import av
        import numpy as np

        with self._lock:
            self._closed = True
        self._worker.shutdown(wait=True)
        final = np.asarray(samples, dtype=np.float32).reshape(-1)
        with self._lock:
            fed = self._buffer[: self._fed] if self._buffer is not None else np.zeros(0, np.float32)
        n = self._encoded
        usable = (
            self._failed is None
            and self._container is not None
            and n <= len(final)
            and n <= len(fed)
            and np.array_equal(final[:n], fed[:n])
        )
        if not usable:
            self.discard()
            return False
        try:
            self._encode(final[n:]) if len(final) > n else None
            if self._failed is not None:
                raise self._failed
            container, stream, tmp = self._container, self._stream, self._tmp
            if container is None or stream is None or tmp is None:  # opened together by the first _encode
                raise RuntimeError("the Opus writer lost its open file")
            for packet in stream.encode(None):
                container.mux(packet)
            container.close()
            self._container = None
            with open(tmp, "rb+") as handle:
                handle.flush()
                os.fsync(handle.fileno())
            private_file(tmp)
            os.replace(tmp, target)
            self._tmp = None
        except av.FFmpegError as exc:
            self.discard()
            raise RedrillError(f"could not save the recording to {target}: {exc}") from None
        except OSError as exc:
            self.discard()
            raise RedrillError(f"could not save the recording to {target}: {exc.strerror or exc}") from None
        _fsync_folder(Path(target).parent)
        return True

    def discard(self) -> None:
        """Stop and remove the temporary file (the answer was not kept, or is written otherwise)."""
        with self._lock:
            self._closed = True
        self._worker.shutdown(wait=True, cancel_futures=True)
        if self._container is not None:
            try:
                self._container.close()
            except Exception:  # a half-written temporary file is removed next anyway
                pass
            self._container = None
        if self._tmp is not None:
            self._tmp.unlink(missing_ok=True)
            self._tmp = None


def _fsync_folder(folder: Path) -> None:
    from redrill.sound.audiofile import _fsync_folder as sync

    sync(folder)
