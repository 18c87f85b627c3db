"""Sound in: record one spoken answer from the microphone, and know when it is over.

Recording follows python-sounddevice's ``rec_unlimited.py``: the stream callback only copies each
block into a queue; the main thread writes it to a spool file, measures it and decides when the
answer has ended. Ctrl-C is a normal way to stop: what was said so far is returned.

When does an answer end? (:class:`Endpointer`, pure, tested on synthetic signals)

* the user presses Enter (``should_stop`` returns True), or
* ``silence_seconds`` (default 8 s) of silence once speech has started: long enough that a
  thinking pause (people pause 5-6 s to think in an interview answer) does not end the answer;
  the live view counts down once silence starts, and any sound cancels the count, or
* ``max_seconds`` of recording; and if nobody speaks within ``no_speech_timeout`` the result says
  there was no speech.

Speech vs silence is decided per 20 ms frame from its RMS level against an adaptive noise floor:
a frame is voiced when it is at least ``margin_db`` (12 dB, 4x) above the floor *and* above
``min_level`` (RMS 0.004, -48 dBFS: quieter than any voice at a normal distance from a laptop mic,
louder than the hiss of a quiet room). The floor drops quickly to quieter frames and rises slowly
(time constant 3 s) on unvoiced ones only, so a steady fan is learned but speech never becomes the
"noise"; it starts at the level of the first frame (the room before the answer, at most -40 dBFS). A noise that
starts *during* the answer and is 12 dB louder than the room counts as speech: Enter or
``max_seconds`` still end the answer. Speech has started after 100 ms of voiced frames in a row, so a click or a cough-length
blip does not start the silence timer. The stored answer is trimmed to the speech, with 0.15 s
before the first and 0.25 s after the last voiced frame.

Crash safety: every block is appended (and flushed) to a spool file in the recordings folder as it
arrives, so even a SIGKILL keeps what was captured; :func:`recover_spools` reads such leftovers so
the drill can offer to save them.

The device is recorded at its own default rate and resampled to 16 kHz (Whisper's rate).
sounddevice and numpy are imported inside functions: ``import sounddevice`` raises OSError when
the PortAudio library is missing, and that must not break ``redrill --help`` or typed answers.
"""

from __future__ import annotations

import contextlib
import queue
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from redrill.sound import SAMPLE_RATE
from redrill.sound.devices import (
    CapturedStderr,
    capture_stderr,
    import_sounddevice,
    no_microphone,
    resolve_input_device,
)
from redrill.sound.endpointing import INTERRUPTED, STALL_SECONDS, STALLED, STOPPED, Endpointer, Endpointing, Progress
from redrill.sound.spool import SpoolWriter, discard_spool

if TYPE_CHECKING:
    import av
    import numpy as np


# --- devices ----------------------------------------------------------------------------------


# --- recording --------------------------------------------------------------------------------


class AnswerTap:
    """Hands the answer to a consumer while it is being recorded (streaming transcription).

    Once speech has started, the audio from ``pre_roll`` before it (the same start the stored
    answer gets, see :meth:`Endpointer.keep_span`) is resampled to 16 kHz by one continuing
    resampler and passed on block by block. The stored answer is then cut from this same output,
    so what was streamed is exactly the beginning of what is stored.
    """

    def __init__(self, rate: int, settings: Endpointing, consumer: Callable[[np.ndarray], None]):
        self.rate = int(rate)
        self.settings = settings
        self.consumer = consumer
        self.start: int | None = None  # first raw sample of the answer
        self._fed = 0  # raw samples passed to the resampler
        self._resampler: av.AudioResampler | None = None  # made on first use: PyAV is imported lazily
        self._out: list = []
        self._out_n = 0

    def _resample(self, raw, flush: bool = False):
        import numpy as np

        if self.rate == SAMPLE_RATE:
            return np.asarray(raw, dtype=np.float32)
        import av

        if self._resampler is None:
            self._resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        resampler = self._resampler
        frames = []
        if raw is not None and len(raw):
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(raw, dtype=np.float32)[None, :], format="flt", layout="mono"
            )
            frame.sample_rate = self.rate
            frames += resampler.resample(frame)
        if flush:
            frames += resampler.resample(None)
        if not frames:
            return np.zeros(0, np.float32)
        return np.concatenate([f.to_ndarray().reshape(-1) for f in frames]).astype(np.float32)

    def push(self, captured: list, total: int, endpointer: Endpointer) -> None:
        """Call after every block: ``captured`` are all raw blocks so far, ``total`` their length."""
        import numpy as np

        first_speech_s = endpointer.first_speech_s
        if not endpointer.speech_started or first_speech_s is None:
            return
        if self.start is None:
            self.start = max(0, int((first_speech_s - self.settings.pre_roll_seconds) * self.rate))
            self._fed = self.start
        if total <= self._fed:
            return
        # The new raw samples are at the end of ``captured``.
        need = total - self._fed
        parts, have = [], 0
        for block in reversed(captured):
            parts.append(block)
            have += len(block)
            if have >= need:
                break
        raw = np.concatenate(parts[::-1])[-need:]
        self._fed = total
        out = self._resample(raw)
        if len(out):
            self._out.append(out)
            self._out_n += len(out)
            self.consumer(out)

    def samples(self, start: int, end: int):
        """The stored answer ``raw[start:end]`` at 16 kHz, from the streamed output; None if the span differs."""
        import numpy as np

        if self.start is None or start != self.start or end <= start:
            return None
        expected = int(round((end - start) * SAMPLE_RATE / self.rate))
        if self._out_n < expected:
            tail = self._resample(None, flush=True)
            if len(tail):
                self._out.append(tail)
                self._out_n += len(tail)
        out = np.concatenate(self._out) if self._out else np.zeros(0, np.float32)
        if len(out) < expected:
            out = np.concatenate([out, np.zeros(expected - len(out), np.float32)])
        return out[:expected].copy()


