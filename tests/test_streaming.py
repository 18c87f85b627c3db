"""Streaming transcription: causal cuts at pauses, and the same transcript as whole-answer."""

from __future__ import annotations

import dataclasses
import threading
from typing import TYPE_CHECKING

import numpy as np
import pytest

from redrill.transcript import AudioDisfluency, Transcript, Word
from redrill.transcription.streaming import (
    ChunkerSettings,
    PauseChunker,
    StreamingTranscription,
    answer_pieces,
    merge,
    transcribe_answer,
)

if TYPE_CHECKING:
    from redrill.transcription.whisper import Transcriber

RATE = 16000


def tone(seconds, level=0.2, freq=220.0):
    t = np.arange(int(seconds * RATE)) / RATE
    return (level * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def silence(seconds, noise=0.0005, seed=0):
    return (np.random.default_rng(seed).standard_normal(int(seconds * RATE)) * noise).astype(np.float32)


def signal(pattern):
    """pattern: [("speech", s) | ("pause", s), ...] -> samples, and each pause's (start, end)."""
    parts, pauses, at = [], [], 0.0
    for i, (kind, seconds) in enumerate(pattern):
        parts.append(tone(seconds) if kind == "speech" else silence(seconds, seed=i))
        if kind == "pause":
            pauses.append((at, at + seconds))
        at += seconds
    return np.concatenate(parts), pauses


def marks_in_blocks(samples, sizes, settings=ChunkerSettings()):
    chunker = PauseChunker(settings)
    rng = np.random.default_rng(1)
    events, i = [], 0
    while i < len(samples):
        n = int(rng.choice(sizes))
        events += chunker.push(samples[i : i + n])
        i += n
    return events


def test_pauses_mark_points_and_close_a_chunk_only_once_it_is_long_enough():
    samples, pauses = signal(
        [
            ("pause", 0.5),
            ("speech", 5.0),
            ("pause", 0.3),
            ("speech", 2.0),
            ("pause", 1.0),
            ("speech", 16.0),
            ("pause", 2.0),
            ("speech", 5.0),
            ("pause", 0.8),
        ]
    )
    chunker = PauseChunker()
    events = chunker.push(samples)
    # the 0.3 s pause is too short; the 1.0 s pause comes 7.5 s in: a pause point (cut 0.3 s into
    # it); the 2.0 s pause comes after 23.5 s of audio: it closes the chunk; the final 0.8 s pause
    # is a pause point of the new chunk
    assert [kind for kind, _ in events] == ["pause", "cut", "pause"]
    for (_, at), (start, end) in zip(events, (pauses[2], pauses[3], pauses[4])):
        assert start < at / RATE < end
        assert at / RATE == pytest.approx(start + 0.3, abs=0.04)
    assert chunker.cuts == [events[1][1]] and chunker.pauses == [events[2][1]]


@pytest.mark.slow
def test_marks_do_not_depend_on_block_sizes():
    samples, _ = signal(
        [
            ("speech", 4.5),
            ("pause", 0.9),
            ("speech", 6.0),
            ("pause", 1.4),
            ("speech", 14.2),
            ("pause", 0.7),
            ("speech", 40.0),
            ("pause", 3),
        ]
    )
    whole = PauseChunker()
    events = whole.push(samples)
    assert [k for k, _ in events].count("cut") >= 2  # a pause after 22 s and a forced cut in the 40 s stretch
    assert [k for k, _ in events].count("pause") >= 2
    for sizes in ([1], [160, 1024, 4800], [7, 333, 1600, 17]):
        if sizes == [1]:
            few = samples[: RATE * 6]
            ref = PauseChunker()
            assert marks_in_blocks(few, sizes) == ref.push(few)
        else:
            assert marks_in_blocks(samples, sizes) == events


def test_long_speech_without_pause_is_cut_before_whisper_window():
    samples, _ = signal([("speech", 62.0)])
    chunker = PauseChunker()
    chunker.push(samples)
    bounds = [0] + chunker.cuts + [len(samples)]
    assert max(b - a for a, b in zip(bounds, bounds[1:])) <= ChunkerSettings().max_chunk_s * RATE


def test_the_open_chunk_is_split_at_its_last_pause_point():
    samples, pauses = signal([("speech", 5.0), ("pause", 1.0), ("speech", 5.0), ("pause", 1.0), ("speech", 3.0)])
    chunker = PauseChunker()
    chunker.push(samples)
    pieces = answer_pieces(chunker, len(samples))
    assert len(pieces) == 2 and pieces[0][0] == 0 and pieces[-1][1] == len(samples)
    assert pauses[1][0] < pieces[1][0] / RATE < pauses[1][1]


def test_an_answer_settled_at_a_pause_point_keeps_its_open_chunk_whole():
    """One Whisper window for the open chunk, not two: it was transcribed as the user fell silent."""
    samples, pauses = signal(
        [("speech", 5.0), ("pause", 1.0), ("speech", 5.0), ("pause", 1.0), ("speech", 3.0), ("pause", 1.0)]
    )
    chunker = PauseChunker()
    chunker.push(samples)
    end = chunker.pauses[-1]  # where settle() ends the answer: half a pause after the last word
    assert pauses[2][0] < end / RATE < pauses[2][1]
    settled = PauseChunker()
    settled.push(samples[:end])
    assert settled.ends_at_pause_point
    assert answer_pieces(settled, end) == [(0, end)]
    # a trailing silence long enough to hold its own pause point splits there (the rest is silence)
    assert not chunker.ends_at_pause_point
    assert answer_pieces(chunker, len(samples)) == [(0, end), (end, len(samples))]


class RecordingTranscriber:
    """A fake transcriber: one word per chunk at the chunk's start, and a log of calls (the
    streaming side of :class:`redrill.transcription.whisper.HintedTranscriber`)."""

    model_name = "fake"

    def __init__(self) -> None:
        self.calls: list[tuple[float, int]] = []

    def transcribe(self, samples16k: np.ndarray, *, offset_s: float = 0.0) -> Transcript:
        self.calls.append((round(offset_s, 3), len(samples16k)))
        words = (Word(f"w{len(self.calls)}", offset_s + 0.1, offset_s + 0.3),)
        seconds = len(samples16k) / RATE
        return Transcript(words, True, seconds, ((offset_s + 0.05, offset_s + seconds - 0.05),), "fake")


def test_streaming_transcribes_at_pauses_so_nothing_is_left_when_the_answer_ends_in_silence():
    samples, _ = signal(
        [("speech", 5.0), ("pause", 1.0), ("speech", 5.0), ("pause", 1.0), ("speech", 3.0), ("pause", 1.0)]
    )
    fake = RecordingTranscriber()
    synced: list[float] = []
    stream: StreamingTranscription  # the hook reads it once the stream exists
    stream = StreamingTranscription(fake, before_chunk=lambda: synced.append(stream.seconds))
    for i in range(0, len(samples), 1600):
        stream.feed(samples[i : i + 1600])
    submitted = stream.chunks_submitted
    assert submitted >= 2 and len(synced) == submitted  # speculative pieces at the pauses, spool synced first
    end = max(stream.chunker.last_cut, *stream.chunker.pauses)  # as settle() extends the answer
    result = stream.finish(samples[:end])  # the answer as settled: up to the pause after the last word
    assert stream.chunks_submitted == submitted, "something was left to transcribe after the answer ended"
    assert len(result.words) == 1, "the open chunk is one piece"
    whole = transcribe_answer(RecordingTranscriber(), samples[:end])
    assert [w.start for w in result.words] == [w.start for w in whole.words]
    assert result.audio_seconds == pytest.approx(end / RATE)
    with pytest.raises(RuntimeError):
        stream.feed(samples[:10])


def test_an_answer_ended_mid_speech_transcribes_only_the_words_since_the_last_pause():
    samples, pauses = signal([("speech", 5.0), ("pause", 1.0), ("speech", 5.0), ("pause", 1.0), ("speech", 3.0)])
    fake = RecordingTranscriber()
    stream = StreamingTranscription(fake)
    for i in range(0, len(samples), 1600):
        stream.feed(samples[i : i + 1600])
    before = stream.chunks_submitted
    stream.finish()
    assert stream.chunks_submitted == before + 1, "only the piece after the last pause should be left"
    assert fake.calls[-1][0] == pytest.approx(pauses[1][0] + 0.3, abs=0.04)


class TwoHalves(RecordingTranscriber):
    """A fake :class:`redrill.pipeline.Searched`: ``hear`` the words, then ``search`` the piece. The
    first search waits (up to 5 s) for the second piece to be heard, which happens only when
    searches run beside the model."""

    def __init__(self, fail_search: bool = False) -> None:
        super().__init__()
        self.second_heard = threading.Event()
        self.overlapped: list[bool] = []
        self.search_threads: set[int] = set()
        self.fail_search = fail_search

    def hear(self, samples16k, *, offset_s: float = 0.0) -> Transcript:
        part = super().transcribe(samples16k, offset_s=offset_s)
        if len(self.calls) == 2:
            self.second_heard.set()
        return part

    def search(self, part: Transcript, samples16k, *, offset_s: float = 0.0) -> Transcript:
        self.search_threads.add(threading.get_ident())
        if not self.overlapped:
            self.overlapped.append(self.second_heard.wait(5.0))
        if self.fail_search:
            raise RuntimeError("the search failed")
        at = round(offset_s + 0.2, 3)
        return dataclasses.replace(part, audio_disfluencies=(AudioDisfluency("filled_pause", at, at + 0.3, "gap"),))

    def transcribe(self, samples16k, *, offset_s: float = 0.0) -> Transcript:
        return self.search(self.hear(samples16k, offset_s=offset_s), samples16k, offset_s=offset_s)


class InOneGo:
    """The same transcriber seen without its halves: each piece heard and searched in one call."""

    def __init__(self, inner) -> None:
        self.inner, self.model_name = inner, inner.model_name

    def transcribe(self, samples16k, *, offset_s: float = 0.0) -> Transcript:
        return self.inner.transcribe(samples16k, offset_s=offset_s)


def test_a_whole_answer_is_searched_beside_the_model_and_comes_out_as_in_one_go():
    samples, _ = signal([("speech", 5.0), ("pause", 1.0), ("speech", 5.0), ("pause", 1.0), ("speech", 3.0)])
    halves = TwoHalves()
    done: list[float] = []
    beside = transcribe_answer(halves, samples, progress=lambda at, total: done.append(at))
    assert halves.overlapped == [True], "the first piece's search did not run while the next piece was heard"
    assert threading.get_ident() not in halves.search_threads
    once = TwoHalves()
    once.second_heard.set()  # nothing to wait for in one go
    assert beside == transcribe_answer(InOneGo(once), samples)
    assert len(beside.audio_disfluencies or ()) == len(halves.calls) >= 2
    assert done[0] == 0.0 and done[-1] == pytest.approx(len(samples) / RATE)


def test_a_failed_search_fails_the_whole_answer_and_leaves_no_thread_behind():
    samples, _ = signal([("speech", 5.0), ("pause", 1.0), ("speech", 5.0), ("pause", 1.0), ("speech", 3.0)])
    before = {t.name for t in threading.enumerate()}
    with pytest.raises(RuntimeError, match="the search failed"):
        transcribe_answer(TwoHalves(fail_search=True), samples)
    assert not [t for t in threading.enumerate() if t.name.startswith("redrill-search") and t.name not in before]


def test_a_failed_piece_leaves_no_search_queued_on_a_shared_worker():
    """``finish`` shares its worker with the voice analysis: when the model fails on a later piece
    (or the user presses Ctrl-C), the searches still queued there are dropped, not run."""
    from concurrent.futures import ThreadPoolExecutor

    samples, _ = signal([("speech", 5.0), ("pause", 1.0), ("speech", 5.0), ("pause", 1.0), ("speech", 3.0)])

    class FailsOnSecond(TwoHalves):
        def hear(self, samples16k, *, offset_s: float = 0.0) -> Transcript:
            if self.calls:
                raise RuntimeError("the model failed")
            return super().hear(samples16k, offset_s=offset_s)

    halves = FailsOnSecond()
    release = threading.Event()
    with ThreadPoolExecutor(max_workers=1) as worker:
        busy = worker.submit(release.wait, 5.0)  # the worker is busy (as with the voice analysis)
        with pytest.raises(RuntimeError, match="the model failed"):
            transcribe_answer(halves, samples, worker=worker)
        release.set()
        assert busy.result() is True
    assert not halves.search_threads, "a search queued before the failure still ran"


def test_merge_joins_speech_regions_split_by_a_cut():
    a = Transcript((Word("a", 0.1, 0.2),), True, 5.0, ((0.0, 5.0),))
    b = Transcript((Word("b", 5.1, 5.2),), True, 3.0, ((5.0, 7.5),))
    merged = merge([a, b], 8.0, "m")
    assert merged.speech == ((0.0, 7.5),) and [w.text for w in merged.words] == ["a", "b"]


def test_streaming_equals_whole_answer_on_real_speech(speech_samples, fast_transcriber):
    """The real faster-whisper path: same words and timings, streamed in 100 ms blocks or whole."""
    from fixtures_model import join_with_silences

    parts = [
        speech_samples("When the billing migration failed I owned it and rolled it back within the hour."),
        speech_samples("Then I wrote a reconciliation test that runs before every migration."),
        speech_samples("Since then we have had no billing incidents."),
    ]
    samples, _ = join_with_silences(parts, [1.2, 3.0])
    whole = transcribe_answer(fast_transcriber, samples)
    stream = StreamingTranscription(fast_transcriber)
    for i in range(0, len(samples), 1600):
        stream.feed(samples[i : i + 1600])
    assert stream.chunks_submitted >= 1, "no chunk was transcribed while the answer was still coming in"
    streamed = stream.finish()
    assert whole.words, "the model returned no words"
    assert streamed.words == whole.words
    assert streamed.speech == whole.speech
    assert streamed.audio_seconds == whole.audio_seconds


class CountingTranscriber:
    """Wraps a real transcriber and counts the calls (to see what streaming saved)."""

    def __init__(self, inner: Transcriber):
        self.inner = inner
        self.calls = 0
        self.model_name = inner.model_name

    def transcribe(self, samples16k: np.ndarray, *, offset_s: float = 0.0) -> Transcript:
        self.calls += 1
        return self.inner.transcribe(samples16k, offset_s=offset_s)


def test_live_recording_streams_and_matches_whole_answer(
    pulse_server, play_into_sink, speech_samples, fast_transcriber, tmp_path
):
    """The recorder path on the virtual sound device: the answer is transcribed while it plays,
    the stored answer is exactly what was streamed, and the result equals whole-answer transcription."""
    from fixtures_model import join_with_silences
    from redrill.sound.audiofile import write_wav
    from redrill.sound.endpointing import Endpointing
    from redrill.sound.microphone import Recorder

    parts = [
        speech_samples("I owned the failed billing migration and rolled it back within the hour."),
        speech_samples("Then I added a reconciliation test that runs before every migration."),
        speech_samples("We have had no billing incidents since."),
    ]
    samples, _ = join_with_silences(parts, [1.0, 1.0])
    wav = write_wav(tmp_path / "answer.wav", samples)
    counting = CountingTranscriber(fast_transcriber)
    stream = StreamingTranscription(counting)
    recorder = Recorder(settings=Endpointing(silence_seconds=2.0, no_speech_timeout=10), spool_dir=tmp_path / "rec")
    streamed = []

    def feed(block):
        streamed.append(block)
        stream.feed(block)

    player = play_into_sink(wav, delay=0.5)
    recording = recorder.record("q", on_audio=feed)
    player.join()
    assert recording.has_answer
    fed = np.concatenate(streamed)
    assert np.array_equal(fed[: len(recording.samples)], recording.samples), (
        "the stored answer is not what was streamed"
    )
    before_finish = stream.chunks_submitted
    assert before_finish >= 1, "nothing was transcribed while the answer was being spoken"
    answer = stream.settle(recording.samples)
    assert len(recording.samples) <= len(answer) <= len(recording.samples) + 16000
    submitted = stream.chunks_submitted
    result = stream.finish(answer)
    whole = transcribe_answer(fast_transcriber, answer)
    assert result.words == whole.words and result.speech == whole.speech
    # Every piece was streamed during the answer (the last ones in the silence after the last
    # word) and reused: nothing was left to transcribe when it ended.
    assert stream.chunks_submitted == submitted, "the last piece was not streamed before the end"
    recording.discard_spool()
