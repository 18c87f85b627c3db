"""When does a spoken answer end? Pure endpointing over per-block levels (tested on synthetic signals).

An answer ends when the user presses Enter or space (``should_stop``), after ``silence_seconds``
(default 8 s) of silence once speech has started (long enough that a thinking pause does not end
the answer; the live view counts down once silence starts and any sound cancels the count), or at
``max_seconds``; if nobody speaks within ``no_speech_timeout`` the result says there was no speech.

Speech vs silence is decided per 20 ms frame from its RMS level against an adaptive noise floor:
a frame is voiced when it is at least ``margin_db`` (12 dB, 4x) above the floor *and* above
``min_level`` (RMS 0.004, -48 dBFS: quieter than any voice at a normal distance from a laptop mic,
louder than the hiss of a quiet room). The floor drops quickly to quieter frames and rises slowly
(time constant 3 s) on unvoiced ones only, so a steady fan is learned but speech never becomes the
"noise"; it starts at the level of the first frame (the room before the answer, at most -40 dBFS).
A noise that starts *during* the answer and is 12 dB louder than the room counts as speech: Enter or
``max_seconds`` still end the answer. Speech has started after 100 ms of voiced frames in a row, so
a click or a cough-length blip does not start the silence timer. The stored answer is trimmed to
the speech, with 0.15 s before the first and 0.25 s after the last voiced frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from redrill.errors import RedrillError

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
    first_speech_s: float | None = None
    no_speech_timeout: float = 0.0

    @property
    def answer_s(self) -> float:
        """Seconds since the answer's first speech (what the report's duration measures); 0 before it."""
        if not self.speech_started or self.first_speech_s is None:
            return 0.0
        return max(0.0, self.elapsed_s - self.first_speech_s)


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
            first_speech_s=self.first_speech_s,
            no_speech_timeout=self.settings.no_speech_timeout,
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
