"""Measuring how an answer sounded: Praat's pitch and intensity, piece by piece, live or afterwards.

This is the audio side of the voice figures; :mod:`redrill.scoring.voice` turns the frames measured
here, with the transcript's word timings, into the figures (pure, no audio).

* :func:`analyse_piece` runs Praat's pitch tracker (the autocorrelation method of Boersma 1993,
  through praat-parselmouth) and Praat's intensity contour over a stretch of audio, sampled every
  ``frame_s`` seconds on the answer's timeline.
* An answer is analysed in **pieces** of a fixed ``piece_s`` seconds (:func:`pieces`), each read
  with ``pad_s`` of audio either side so that Praat's analysis windows are whole at the joins (and
  the same length, so that the frames of all pieces lie on one grid); a piece keeps only the frames
  centred inside it. The pieces depend on nothing but the sample
  positions, so an answer fed block by block while it is spoken (:class:`VoiceStream`: each piece
  analysed in a background thread as soon as its audio is in) and the same answer analysed
  afterwards (:func:`analyse_answer`: ``rescore``, imported files, answers finished later) go
  through the same pieces, and Praat gives the same frames for the same samples: the figures are
  *identical*. At the end of a streamed answer only the last piece is left (at most
  ``piece_s + pad_s`` seconds of audio, about 10 ms of work).

Cost: about 0.1-0.15 s of one core per minute of audio (Praat's pitch tracker is nearly all of it).
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from redrill.sound import SAMPLE_RATE

if TYPE_CHECKING:  # numpy loads with the first block of audio, not at import
    import numpy as np

__all__ = ["Frames", "ProsodySettings", "VoiceStream", "analyse_answer", "analyse_piece", "pieces"]


@dataclass(frozen=True)
class ProsodySettings:
    """How the recording is measured (``docs/metrics.md``, "How it sounded")."""

    # Praat's pitch search range: 75-500 Hz covers low male to high female speaking voices (Praat's
    # standard floor is 75 Hz, its ceiling 600 Hz).
    pitch_floor_hz: float = 75.0
    pitch_ceiling_hz: float = 500.0
    # 20 ms frames: enough for spread statistics over whole answers, and half the cost of Praat's
    # standard 10 ms step for a 75 Hz floor (the pitch tracker is most of the cost).
    frame_s: float = 0.02
    # Praat's intensity window is 3.2 / minimum pitch: 100 Hz gives 32 ms, short enough for words.
    intensity_min_pitch_hz: float = 100.0
    piece_s: float = 5.0
    # More than half the longest analysis window (3 periods of the 75 Hz floor: 40 ms).
    pad_s: float = 0.1


@dataclass(frozen=True)
class Frames:
    """Praat's frames of one piece of an answer: times (s, on the answer's timeline), F0 in Hz
    (0 = unvoiced) and intensity in dB (None where there is no sound to measure)."""

    start_s: float
    end_s: float
    times: tuple[float, ...] = ()
    f0_hz: tuple[float, ...] = ()
    db: tuple[float | None, ...] = ()
    step_s: float = 0.02


def analyse_piece(
    samples,
    offset_s: float = 0.0,
    *,
    keep: tuple[float, float] | None = None,
    settings: ProsodySettings = ProsodySettings(),
) -> Frames:
    """Pitch and intensity frames of 16 kHz mono audio that starts at ``offset_s`` on the answer's
    timeline; with ``keep`` (start, end in s) only the frames centred in that span.

    Pure: no I/O, no state. Audio shorter than Praat's pitch window gives no frames.
    """
    import numpy as np
    import parselmouth

    audio = np.asarray(samples, dtype=np.float64).reshape(-1)
    start, end = keep if keep is not None else (float(offset_s), float(offset_s) + len(audio) / SAMPLE_RATE)
    # Praat needs three periods of the pitch floor (plus a little) for one pitch frame.
    if len(audio) < int(3.5 / settings.pitch_floor_hz * SAMPLE_RATE) or not np.any(audio):
        return Frames(start, end, step_s=settings.frame_s)
    sound = parselmouth.Sound(audio, sampling_frequency=SAMPLE_RATE)
    pitch = sound.to_pitch_ac(
        time_step=settings.frame_s, pitch_floor=settings.pitch_floor_hz, pitch_ceiling=settings.pitch_ceiling_hz
    )
    times = np.asarray(pitch.xs(), dtype=np.float64) + offset_s
    f0 = np.nan_to_num(np.asarray(pitch.selected_array["frequency"], dtype=np.float64))
    db = np.full(len(times), np.nan)
    try:
        intensity = sound.to_intensity(
            minimum_pitch=settings.intensity_min_pitch_hz, time_step=settings.frame_s, subtract_mean=False
        )
        ixs = np.asarray(intensity.xs(), dtype=np.float64) + offset_s
        ivals = np.asarray(intensity.values, dtype=np.float64).reshape(-1)
        if len(ixs):
            db = np.interp(times, ixs, ivals)
    except parselmouth.PraatError:  # too short for the intensity window
        pass
    inside = (times >= start) & (times < end)
    return Frames(
        start,
        end,
        tuple(np.round(times[inside], 4).tolist()),
        tuple(np.round(f0[inside], 2).tolist()),
        tuple(round(float(v), 2) if np.isfinite(v) and v > -100.0 else None for v in db[inside]),
        settings.frame_s,
    )


def pieces(total: int, settings: ProsodySettings = ProsodySettings()) -> list[tuple[int, int, int, int]]:
    """The pieces of an answer of ``total`` samples: ``(keep_start, keep_end, read_start, read_end)``
    in samples; each keeps ``piece_s`` (the last one less) and reads ``pad_s`` more either side."""
    size = int(round(settings.piece_s * SAMPLE_RATE))
    pad = int(round(settings.pad_s * SAMPLE_RATE))
    return [(a, min(a + size, total), max(0, a - pad), min(total, a + size + pad)) for a in range(0, total, size)]


def _analyse(audio, piece: tuple[int, int, int, int], settings: ProsodySettings) -> Frames:
    """One piece, read as ``piece_s + 2 pad_s`` of audio (silence before the answer's start and
    after its end): every piece then has the same length, so Praat puts its frames on one grid
    across the whole answer (frame times are centred in what is analysed)."""
    import numpy as np

    keep_a, keep_b, a, b = piece
    size = int(round(settings.piece_s * SAMPLE_RATE))
    pad = int(round(settings.pad_s * SAMPLE_RATE))
    before, after = pad - (keep_a - a), keep_a + size + pad - b
    if before or after:
        audio = np.concatenate(
            [np.zeros(before, np.float32), np.asarray(audio, np.float32), np.zeros(after, np.float32)]
        )
    keep = (keep_a / SAMPLE_RATE, keep_b / SAMPLE_RATE)
    return analyse_piece(audio, (keep_a - pad) / SAMPLE_RATE, keep=keep, settings=settings)


def analyse_answer(samples, *, settings: ProsodySettings = ProsodySettings()) -> list[Frames]:
    """The frames of a whole recorded answer, piece by piece (what :class:`VoiceStream` gives live)."""
    import numpy as np

    audio = np.asarray(samples, dtype=np.float32).reshape(-1)
    return [_analyse(audio[p[2] : p[3]], p, settings) for p in pieces(len(audio), settings)]


class VoiceStream:
    """Analyses an answer's pieces while it is being spoken.

    Feed it the audio the streaming transcriber gets (:meth:`feed` never blocks: each piece goes to
    a background thread once its audio, padding included, is in). :meth:`frames` then returns the
    frames of the answer as finally kept, reusing every piece analysed from exactly the same
    samples and analysing only what is left, normally the last piece.
    """

    def __init__(self, settings: ProsodySettings = ProsodySettings()):
        self.settings = settings
        self._audio: np.ndarray | None = None  # the audio from ``_offset`` on (what the pieces still to come read)
        self._blocks: list = []
        self._offset = 0
        self._length = 0
        self._next = 0  # index of the next piece to analyse
        self._jobs: dict[tuple[int, int, int, int], tuple[np.ndarray, Future]] = {}
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="redrill-voice")
        self._lock = threading.Lock()
        self._closed = False

    @property
    def pieces_submitted(self) -> int:
        """How many pieces were handed to the background thread so far."""
        return len(self._jobs)

    def feed(self, samples) -> None:
        """Add recorded audio (16 kHz mono float32)."""
        import numpy as np

        block = np.asarray(samples, dtype=np.float32).reshape(-1)
        s = self.settings
        size = int(round(s.piece_s * SAMPLE_RATE))
        pad = int(round(s.pad_s * SAMPLE_RATE))
        with self._lock:
            if self._closed:
                raise RuntimeError("voice analysis already finished")
            self._blocks.append(block)
            self._length += len(block)
            while self._length >= (self._next + 1) * size + pad:
                parts = ([self._audio] if self._audio is not None else []) + self._blocks
                audio = self._audio = np.concatenate(parts)
                self._blocks = []
                keep_a = self._next * size
                piece = (keep_a, keep_a + size, max(0, keep_a - pad), keep_a + size + pad)
                chunk = audio[piece[2] - self._offset : piece[3] - self._offset].copy()
                self._jobs[piece] = (chunk, self._worker.submit(_analyse, chunk, piece, s))
                self._next += 1
                # The next piece reads from its own start minus the padding: older audio can go.
                drop = self._next * size - pad - self._offset
                self._audio = audio[drop:]
                self._offset += drop

    def frames(self, final) -> list[Frames]:
        """The frames of ``final`` (the answer as stored: what was fed, perhaps trimmed or extended)."""
        import numpy as np

        audio = np.asarray(final, dtype=np.float32).reshape(-1)
        with self._lock:
            self._closed = True
            jobs = dict(self._jobs)
        out = []
        try:
            for piece in pieces(len(audio), self.settings):
                job = jobs.get(piece)
                if job is not None and np.array_equal(job[0], audio[piece[2] : piece[3]]):
                    out.append(job[1].result())
                else:
                    out.append(_analyse(audio[piece[2] : piece[3]], piece, self.settings))
        finally:
            self._worker.shutdown(wait=False, cancel_futures=True)
        return out

    def cancel(self) -> None:
        """Stop: pieces not yet analysed are dropped."""
        with self._lock:
            self._closed = True
        self._worker.shutdown(wait=False, cancel_futures=True)
