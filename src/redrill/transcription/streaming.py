"""Transcribing an answer while it is being spoken, at the cost of transcribing it once.

The answer is cut into **chunks** of about 22-29 s at pauses (:class:`PauseChunker`): long enough
that a 2-minute answer costs about as many Whisper windows as transcribing the whole file at once,
and each ending in a pause so that no word is split. Inside the chunk still being spoken, every
pause of at least 0.6 s is a **pause point**, and the open chunk up to it is transcribed
speculatively in the background while the user goes on. The end of the answer is where streaming
earns its keep: an answer that ends in silence ends at a pause point (see ``settle``), so its open
chunk was transcribed already and nothing is left; one that ends mid-speech (a key press) has its
open chunk split at the last pause point, and only the words since that pause are left.

Streaming and after-the-fact transcription give the *same* transcript because both use the same
pieces: the chunker is causal (its cuts and pause points depend only on audio before them,
processed in fixed frames), :func:`answer_pieces` splits the open chunk by a rule of the audio
alone, and each piece is transcribed the same way with its offset on the answer's timeline. A
speculative result is used only when its samples are exactly the final piece's samples.
:func:`transcribe_answer` is the whole-answer path; :class:`StreamingTranscription` the live one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from redrill.sound import SAMPLE_RATE
from redrill.transcript import Transcript

if TYPE_CHECKING:  # numpy loads with the first audio, not at import
    import numpy as np


@dataclass(frozen=True)
class ChunkerSettings:
    """Where answers are cut. Defaults suit spoken answers (see the module docstring).

    * ``frame_s`` 0.03: energy is measured in 30 ms frames.
    * ``min_pause_s`` 0.6: a pause point or cut needs at least this much silence; Whisper's own VAD
      pads speech by 0.2 s, and a cut in the middle of a 0.6 s pause leaves 0.3 s either side, so no
      word is split.
    * ``min_chunk_s`` 22: a chunk is closed at the first pause point after this much audio. Each
      chunk costs one 30 s Whisper window whatever its length, so short chunks multiply the work.
    * ``max_chunk_s`` 29.5: a chunk that reaches this without a pause is cut at its quietest frame in
      the last ``search_s`` seconds (Whisper sees 30 s windows).
    * Speech: a frame is speech when its RMS is above ``speech_ratio`` x the noise floor and above
      ``min_level``. The floor starts at ``start_floor`` (a quiet room) and follows the quietest
      frames: it drops at once to a quieter frame and rises by at most ``floor_rise`` per frame
      (about 7 % a second), so it adapts to a noisy room without being lifted by speech.
    """

    frame_s: float = 0.03
    min_pause_s: float = 0.6
    min_chunk_s: float = 22.0
    max_chunk_s: float = 29.5
    search_s: float = 3.0
    speech_ratio: float = 4.0
    min_level: float = 0.004
    start_floor: float = 0.001
    floor_rise: float = 0.002


class PauseChunker:
    """Finds cuts and pause points (sample positions on the answer's timeline) as audio arrives.

    ``cuts`` close chunks for good; ``pauses`` are the pause points of the chunk still open (since
    the last cut). :meth:`push` returns the events it completed, in order: ``("pause", pos)`` or
    ``("cut", pos)`` (a cut at a pause is reported as a cut only).
    """

    def __init__(self, settings: ChunkerSettings = ChunkerSettings(), rate: int = SAMPLE_RATE):
        self.settings = settings
        self.rate = rate
        self.frame = int(round(settings.frame_s * rate))
        self._pending = None  # samples not yet making up a whole frame
        self._levels: list[float] = []  # RMS of every frame since the last cut
        self._floor = settings.start_floor
        self._silent_run = 0  # frames of silence in a row
        self._heard_speech = False  # speech since the last cut or pause point
        self.last_cut = 0
        self.cuts: list[int] = []
        self.pauses: list[int] = []

    def push(self, samples) -> list[tuple[str, int]]:
        """Add audio (16 kHz mono float32, any block size); returns the events it completed."""
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
        events: list[tuple[str, int]] = []
        s = self.settings
        min_pause = int(round(s.min_pause_s / s.frame_s))
        min_chunk = int(round(s.min_chunk_s / s.frame_s))
        max_chunk = int(round(s.max_chunk_s / s.frame_s))
        search = int(round(s.search_s / s.frame_s))
        for level in levels.tolist():
            self._floor = min(level, self._floor * (1.0 + s.floor_rise))
            threshold = max(s.min_level, s.speech_ratio * self._floor)
            self._levels.append(level)
            if level > threshold:
                self._heard_speech = True
                self._silent_run = 0
            else:
                self._silent_run += 1
            in_chunk = len(self._levels)
            if self._heard_speech and self._silent_run == min_pause:
                at = in_chunk - (min_pause + 1) // 2  # the middle of the pause seen so far
                self._heard_speech = False
                if in_chunk - self._silent_run >= min_chunk:
                    self._cut(at, threshold, events)
                else:
                    pos = self.last_cut + at * self.frame
                    self.pauses.append(pos)
                    events.append(("pause", pos))
            elif in_chunk >= max_chunk:
                window = self._levels[in_chunk - search :]
                quietest = min(range(len(window)), key=window.__getitem__)
                self._cut(in_chunk - search + quietest, threshold, events)
        return events

    @property
    def ends_at_pause_point(self) -> bool:
        """Whether the audio so far ends with the silence that places a pause point: at least half
        of ``min_pause_s`` after the last speech, and less than all of it (then the pause point lies
        inside that silence). An answer cut at a pause point ends exactly so."""
        min_pause = int(round(self.settings.min_pause_s / self.settings.frame_s))
        return (min_pause + 1) // 2 <= self._silent_run < min_pause

    def _cut(self, at_frame: int, threshold: float, events: list) -> None:
        cut = self.last_cut + at_frame * self.frame
        self.cuts.append(cut)
        self.last_cut = cut
        self.pauses = []
        self._levels = self._levels[at_frame:]
        self._heard_speech = any(lv > threshold for lv in self._levels)
        events.append(("cut", cut))


def answer_pieces(chunker: PauseChunker, total: int) -> list[tuple[int, int]]:
    """The pieces an answer of ``total`` samples is transcribed in, once ``chunker`` has seen it all.

    The closed chunks, then the open chunk. An answer that ends where a pause point goes (half a
    pause of silence after the last word, where :meth:`StreamingTranscription.settle` ends a drilled
    answer) keeps its open chunk whole: that piece was transcribed while the user fell silent, and
    one Whisper window costs less than two. Otherwise (the answer ended mid-speech) the open chunk is
    split at its last pause point: the piece up to it was transcribed while the user spoke, and only
    what came after the last pause is left.
    """
    edges = [0] + [c for c in chunker.cuts if 0 < c < total]
    open_start = edges[-1]
    inside = [p for p in chunker.pauses if open_start < p < total]
    if inside and not chunker.ends_at_pause_point:
        edges.append(inside[-1])
    edges.append(total)
    return [(a, b) for a, b in zip(edges, edges[1:]) if b > a]


def merge(parts: list[Transcript], total_seconds: float, model: str | None) -> Transcript:
    """One answer's transcript from its pieces' transcripts (already on the answer's timeline).

    What the audio search heard (``audio_disfluencies``) is kept when every piece was searched
    (:class:`redrill.pipeline.Searched`); otherwise it is left to be done (None).
    """
    words = tuple(w for part in parts for w in part.words)
    searched = [p.audio_disfluencies for p in parts]
    heard = None if any(h is None for h in searched) else tuple(d for h in searched for d in h or ())
    speech: list[tuple[float, float]] = []
    for part in parts:
        for start, end in part.speech or ():
            if speech and start <= speech[-1][1] + 0.05:  # a region the cut went through
                speech[-1] = (speech[-1][0], max(speech[-1][1], end))
            else:
                speech.append((start, end))
    return Transcript(
        words=words,
        timed=True,
        audio_seconds=round(total_seconds, 3),
        speech=tuple(speech),
        model=model,
        audio_disfluencies=heard if parts else None,
    )


def transcribe_answer(
    transcriber,
    samples,
    settings: ChunkerSettings = ChunkerSettings(),
    progress: Callable[[float, float], None] | None = None,
    worker: Executor | None = None,
) -> Transcript:
    """Transcribe a whole recorded answer, piece by piece at the same cuts streaming would make.

    ``progress(done_seconds, total_seconds)`` is called before the first piece and after each one.
    A transcriber that works in two halves (``hear`` the words, then ``search`` the piece's audio
    with no model, as :class:`redrill.pipeline.Searched` does) has each piece searched on a worker
    thread (``worker``, or one of its own) while the model hears the next piece: the recognizer
    leaves a core partly idle between its steps, and the result is the same as in one go.
    """
    import numpy as np

    audio = np.asarray(samples, dtype=np.float32).reshape(-1)
    chunker = PauseChunker(settings)
    chunker.push(audio)
    total = len(audio) / SAMPLE_RATE
    pieces = answer_pieces(chunker, len(audio))
    model = getattr(transcriber, "model_name", None)
    if progress is not None:
        progress(0.0, total)
    hear, search = getattr(transcriber, "hear", None), getattr(transcriber, "search", None)
    if hear is None or search is None:
        parts = []
        for a, b in pieces:
            parts.append(transcriber.transcribe(audio[a:b], offset_s=a / SAMPLE_RATE))
            if progress is not None:
                progress(b / SAMPLE_RATE, total)
        return merge(parts, total, model)

    own = worker is None
    pool: Executor = (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="redrill-search") if worker is None else worker
    )
    searched: list[Future] = []
    try:
        for a, b in pieces:
            piece, offset_s = audio[a:b], a / SAMPLE_RATE
            searched.append(pool.submit(search, hear(piece, offset_s=offset_s), piece, offset_s=offset_s))
            if progress is not None:
                progress(b / SAMPLE_RATE, total)
        return merge([done.result() for done in searched], total, model)
    finally:
        for pending in searched:  # after a failure or Ctrl-C nothing waits for searches not yet started
            pending.cancel()
        if own:
            pool.shutdown(wait=True)


class StreamingTranscription:
    """Feed audio while recording; pieces are transcribed in a background thread.

    ``feed`` never blocks on transcription. At each cut the closed chunk is transcribed; at each
    pause point, the open chunk so far and the piece since the previous pause point are transcribed
    speculatively (older speculative work that has not started yet is dropped). ``finish`` returns
    the same Transcript that :func:`transcribe_answer` gives for the final audio, reusing every piece
    already transcribed from exactly the same samples. ``before_chunk`` (optional) runs before each
    piece is handed to the worker, e.g. to fsync the recording so far. ``on_chunk(part, offset_s)``
    (optional) is called on the worker thread with each closed chunk's or open chunk's transcript
    as soon as it is ready (a later one with the same offset replaces an earlier one), e.g. to show
    the words heard so far; an error in it never breaks transcription.
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
        self._jobs: dict[tuple[int, int], tuple[np.ndarray, Future]] = {}
        self._speculative: list[tuple[int, int]] = []  # bounds of not-yet-needed work, oldest first
        self._submitted = 0
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="redrill-transcribe")
        self._lock = threading.Lock()
        self._closed = False

    @property
    def seconds(self) -> float:
        return self._length / SAMPLE_RATE

    @property
    def chunks_submitted(self) -> int:
        """How many pieces were handed to the worker so far (including speculative ones)."""
        return self._submitted

    def _audio_until(self, end: int):
        import numpy as np

        if self._blocks:
            self._audio = np.concatenate([self._audio, *self._blocks])
            self._blocks = []
        return self._audio[:end]

    def _transcribe(self, chunk, offset_s: float, notify: bool):
        part = self.transcriber.transcribe(chunk, offset_s=offset_s)
        if notify and self._on_chunk is not None:
            try:
                self._on_chunk(part, offset_s)
            except Exception:  # a display hook must never lose the answer's transcript
                pass
        return part

    def _submit(self, start: int, end: int, audio=None, notify: bool = True):
        if (start, end) in self._jobs:
            return self._jobs[(start, end)]
        chunk = (self._audio_until(end) if audio is None else audio)[start:end].copy()
        if self._before_chunk is not None and audio is None:
            self._before_chunk()
        future = self._worker.submit(self._transcribe, chunk, start / SAMPLE_RATE, notify)
        self._jobs[(start, end)] = (chunk, future)
        self._submitted += 1
        return chunk, future

    def _drop_stale(self) -> None:
        """Cancel speculative pieces that have not started: a newer pause point or cut makes them unneeded."""
        for bounds in self._speculative:
            chunk_future = self._jobs.get(bounds)
            if chunk_future is not None and chunk_future[1].cancel():
                del self._jobs[bounds]
        self._speculative = []

    def feed(self, samples) -> None:
        """Add recorded audio (16 kHz mono float32)."""
        import numpy as np

        block = np.asarray(samples, dtype=np.float32).reshape(-1)
        with self._lock:
            if self._closed:
                raise RuntimeError("streaming transcription already finished")
            self._blocks.append(block)
            self._length += len(block)
            open_start = self.chunker.last_cut
            for kind, pos in self.chunker.push(block):
                # An answer ending at this pause point needs the open chunk up to it; one going on
                # past it needs that too, and the rest: earlier speculation is no longer needed.
                self._drop_stale()
                self._submit(open_start, pos)
                if kind == "cut":
                    open_start = pos
                else:
                    self._speculative = [(open_start, pos)]

    def settle(self, samples, *, reach_s: float = 1.0):
        """The answer to store, given the recorder's trimmed answer ``samples`` (a prefix of what was fed).

        When the last cut or pause point lies just past the trimmed end (in the silence after the
        last word, at most ``reach_s`` later), the answer is extended to it: then the pieces streamed
        during that silence are exactly the answer's last pieces, and nothing is left to transcribe.
        """
        import numpy as np

        samples = np.asarray(samples, dtype=np.float32).reshape(-1)
        with self._lock:
            fed = self._audio_until(self._length)
        n = len(samples)
        marks = [self.chunker.last_cut, *self.chunker.pauses]
        mark = max(marks)
        if n < mark <= min(len(fed), n + int(reach_s * SAMPLE_RATE)) and np.array_equal(fed[:n], samples):
            return fed[:mark].copy()
        return samples

    def pending_seconds(self) -> float:
        """Seconds of audio handed to the worker and not transcribed yet (for a progress display)."""
        with self._lock:
            return sum((b - a) for (a, b), (_, f) in self._jobs.items() if not f.done()) / SAMPLE_RATE

    def finish(self, final=None, on_wait=None) -> Transcript:
        """Transcribe what is left, wait for it, and return the answer's transcript.

        ``final`` is the audio as finally kept (e.g. trimmed after the last word); by default, all
        that was fed. The result is what :func:`transcribe_answer` gives for ``final``.
        ``on_wait(pieces_left, seconds_left)`` (optional) is called about ten times a second while
        waiting, so the caller can show what is left.
        """
        import numpy as np

        with self._lock:
            self._closed = True
            fed = self._audio_until(self._length)
            audio = fed if final is None else np.asarray(final, dtype=np.float32).reshape(-1)
            chunker = PauseChunker(self.chunker.settings)
            chunker.push(audio)
            needed = answer_pieces(chunker, len(audio))
            try:
                pending = []
                for a, b in needed:
                    job = self._jobs.get((a, b))
                    if job is not None and not job[1].cancelled() and np.array_equal(job[0], audio[a:b]):
                        pending.append(job[1])
                    else:
                        self._jobs.pop((a, b), None)
                        pending.append(self._submit(a, b, audio, notify=False)[1])
                for bounds, (_, future) in self._jobs.items():  # speculation nobody needs now
                    if bounds not in needed:
                        future.cancel()
            except BaseException:
                self._worker.shutdown(wait=False, cancel_futures=True)
                raise
        try:
            if on_wait is not None:
                from concurrent.futures import wait

                while True:
                    left = [(b - a) for (a, b), f in zip(needed, pending) if not f.done()]
                    on_wait(len(left), sum(left) / SAMPLE_RATE)
                    if not left:
                        break
                    wait(pending, timeout=0.1)
            parts = [f.result() for f in pending]
        finally:
            self._worker.shutdown(wait=True, cancel_futures=True)
        return merge(parts, len(audio) / SAMPLE_RATE, getattr(self.transcriber, "model_name", None))

    def cancel(self) -> None:
        """Stop: pending pieces are dropped (the recording itself is kept by the caller)."""
        with self._lock:
            self._closed = True
            futures = [f for _, f in self._jobs.values()]
        for f in futures:
            f.cancel()
        self._worker.shutdown(wait=False, cancel_futures=True)