class CrashCopy(Protocol):
    """What a :class:`Recording` needs of the crash-safety copy it was spooled to
    (:class:`~redrill.sound.spool.SpoolWriter`)."""

    def discard(self) -> None:
        """Delete the copy (the answer is stored, or thrown away)."""


@dataclass
class Recording:
    """One recorded answer.

    ``samples`` is the answer at 16 kHz, trimmed to the speech (empty when there was none);
    ``reason`` says why recording ended (silence, stopped, max_length, no_speech, interrupted,
    stalled). Times are seconds from the start of recording.
    """

    samples: np.ndarray
    reason: str
    recorded_s: float
    speech_found: bool
    first_speech_s: float | None = None
    last_speech_s: float | None = None
    device_rate: int = SAMPLE_RATE
    overflows: int = 0
    started_s: float = 0.0  # where the kept answer starts in the recording (the silence trimmed before it)
    spool_path: Path | None = None
    _spool: CrashCopy | None = field(default=None, repr=False)
    spool_error: str | None = None  # why the crash-safety copy stopped early (e.g. the disk is full)
    spool_seconds: float | None = None  # how much of the recording the crash-safety copy holds

    @property
    def has_answer(self) -> bool:
        """True when there is something worth saving."""
        return len(self.samples) > 0

    @property
    def seconds(self) -> float:
        """Length of the kept answer."""
        return len(self.samples) / SAMPLE_RATE

    @property
    def interrupted(self) -> bool:
        return self.reason == INTERRUPTED

    def discard_spool(self) -> None:
        """Delete the crash-safety copy: call after the answer is stored (or thrown away)."""
        if self._spool is not None:
            self._spool.discard()
        elif self.spool_path is not None:
            discard_spool(self.spool_path)


def finish_recording(
    blocks: list, rate: int, endpointer: Endpointer, reason: str, tap: AnswerTap | None = None, **extra
) -> Recording:
    """Trim the captured blocks to the answer and resample to 16 kHz (shared by real and fake mics).

    With a ``tap`` that streamed the answer, the stored samples are cut from what it streamed.
    """
    import numpy as np

    from redrill.sound.audiofile import resample

    raw = np.concatenate(blocks).astype(np.float32) if blocks else np.zeros(0, np.float32)
    start, end = endpointer.keep_span(len(raw), reason)
    kept = tap.samples(start, end) if tap is not None else None
    if kept is None:
        kept = resample(raw[start:end], rate, SAMPLE_RATE) if end > start else np.zeros(0, np.float32)
    return Recording(
        samples=kept,
        reason=reason,
        recorded_s=len(raw) / rate,
        speech_found=endpointer.speech_started,
        first_speech_s=endpointer.first_speech_s,
        last_speech_s=endpointer.last_speech_s,
        device_rate=rate,
        started_s=start / rate if end > start else 0.0,
        **extra,
    )


