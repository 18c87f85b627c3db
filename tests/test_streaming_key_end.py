"""Ending an answer with a key: what is left to transcribe when the key comes.

At each pause point the streaming transcriber starts the one piece an answer ending right there
needs (the open chunk so far, one Whisper window), so a key pressed once the user has fallen silent
waits for at most that window; an answer ended mid-speech adds only the words since the last pause.
"""

from __future__ import annotations

import threading

import numpy as np

from redrill.adapters import Recognizer
from redrill.transcript import Transcript, Word
from redrill.transcription.streaming import StreamingTranscription
from test_streaming import signal

RATE = 16000


class OrderedTranscriber:
    """Notes the pieces in the order the worker takes them; blocks on the first until released."""

    def __init__(self):
        self.calls: list[tuple[float, float]] = []
        self.release = threading.Event()

    def transcribe(self, samples, *, offset_s=0.0):
        self.calls.append((round(offset_s, 2), round(offset_s + len(samples) / RATE, 2)))
        if len(self.calls) == 1:
            self.release.wait(10)
        return Transcript(
            words=(Word("x", offset_s, offset_s + 0.1, 0.9),), timed=True, audio_seconds=len(samples) / RATE
        )


def stream_through(fake: Recognizer) -> StreamingTranscription:
    """Streaming transcription over ``fake`` (typed as the recognizer it stands for)."""
    return StreamingTranscription(fake)


def test_each_pause_point_starts_the_one_piece_an_answer_ending_there_needs():
    samples, _ = signal(
        [("pause", 0.3), ("speech", 3.0), ("pause", 1.0), ("speech", 3.0), ("pause", 1.0), ("speech", 2.0)]
    )
    fake = OrderedTranscriber()
    stream = stream_through(fake)
    for i in range(0, len(samples), 1600):
        stream.feed(samples[i : i + 1600])
    first_pause, second_pause = stream.chunker.pauses[:2]
    fake.release.set()
    stream.finish(samples)
    a, b = round(first_pause / RATE, 2), round(second_pause / RATE, 2)
    # Each pause point: the open chunk so far, whole. The answer went on speaking after the second,
    # so it is split there and only the words since that pause are transcribed at the end.
    assert fake.calls == [(0.0, a), (0.0, b), (b, round(len(samples) / RATE, 2))], fake.calls
    assert (a, b) not in fake.calls  # the piece since the previous pause is needed by no ending


def test_a_key_after_the_user_fell_silent_leaves_at_most_one_piece():
    """The key comes 1.0 s after the last word: the pause point 0.6 s into that silence has already
    started the one piece the answer still needs."""
    samples, _ = signal([("pause", 0.3), ("speech", 3.0), ("pause", 1.0), ("speech", 3.0), ("pause", 1.0)])
    fake = OrderedTranscriber()
    fake.release.set()
    stream = stream_through(fake)
    for i in range(0, len(samples), 1600):
        stream.feed(samples[i : i + 1600])
    final = stream.settle(samples[: int((0.3 + 3.0 + 1.0 + 3.0 + 0.25) * RATE)])
    left = []
    stream.finish(final, on_wait=lambda pieces, seconds: left.append(pieces))
    assert max(left) <= 1
    assert len(final) == stream.chunker.pauses[-1]  # settled to the pause point: the pieces streamed are reused
    assert np.array_equal(final, samples[: len(final)])
