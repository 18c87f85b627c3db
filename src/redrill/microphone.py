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
import json
import math
import os
import queue
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from redrill.errors import RedrillError

if TYPE_CHECKING:
    import numpy as np

SAMPLE_RATE = 16000
NO_PORTAUDIO = (
    "the PortAudio library is missing, so redrill cannot use a microphone: install libportaudio2 "
    "(sudo apt-get install libportaudio2); typed answers work without a microphone: redrill drill --text"
)
NO_MICROPHONE_FIX = "`redrill devices` lists devices; --text works without one"
SPOOL_MAGIC = b"RDSPOOL1"
SPOOL_SUFFIX = ".spool"
# The noise floor starts at the first frame's level, but no higher than this (RMS, -40 dBFS).
FIRST_FLOOR_CAP = 0.01
# With no sound at all from the device for this long, something is wrong with it.
STALL_SECONDS = 5.0

# Why a recording ended.
SILENCE = "silence"
STOPPED = "stopped"
MAX_LENGTH = "max_length"
NO_SPEECH = "no_speech"
INTERRUPTED = "interrupted"
STALLED = "stalled"


# --- endpointing (pure) -----------------------------------------------------------------------


@dataclass(frozen=True)
class Endpointing:
    """When an answer ends and what counts as speech (see the module docstring for the why)."""

    silence_seconds: float = 8.0
    no_speech_timeout: float = 15.0
    max_seconds: float = 240.0
    frame_seconds: float = 0.02
    margin_db: float = 12.0
    min_level: float = 0.004
    onset_seconds: float = 0.1
    floor_rise_seconds: float = 3.0
    pre_roll_seconds: float = 0.15
    post_roll_seconds: float = 0.25

    def __post_init__(self) -> None:
        for name in ("silence_seconds", "no_speech_timeout", "max_seconds"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise RedrillError(f"{name.replace('_', '-')} must be a positive number of seconds (got {value})")


@dataclass(frozen=True)
class Progress:
    """What the live meter shows, sent about ten times a second while recording."""

    elapsed_s: float
    level_db: float
    voiced: bool
    speech_started: bool
    silence_s: float
    max_seconds: float
    silence_seconds: float


class Endpointer:
    """Decides, frame by frame, whether the answer is over. Feed it mono float blocks at ``rate``.

    Pure: no clock, no I/O; time is the number of samples fed.
    """

    def __init__(self, rate: int, settings: Endpointing = Endpointing()):
        self.rate = int(rate)
        self.settings = settings
        self.frame = max(1, int(round(settings.frame_seconds * self.rate)))
        self._pending: list = []
        self._pending_n = 0
        self.samples_seen = 0
        self.noise_floor: float | None = None
        self.level_db = -120.0
        self.voiced = False
        self.speech_started = False
        self.first_speech_s: float | None = None
        self.last_speech_s: float | None = None
        self._run_frames = 0
        self._run_start_s = 0.0
        self._onset_frames = max(1, int(round(settings.onset_seconds / settings.frame_seconds)))
        self.reason: str | None = None

    @property
    def elapsed_s(self) -> float:
        return self.samples_seen / self.rate

    @property
    def silence_s(self) -> float:
        """Seconds since the last voiced frame (0 before speech started)."""
        if not self.speech_started or self.last_speech_s is None:
            return 0.0
        return max(0.0, self.elapsed_s - self.last_speech_s)

    def threshold(self) -> float:
        """The RMS a frame needs to count as voiced, given the current noise floor."""
        floor = self.noise_floor if self.noise_floor is not None else 0.0
        return max(self.settings.min_level, floor * 10 ** (self.settings.margin_db / 20))

    def feed(self, block) -> str | None:
        """Take a block of samples; returns why the answer ended, or None while it goes on."""
        import numpy as np

        data = np.asarray(block, dtype=np.float32).reshape(-1)
        if self._pending_n:
            data = np.concatenate([*self._pending, data])
            self._pending, self._pending_n = [], 0
        whole = len(data) - len(data) % self.frame
        for start in range(0, whole, self.frame):
            self._frame(data[start : start + self.frame])
            if self.reason:
                break
        rest = data[whole:]
        if len(rest) and not self.reason:
            self._pending, self._pending_n = [rest], len(rest)
        return self.reason

    def _frame(self, frame) -> None:
        import numpy as np

        s = self.settings
        rms = float(np.sqrt(np.mean(np.square(frame, dtype=np.float64))))
        self.level_db = 20 * math.log10(max(rms, 1e-6))
        if self.noise_floor is None:
            # The first frame is the room before the answer: a steady fan louder than min_level
            # is learned at once instead of being taken for speech. Capped at -40 dBFS, so a user
            # who is already talking when recording starts is still heard as speech.
            self.noise_floor = min(rms, FIRST_FLOOR_CAP)
        start_s = self.samples_seen / self.rate
        self.samples_seen += len(frame)
        end_s = self.samples_seen / self.rate
        self.voiced = rms >= self.threshold()
        if self.voiced:
            if self._run_frames == 0:
                self._run_start_s = start_s
            self._run_frames += 1
            if not self.speech_started and self._run_frames >= self._onset_frames:
                self.speech_started = True
                self.first_speech_s = self._run_start_s
            if self.speech_started:
                self.last_speech_s = end_s
        else:
            self._run_frames = 0
            if rms < self.noise_floor:
                # Quickly down: the floor is the quietest the room gets.
                self.noise_floor = 0.5 * (self.noise_floor + rms)
            else:
                # Slowly up, so a fan is learned in a few seconds but a breath is not.
                alpha = s.frame_seconds / s.floor_rise_seconds
                self.noise_floor += alpha * (rms - self.noise_floor)
        if self.speech_started and self.silence_s >= s.silence_seconds:
            self.reason = SILENCE
        elif not self.speech_started and end_s >= s.no_speech_timeout:
            self.reason = NO_SPEECH
        elif end_s >= s.max_seconds:
            self.reason = MAX_LENGTH

    def progress(self) -> Progress:
        """The current state for the live meter."""
        return Progress(
            elapsed_s=self.elapsed_s,
            level_db=self.level_db,
            voiced=self.voiced,
            speech_started=self.speech_started,
            silence_s=self.silence_s,
            max_seconds=self.settings.max_seconds,
            silence_seconds=self.settings.silence_seconds,
        )

    def keep_span(self, total_samples: int, reason: str) -> tuple[int, int]:
        """Which samples ``[start, end)`` of the recording make the answer.

        Trimmed to the speech plus a little air on both sides; with no speech detected, the whole
        recording when the user ended it with Enter (a quiet voice is still an answer: the
        transcriber decides), else nothing.
        """
        s = self.settings
        if self.speech_started and self.first_speech_s is not None and self.last_speech_s is not None:
            start = max(0, int((self.first_speech_s - s.pre_roll_seconds) * self.rate))
            end = min(total_samples, int(math.ceil((self.last_speech_s + s.post_roll_seconds) * self.rate)))
            return start, max(start, end)
        if reason == STOPPED and total_samples >= int(0.5 * self.rate):
            return 0, total_samples
        return 0, 0


# --- spool files (crash safety) ---------------------------------------------------------------


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
    """

    def __init__(self, folder: Path, question_id: str, question_text: str, rate: int):
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
        self._file = os.fdopen(fd, "wb")
        self._file.write(SPOOL_MAGIC + struct.pack("<I", len(header)) + header)
        self._file.flush()

    def write(self, block) -> None:
        """Append one block and hand it to the OS."""
        import numpy as np

        self._file.write(np.asarray(block, dtype="<f4").reshape(-1).tobytes())
        self._file.flush()

    def sync(self) -> None:
        """Force what was written so far onto the disk (before it is handed to transcription)."""
        if self._file.closed:
            return
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
        except OSError:
            pass

    def close(self) -> None:
        """Flush to disk and close (the file stays until :meth:`discard`)."""
        if self._file.closed:
            return
        self.sync()
        self._file.close()

    def discard(self) -> None:
        """Delete the spool: its answer is safely stored (or was not worth keeping)."""
        self.close()
        self.path.unlink(missing_ok=True)


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


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
    from redrill.audio import resample

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


# --- devices ----------------------------------------------------------------------------------


class CapturedStderr:
    """What the sound libraries wrote to file descriptor 2 while :func:`capture_stderr` was on."""

    text: str = ""


@contextlib.contextmanager
def capture_stderr():
    """Keep the C sound libraries' chatter (ALSA's "underrun occurred", PortAudio's device probing)
    off the terminal: file descriptor 2 goes to a temporary file for the ``with`` block.

    The libraries write to fd 2 directly, so ``sys.stderr`` cannot catch it. The captured text is
    on the yielded object; on an exception it is written to the real stderr (then it matters) and
    the exception goes on. Only brief calls (stream open/close, PortAudio start-up) run inside, so
    nothing of redrill's own output is hidden.
    """
    import sys
    import tempfile

    captured = CapturedStderr()
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no fd 2 (embedded interpreter): nothing to capture
        yield captured
        return
    with tempfile.TemporaryFile() as tmp:
        os.dup2(tmp.fileno(), 2)
        failed = False
        try:
            yield captured
        except BaseException:
            failed = True
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            captured.text = tmp.read().decode("utf-8", errors="replace")
            if failed and captured.text.strip():
                sys.stderr.write(captured.text)
                sys.stderr.flush()


_pulse_server_at_init: list[str | None] = []


def refresh_portaudio(sd) -> None:
    """Make PortAudio see the current ``PULSE_SERVER``.

    PortAudio reads the sound server address once, when it initialises (at ``import
    sounddevice``). If the environment changed since (a test's private server, a user who exports
    it in a script), it is re-initialised, which is safe while no stream is open.
    """
    current = os.environ.get("PULSE_SERVER")
    if not _pulse_server_at_init:
        _pulse_server_at_init.append(current)
        return
    if _pulse_server_at_init[0] != current:
        sd._terminate()
        sd._initialize()
        _pulse_server_at_init[0] = current


def import_sounddevice():
    """``sounddevice``, or a RedrillError saying how to install PortAudio."""
    try:
        with capture_stderr():  # PortAudio's start-up probes every ALSA device, noisily
            import sounddevice as sd
    except OSError:
        raise RedrillError(NO_PORTAUDIO) from None
    with capture_stderr():
        refresh_portaudio(sd)
    return sd


@dataclass(frozen=True)
class InputDevice:
    """A device that can record: its sounddevice index, name, channels and default rate."""

    index: int
    name: str
    hostapi: str
    channels: int
    default_samplerate: float
    is_default: bool


def list_input_devices() -> list[InputDevice]:
    """Every input device PortAudio sees (empty when there is none)."""
    sd = import_sounddevice()
    try:
        devices = sd.query_devices()
        hostapis = sd.query_hostapis()
    except sd.PortAudioError as exc:
        raise RedrillError(f"PortAudio could not list sound devices: {exc}") from None
    default_in = sd.default.device[0]
    out = []
    for d in devices:
        if d["max_input_channels"] > 0:
            out.append(
                InputDevice(
                    index=d["index"],
                    name=d["name"],
                    hostapi=hostapis[d["hostapi"]]["name"],
                    channels=d["max_input_channels"],
                    default_samplerate=float(d["default_samplerate"]),
                    is_default=d["index"] == default_in,
                )
            )
    return out


def _no_microphone(detail: str) -> RedrillError:
    return RedrillError(f"no microphone found ({detail}): plug one in or check your sound server; {NO_MICROPHONE_FIX}")


def resolve_input_device(sd, device: int | str | None) -> tuple[int | str | None, dict]:
    """The device argument for sounddevice and its info; a clear error when there is none."""
    if isinstance(device, str):
        device = device.strip()
        if device.lstrip("-").isdigit():
            device = int(device)
        elif not device:
            device = None
    try:
        info = sd.query_devices(device, kind="input")
    except ValueError as exc:
        names = [d.name for d in list_input_devices()]
        seen = f"; input devices seen: {', '.join(names)}" if names else ""
        raise _no_microphone(f"{exc}{seen}") from None
    except sd.PortAudioError as exc:
        raise _no_microphone(f"PortAudio: {exc}") from None
    if info["max_input_channels"] < 1:
        raise _no_microphone(f"device '{info['name']}' cannot record")
    return (device if device is not None else info["index"]), info


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
        self._resampler = None
        self._out: list = []
        self._out_n = 0

    def _resample(self, raw, flush: bool = False):
        import numpy as np

        if self.rate == SAMPLE_RATE:
            return np.asarray(raw, dtype=np.float32)
        import av

        if self._resampler is None:
            self._resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        frames = []
        if raw is not None and len(raw):
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(raw, dtype=np.float32)[None, :], format="flt", layout="mono"
            )
            frame.sample_rate = self.rate
            frames += self._resampler.resample(frame)
        if flush:
            frames += self._resampler.resample(None)
        if not frames:
            return np.zeros(0, np.float32)
        return np.concatenate([f.to_ndarray().reshape(-1) for f in frames]).astype(np.float32)

    def push(self, captured: list, total: int, endpointer: Endpointer) -> None:
        """Call after every block: ``captured`` are all raw blocks so far, ``total`` their length."""
        import numpy as np

        if not endpointer.speech_started:
            return
        if self.start is None:
            self.start = max(0, int((endpointer.first_speech_s - self.settings.pre_roll_seconds) * self.rate))
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
    spool_path: Path | None = None
    _spool: SpoolWriter | None = field(default=None, repr=False)

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

    from redrill.audio import resample

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
            raise _no_microphone(f"could not open '{info['name']}': {exc}{detail}") from None
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
            raise _no_microphone(f"'{info['name']}' delivered no sound for {STALL_SECONDS:.0f} s")
        recording = finish_recording(
            captured,
            rate,
            endpointer,
            reason,
            tap,
            overflows=overflows[0],
            spool_path=spool.path if spool else None,
            _spool=spool,
        )
        return recording

    def sync_spool(self) -> None:
        """fsync the answer being recorded (called before a piece of it goes to transcription)."""
        spool = getattr(self, "_spool", None)
        if spool is not None:
            spool.sync()


__all__ = [
    "AnswerTap",
    "Endpointer",
    "Endpointing",
    "InputDevice",
    "Progress",
    "Recorder",
    "Recording",
    "Spool",
    "SpoolWriter",
    "finish_recording",
    "list_input_devices",
    "recover_spools",
    "refresh_portaudio",
    "resolve_input_device",
]