class Recorder:
    """Records answers from one input device (None: the system default).

    ``settings`` are the default endpointing; :meth:`record` can change ``max_seconds`` per answer.
    """

    def __init__(
        self, device: int | str | None = None, *, settings: Endpointing = Endpointing(), spool_dir: Path | None = None
    ):
        self.device = device
        self.settings = settings
        self.spool_dir = spool_dir
        self._spool: SpoolWriter | None = None

    def check(self) -> dict:
        """Fail early, with the fix, when there is no PortAudio or no microphone; returns the device info."""
        sd = import_sounddevice()
        return resolve_input_device(sd, self.device)[1]

    def record(
        self,
        question_id: str = "answer",
        question_text: str = "",
        *,
        max_seconds: float | None = None,
        should_stop: Callable[[], bool] | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        on_audio: Callable[[np.ndarray], None] | None = None,
    ) -> Recording:
        """Record one answer until it ends (see the module docstring); Ctrl-C ends it too.

        Blocks are spooled to disk as they arrive when a ``spool_dir`` is set. ``on_audio``
        receives the answer at 16 kHz while it is being recorded (see :class:`AnswerTap`).
        """
        import dataclasses

        sd = import_sounddevice()
        device, info = resolve_input_device(sd, self.device)
        rate = int(info["default_samplerate"]) or SAMPLE_RATE
        settings = self.settings if max_seconds is None else dataclasses.replace(self.settings, max_seconds=max_seconds)
        endpointer = Endpointer(rate, settings)
        blocks: queue.Queue = queue.Queue()
        overflows = [0]

        def callback(indata, frames, time_info, status):  # runs on PortAudio's thread: copy only
            if status.input_overflow:
                overflows[0] += 1
            blocks.put(indata[:, 0].copy())

        spool = SpoolWriter(self.spool_dir, question_id, question_text, rate) if self.spool_dir is not None else None
        self._spool = spool
        tap = AnswerTap(rate, settings, on_audio) if on_audio is not None else None
        captured: list = []
        total = 0
        reason = None
        last_progress = 0.0
        noise = CapturedStderr()
        try:
            with capture_stderr() as noise:
                stream = sd.InputStream(samplerate=rate, device=device, channels=1, dtype="float32", callback=callback)
                stream.start()
        except (sd.PortAudioError, ValueError) as exc:
            if spool is not None:
                spool.discard()
            detail = f"; the sound library said: {noise.text.strip()}" if noise.text.strip() else ""
            raise no_microphone(f"could not open '{info['name']}': {exc}{detail}") from None
        last_block = time.monotonic()
        try:
            try:
                while reason is None:
                    try:
                        block = blocks.get(timeout=0.05)
                    except queue.Empty:
                        if time.monotonic() - last_block > STALL_SECONDS:
                            reason = STALLED
                            break
                        block = None
                    if block is not None:
                        last_block = time.monotonic()
                        captured.append(block)
                        total += len(block)
                        if spool is not None:
                            spool.write(block)
                        reason = endpointer.feed(block)
                        if tap is not None:
                            tap.push(captured, total, endpointer)
                    if reason is None and should_stop is not None and should_stop():
                        reason = STOPPED
                    now = time.monotonic()
                    if on_progress is not None and (now - last_progress >= 0.1 or reason):
                        last_progress = now
                        on_progress(endpointer.progress())
            finally:
                with capture_stderr(), contextlib.suppress(sd.PortAudioError):
                    stream.stop()
                    stream.close()
        except KeyboardInterrupt:
            reason = INTERRUPTED
        finally:
            self._spool = None
            if spool is not None:
                spool.close()
        # Blocks that arrived after the end decision are not part of the answer, but are in the
        # spool; that is fine: the spool only matters if we never get here.
        if reason == STALLED and not captured:
            if spool is not None:
                spool.discard()
            raise no_microphone(f"'{info['name']}' delivered no sound for {STALL_SECONDS:.0f} s")
        recording = finish_recording(
            captured,
            rate,
            endpointer,
            reason,
            tap,
            overflows=overflows[0],
            spool_path=spool.path if spool else None,
            _spool=spool,
            spool_error=spool.error if spool else None,
            spool_seconds=spool.written_s if spool else None,
        )
        return recording

    def sync_spool(self) -> None:
        """fsync the answer being recorded (called before a piece of it goes to transcription)."""
        spool = getattr(self, "_spool", None)
        if spool is not None:
            spool.sync()


__all__ = ["AnswerTap", "Recorder", "Recording", "finish_recording"]
