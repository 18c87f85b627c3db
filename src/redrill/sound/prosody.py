"""Measuring how an answer sounded: Praat's pitch and intensity, piece by piece, live or afterwards.

This is the audio side of the voice figures; :mod:`redrill.scoring.voice` turns the frames measured
here, with the transcript's word timings, into the figures (pure, no audio).

* :func:`analyse_piece` runs Praat's pitch tracker (the autocorrelation method of Boersma 1993,
  through praat-parselmouth) and Praat's intensity contour over one piece of audio, sampled every
  :data:`FRAME_S` seconds on the answer's timeline.
* The **pieces** are the stretches between the pause points and cuts of the streaming chunker
  (:class:`~redrill.transcription.streaming.PauseChunker`): each ends in the middle of a pause, so no
  word is split. The chunker is causal, so the pieces of an answer are the same whether it is fed
  block by block while being spoken or all at once afterwards, and Praat gives the same frames for
  the same samples: :class:`VoiceStream` (live, each piece analysed in a background thread as soon
  as it is complete) and :func:`analyse_answer` (a stored recording: ``rescore``, imported files,
  answers finished later) give *identical* figures.
* :func:`measure_voice` is both steps on a whole recording.

Cost: about 0.1 s of one core per minute of audio (Praat's pitch tracker is nearly all of it).
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor

from redrill.scoring.metrics import Voice
from redrill.scoring.voice import SILENT_DB, Frames, VoiceSettings, voice_figures
from redrill.sound import SAMPLE_RATE
from redrill.transcript import Transcript

__all__ = ["FRAME_S", "VoiceStream", "analyse_answer", "analyse_piece", "measure_voice", "voice_pieces"]

# 20 ms frames: enough for spread statistics over whole answers, and half the cost of Praat's
# standard 10 ms step for a 75 Hz floor (the pitch tracker is most of the cost).
FRAME_S = 0.02
# Praat's intensity analysis window is 3.2 / minimum pitch; 100 Hz gives a 32 ms window, short
# enough to follow the loudness of single words.
INTENSITY_MIN_PITCH_HZ = 100.0


def analyse_piece(samples, offset_s: float = 0.0, *, settings: VoiceSettings = VoiceSettings()) -> Frames:
    """Pitch and intensity frames of one piece of 16 kHz mono audio that starts at ``offset_s``.

    Pure: no I/O, no state. A piece shorter than Praat's pitch window gives no frames.
    """
    import numpy as np
    import parselmouth

    audio = np.asarray(samples, dtype=np.float64).reshape(-1)
    start = float(offset_s)
    end = start + len(audio) / SAMPLE_RATE
    # Praat needs three periods of the pitch floor (plus a little) for one pitch frame.
    if len(audio) < int(3.5 / settings.pitch_floor_hz * SAMPLE_RATE) or not np.any(audio):
        return Frames(start, end, step_s=FRAME_S)
    sound = parselmouth.Sound(audio, sampling_frequency=SAMPLE_RATE)
    pitch = sound.to_pitch_ac(
        time_step=FRAME_S, pitch_floor=settings.pitch_floor_hz, pitch_ceiling=settings.pitch_ceiling_hz
    )
    times = np.asarray(pitch.xs(), dtype=np.float64)
    f0 = np.nan_to_num(np.asarray(pitch.selected_array["frequency"], dtype=np.float64))
    try:
        intensity = sound.to_intensity(minimum_pitch=INTENSITY_MIN_PITCH_HZ, time_step=FRAME_S, subtract_mean=False)
        ixs = np.asarray(intensity.xs(), dtype=np.float64)
        ivals = np.asarray(intensity.values, dtype=np.float64).reshape(-1)
        db = np.interp(times, ixs, ivals) if len(ixs) else np.full(len(times), SILENT_DB)
    except parselmouth.PraatError:  # too short for the intensity window
        db = np.full(len(times), SILENT_DB)
    db = np.where(np.isfinite(db) & (db > SILENT_DB), db, SILENT_DB)
    return Frames(
        start,
        end,
        tuple(np.round(times + start, 4).tolist()),
        tuple(np.round(f0, 2).tolist()),
        tuple(np.round(db, 2).tolist()),
        FRAME_S,
    )


def _marks(audio) -> list[int]:
    """Every cut and pause point the streaming chunker finds in ``audio`` (sample positions)."""
    from redrill.transcription.streaming import PauseChunker

    return [pos for _, pos in PauseChunker().push(audio)]


def voice_pieces(samples) -> list[tuple[int, int]]:
    """The pieces ``[start, end)`` (samples) an answer is analysed in: between its pause points and cuts."""
    import numpy as np

    audio = np.asarray(samples, dtype=np.float32).reshape(-1)
    edges = [0, *(m for m in _marks(audio) if 0 < m < len(audio)), len(audio)]
    return [(a, b) for a, b in zip(edges, edges[1:]) if b > a]


def analyse_answer(samples, *, settings: VoiceSettings = VoiceSettings()) -> list[Frames]:
    """The frames of a whole recorded answer, piece by piece (what :class:`VoiceStream` gives live)."""
    import numpy as np

    audio = np.asarray(samples, dtype=np.float32).reshape(-1)
    return [analyse_piece(audio[a:b], a / SAMPLE_RATE, settings=settings) for a, b in voice_pieces(audio)]


def measure_voice(
    samples, transcript: Transcript, *, lead_s: float | None = 0.0, settings: VoiceSettings = VoiceSettings()
) -> Voice:
    """The voice figures of a whole recording (16 kHz mono) with its transcript."""
    return voice_figures(analyse_answer(samples, settings=settings), transcript, lead_s=lead_s, settings=settings)


class VoiceStream:
    """Analyses an answer's pieces while it is being spoken.

    Feed it the same audio as the streaming transcriber (:meth:`feed`, never blocks: each complete
    piece goes to a background thread). :meth:`frames` then returns the frames of the answer as
    finally kept, reusing every piece analysed from exactly the same samples and analysing only
    what is left, normally the words since the last pause: a few milliseconds.
    """

    def __init__(self, settings: VoiceSettings = VoiceSettings()):
        from redrill.transcription.streaming import PauseChunker

        self.settings = settings
        self._chunker = PauseChunker()
        self._blocks: list = []  # audio since ``_from`` (the last mark)
        self._from = 0
        self._length = 0
        self._jobs: dict[tuple[int, int], tuple[object, Future]] = {}
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="redrill-voice")
        self._lock = threading.Lock()
        self._closed = False

    def feed(self, samples) -> None:
        """Add recorded audio (16 kHz mono float32)."""
        import numpy as np

        block = np.asarray(samples, dtype=np.float32).reshape(-1)
        with self._lock:
            if self._closed:
                raise RuntimeError("voice analysis already finished")
            self._blocks.append(block)
            self._length += len(block)
            for _, pos in self._chunker.push(block):
                if pos <= self._from:
                    continue
                audio = np.concatenate(self._blocks)
                piece = audio[: pos - self._from].copy()
                start = self._from
                self._jobs[(start, pos)] = (
                    piece,
                    self._worker.submit(analyse_piece, piece, start / SAMPLE_RATE, settings=self.settings),
                )
                self._blocks = [audio[pos - self._from :]]
                self._from = pos

    def frames(self, final) -> list[Frames]:
        """The frames of ``final`` (the answer as stored: what was fed, perhaps trimmed or extended)."""
        import numpy as np

        audio = np.asarray(final, dtype=np.float32).reshape(-1)
        with self._lock:
            self._closed = True
            jobs = dict(self._jobs)
        out = []
        try:
            for a, b in voice_pieces(audio):
                job = jobs.get((a, b))
                if job is not None and np.array_equal(job[0], audio[a:b]):
                    out.append(job[1].result())
                else:
                    out.append(analyse_piece(audio[a:b], a / SAMPLE_RATE, settings=self.settings))
        finally:
            self._worker.shutdown(wait=False, cancel_futures=True)
        return out

    def cancel(self) -> None:
        """Stop: pieces not yet analysed are dropped."""
        with self._lock:
            self._closed = True
        self._worker.shutdown(wait=False, cancel_futures=True)
