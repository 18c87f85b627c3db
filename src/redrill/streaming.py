"""Transcribing an answer while it is being spoken.

The answer is cut into chunks at pauses and each finished chunk is transcribed in a background
worker while the user keeps talking; when the answer ends only the tail is left to transcribe, so
the report appears about a second after the user stops instead of 10-15 s later.

Streaming and after-the-fact transcription give the *same* transcript because both use the same
cuts: :class:`PauseChunker` is causal (a cut depends only on audio before it, processed in fixed
frames), so feeding the audio block by block while recording finds exactly the cuts that feeding
the whole recording at once finds; each chunk is then transcribed the same way with its offset on
the answer's timeline. :func:`transcribe_answer` is the whole-answer path; :class:`StreamingTranscription`
is the live one.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from redrill.transcript import Transcript

SAMPLE_RATE = 16_000


@dataclass(frozen=True)
class ChunkerSettings:
    """Where answers are cut. Defaults suit spoken answers (see the module docstring).

    * ``frame_s`` 0.03: energy is measured in 30 ms frames.
    * ``min_pause_s`` 0.6: a cut needs at least this much silence; Whisper's own VAD pads speech by
      0.2 s, and a cut in the middle of a 0.6 s pause leaves 0.3 s either side, so no word is split.
    * ``min_chunk_s`` 4: shorter chunks give Whisper too little context and cost more per second.
      After a longer pause (``long_pause_s`` 1.2, a stall or the end of the answer) chunks of
      ``min_short_chunk_s`` 1 s are cut too, so the end of an answer is usually transcribed during
      the silence that ends it.
    * ``max_chunk_s`` 25: Whisper sees 30 s windows; a chunk that reaches this without a pause is
      cut at its quietest frame in the last ``search_s`` seconds.
    * Speech: a frame is speech when its RMS is above ``speech_ratio`` x the noise floor and above
      ``min_level``. The floor starts at ``start_floor`` (a quiet room) and follows the quietest
      frames: it drops at once to a quieter frame and rises by at most ``floor_rise`` per frame
      (about 7 % a second), so it adapts to a noisy room without being lifted by speech.
    """

    frame_s: float = 0.03
    min_pause_s: float = 0.6
    min_chunk_s: float = 4.0
    long_pause_s: float = 1.2
    min_short_chunk_s: float = 1.0
    max_chunk_s: float = 25.0
    search_s: float = 3.0
    speech_ratio: float = 4.0
    min_level: float = 0.004
    start_floor: float = 0.001
    floor_rise: float = 0.002


class PauseChunker:
    """Finds cut points (sample positions on the answer's timeline) as audio arrives."""

    def __init__(self, settings: ChunkerSettings = ChunkerSettings(), rate: int = SAMPLE_RATE):
        self.settings = settings
        self.rate = rate
        self.frame = int(round(settings.frame_s * rate))
        self._pending = None  # samples not yet making up a whole frame
        self._frames = 0  # whole frames processed
        self._levels: list[float] = []  # RMS of every frame since the last cut
        self._floor = settings.start_floor
        self._silent_run = 0  # frames of silence in a row
        self._heard_speech = False
        self.last_cut = 0  # sample position of the last cut
        self.cuts: list[int] = []

    def push(self, samples) -> list[int]:
        """Add audio (16 kHz mono float32, any block size); returns the cuts it completed."""
        import numpy as np

        block = np.asarray(samples, dtype=np.float32).reshape(-1)
        if self._pending is not None and len(self._pending):
            block = np.concatenate([self._pending, block])
        whole = len(block) // self.frame * self.frame
        self._pending = block[whole:].copy()
        if whole == 0:
            return []
        frames = block[:whole].reshape(-1, self.frame).astype(np.float64)
        levels = np.sqrt(np.mean(frames * frames, axis=1))
        new_cuts = []
        s = self.settings
        min_pause = int(round(s.min_pause_s / s.frame_s))
        min_chunk = int(round(s.min_chunk_s / s.frame_s))
        long_pause = int(round(s.long_pause_s / s.frame_s))
        min_short = int(round(s.min_short_chunk_s / s.frame_s))
        max_chunk = int(round(s.max_chunk_s / s.frame_s))
        search = int(round(s.search_s / s.frame_s))
        for level in levels.tolist():
            self._floor = min(level, self._floor * (1.0 + s.floor_rise))
            threshold = max(s.min_level, s.speech_ratio * self._floor)
            speech = level > threshold
            self._levels.append(level)
            self._frames += 1
            if speech:
                self._heard_speech = True
                self._silent_run = 0
            else:
                self._silent_run += 1
            in_chunk = len(self._levels)
            cut_frame = None
            spoken = in_chunk - self._silent_run
            if self._heard_speech and self._silent_run == min_pause and spoken >= min_chunk:
                cut_frame = in_chunk - (min_pause + 1) // 2  # the middle of the pause seen so far
            elif self._heard_speech and self._silent_run == long_pause and min_short <= spoken < min_chunk:
                cut_frame = in_chunk - (long_pause + 1) // 2
            elif in_chunk >= max_chunk:
                window = self._levels[in_chunk - search :]
                quietest = min(range(len(window)), key=window.__getitem__)
                cut_frame = in_chunk - search + quietest
            if cut_frame is not None:
                cut = self.last_cut + cut_frame * self.frame
                new_cuts.append(cut)
                self.cuts.append(cut)
                self.last_cut = cut
                self._levels = self._levels[cut_frame:]
                self._heard_speech = any(lv > threshold for lv in self._levels)
        return new_cuts


def merge(parts: list[Transcript], total_seconds: float, model: str | None) -> Transcript:
    """One answer's transcript from its chunks' transcripts (already on the answer's timeline)."""
    words = tuple(w for part in parts for w in part.words)
    speech: list[tuple[float, float]] = []
    for part in parts:
        for start, end in part.speech or ():
            if speech and start <= speech[-1][1] + 0.05:  # a region the cut went through
                speech[-1] = (speech[-1][0], max(speech[-1][1], end))
            else:
                speech.append((start, end))
    return Transcript(words=words, timed=True, audio_seconds=round(total_seconds, 3), speech=tuple(speech), model=model)


def _chunk_bounds(cuts: list[int], total: int) -> list[tuple[int, int]]:
    edges = [0] + [c for c in cuts if 0 < c < total] + [total]
    return [(a, b) for a, b in zip(edges, edges[1:]) if b > a]


def transcribe_answer(transcriber, samples, settings: ChunkerSettings = ChunkerSettings()) -> Transcript:
    """Transcribe a whole recorded answer, chunk by chunk at the same cuts streaming would make."""
    import numpy as np

    audio = np.asarray(samples, dtype=np.float32).reshape(-1)
    chunker = PauseChunker(settings)
    chunker.push(audio)
    parts = [
        transcriber.transcribe(audio[a:b], offset_s=a / SAMPLE_RATE) for a, b in _chunk_bounds(chunker.cuts, len(audio))
    ]
    return merge(parts, len(audio) / SAMPLE_RATE, getattr(transcriber, "model_name", None))


class StreamingTranscription:
    """Feed audio while recording; finished chunks are transcribed in a background thread.

    ``feed`` never blocks on transcription. ``finish`` transcribes the tail and returns the same
    Transcript that :func:`transcribe_answer` gives for the whole audio. ``before_chunk`` (optional)
    runs before each chunk is handed to the worker, e.g. to fsync the recording so far.
    ``on_chunk`` (optional) is called on the worker thread with each chunk's Transcript as soon as
    it is ready, e.g. to show the words heard so far; an error in it never breaks transcription.
    """

    def __init__(self, transcriber, settings: ChunkerSettings = ChunkerSettings(), before_chunk=None, on_chunk=None):
        import numpy as np

        self.transcriber = transcriber
        self.chunker = PauseChunker(settings)
        self._before_chunk = before_chunk
        self._on_chunk = on_chunk
        self._blocks: list = []
        self._length = 0
        self._audio = np.zeros(0, np.float32)
        self._submitted = 0  # samples up to here are handed to the worker
        self._chunks: list[tuple[int, int, object, Future]] = []  # (start, end, audio, result)
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="redrill-transcribe")
        self._lock = threading.Lock()
        self._closed = False

    @property
    def seconds(self) -> float:
        return self._length / SAMPLE_RATE

    @property
    def chunks_submitted(self) -> int:
        return len(self._chunks)

    def _audio_until(self, end: int):
        import numpy as np

        if self._blocks:
            self._audio = np.concatenate([self._audio, *self._blocks])
            self._blocks = []
        return self._audio[:end]

    def _submit(self, start: int, end: int) -> None:
        chunk = self._audio_until(end)[start:end].copy()
        if self._before_chunk is not None:
            self._before_chunk()
        future = self._worker.submit(self._transcribe_chunk, chunk, start / SAMPLE_RATE)
        self._chunks.append((start, end, chunk, future))
        self._submitted = end

    def _transcribe_chunk(self, chunk, offset_s: float):
        part = self.transcriber.transcribe(chunk, offset_s=offset_s)
        if self._on_chunk is not None:
            try:
                self._on_chunk(part)
            except Exception:  # a display hook must never lose the answer's transcript
                pass
        return part

    def feed(self, samples) -> None:
        """Add recorded audio (16 kHz mono float32)."""
        import numpy as np

        block = np.asarray(samples, dtype=np.float32).reshape(-1)
        with self._lock:
            if self._closed:
                raise RuntimeError("streaming transcription already finished")
            self._blocks.append(block)
            self._length += len(block)
            for cut in self.chunker.push(block):
                if cut > self._submitted:
                    self._submit(self._submitted, cut)

    def settle(self, samples, *, reach_s: float = 1.0):
        """The answer to store, given the recorder's trimmed answer ``samples`` (a prefix of what was fed).

        When the last cut lies just past the trimmed end (a cut in the silence after the last word,
        at most ``reach_s`` later), the answer is extended to that cut: then the chunk streamed
        during the silence is exactly the answer's last chunk, and nothing is left to transcribe
        when the answer ends.
        """
        import numpy as np

        samples = np.asarray(samples, dtype=np.float32).reshape(-1)
        with self._lock:
            fed = self._audio_until(self._length)
        n, cut = len(samples), self.chunker.last_cut
        if n < cut <= min(len(fed), n + int(reach_s * SAMPLE_RATE)) and np.array_equal(fed[:n], samples):
            return fed[:cut].copy()
        return samples

    def finish(self, final=None, on_wait=None) -> Transcript:
        """Transcribe what is left, wait for every chunk, and return the answer's transcript.

        ``final`` is the audio as finally kept (e.g. trimmed after the last word); by default, all
        that was fed. The result is what :func:`transcribe_answer` gives for ``final``: its chunks
        are cut again, every chunk that was already transcribed with exactly the same samples is
        reused, and only the rest (normally just the tail) is transcribed now.

        ``on_wait`` (optional) is called about ten times a second while waiting, with the number
        of chunks still to transcribe and the seconds of audio they hold, so the caller can show
        what is left.
        """
        import numpy as np

        with self._lock:
            self._closed = True
            fed = self._audio_until(self._length)
        audio = fed if final is None else np.asarray(final, dtype=np.float32).reshape(-1)
        chunker = PauseChunker(self.chunker.settings)
        chunker.push(audio)
        done = {(a, b): (chunk, future) for a, b, chunk, future in self._chunks}
        try:
            pending = []
            for a, b in _chunk_bounds(chunker.cuts, len(audio)):
                reuse = done.get((a, b))
                if reuse is not None and np.array_equal(reuse[0], audio[a:b]):
                    pending.append(reuse[1])
                else:
                    pending.append(self._worker.submit(self.transcriber.transcribe, audio[a:b].copy(), offset_s=a / SAMPLE_RATE))
            if on_wait is not None:
                from concurrent.futures import wait

                bounds = _chunk_bounds(chunker.cuts, len(audio))
                while True:
                    left = [(b - a) for (a, b), f in zip(bounds, pending) if not f.done()]
                    on_wait(len(left), sum(left) / SAMPLE_RATE)
                    if not left:
                        break
                    wait(pending, timeout=0.1)
            parts = [f.result() for f in pending]
        finally:
            self._worker.shutdown(wait=True, cancel_futures=True)
        return merge(parts, len(audio) / SAMPLE_RATE, getattr(self.transcriber, "model_name", None))

    def cancel(self) -> None:
        """Stop: pending chunks are dropped (the recording itself is kept by the caller)."""
        with self._lock:
            self._closed = True
        for _, _, _, f in self._chunks:
            f.cancel()
        self._worker.shutdown(wait=False, cancel_futures=True)
