"""Encoding an answer while it is spoken: the stored file is exactly what write_opus stores for the
final answer, saving at the end costs only the last seconds, and nothing is left behind."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime, timezone

import numpy as np
import pytest

from redrill.sound.audiofile import load_audio, read_tags, write_opus
from redrill.sound.opuswriter import OpusWriter

RATE = 16000


def speechlike(seconds: float, seed: int = 0) -> np.ndarray:
    """Noise bursts shaped like words (so the encoder has real work), 16 kHz."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 2.5 * t)
    return (0.2 * envelope * rng.standard_normal(len(t))).astype(np.float32)


def feed_in_blocks(writer: OpusWriter, audio: np.ndarray, block: int = 1600) -> None:
    for i in range(0, len(audio), block):
        writer.feed(audio[i : i + block])


def wait_encoded(writer: OpusWriter, seconds: float, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while writer.encoded_seconds < seconds - 1.0:
        assert time.monotonic() < deadline, f"only {writer.encoded_seconds:.1f} s encoded"
        time.sleep(0.05)


@pytest.mark.parametrize("cut_s", [0.05, 8.25])  # a key press just after the last word; the silence endpoint
def test_the_stored_file_is_what_write_opus_stores(tmp_path, cut_s):
    recorded = speechlike(30.0)
    final = recorded[: len(recorded) - int(cut_s * RATE)]
    writer = OpusWriter(tmp_path, hold_s=9.5)
    feed_in_blocks(writer, recorded)
    assert writer.finish(tmp_path / "answer.ogg", final)
    write_opus(tmp_path / "reference.ogg", final)
    stored, reference = load_audio(tmp_path / "answer.ogg").samples, load_audio(tmp_path / "reference.ogg").samples
    assert len(stored) == len(final)
    assert np.array_equal(stored, reference)
    assert oct((tmp_path / "answer.ogg").stat().st_mode)[-3:] == "600"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answer.ogg", "reference.ogg"]  # no temporary file left


def test_a_final_answer_that_is_not_what_was_fed_is_left_to_write_opus(tmp_path):
    recorded = speechlike(30.0)
    writer = OpusWriter(tmp_path, hold_s=2.0)
    feed_in_blocks(writer, recorded)
    wait_encoded(writer, 28.0)
    assert not writer.finish(tmp_path / "answer.ogg", recorded[: 10 * RATE])  # shorter than what was encoded
    assert list(tmp_path.iterdir()) == []
    other = recorded.copy()
    other[RATE] += 0.1
    writer = OpusWriter(tmp_path, hold_s=2.0)
    feed_in_blocks(writer, recorded)
    assert not writer.finish(tmp_path / "answer.ogg", other)  # not the same audio
    assert list(tmp_path.iterdir()) == []


def test_a_short_answer_is_never_started(tmp_path):
    writer = OpusWriter(tmp_path, hold_s=9.5)
    feed_in_blocks(writer, speechlike(10.0))
    assert not writer.finish(tmp_path / "answer.ogg", speechlike(10.0)) and list(tmp_path.iterdir()) == []


def test_discard_removes_the_temporary_file(tmp_path):
    writer = OpusWriter(tmp_path, hold_s=2.0)
    feed_in_blocks(writer, speechlike(20.0))
    wait_encoded(writer, 18.0)
    assert [p.name.startswith(".encoding.ogg.") for p in tmp_path.iterdir()] == [True]
    writer.discard()
    assert list(tmp_path.iterdir()) == []


def test_a_dead_writers_temporary_file_is_swept_and_never_adopted_as_a_recording(tmp_path):
    """The encoder's file is a partial copy of an answer whose spool is kept: once its process is
    gone it is removed like any temporary file of redrill's, not put in place as a recording."""
    from redrill.leftovers import sweep_temp_files
    from redrill.paths import Paths

    paths = Paths(tmp_path / "home").ensure()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = paths.recordings / f".encoding.ogg.{int(dead.stdout)}.abc123.tmp"
    stale.write_bytes(b"OggS" + b"x" * 100)
    writer = OpusWriter(paths.recordings, hold_s=2.0)
    feed_in_blocks(writer, speechlike(20.0))
    wait_encoded(writer, 18.0)
    assert stale in sweep_temp_files(paths)
    left = sorted(p.name for p in paths.recordings.iterdir())
    assert len(left) == 1 and left[0].startswith(f".encoding.ogg.{os.getpid()}."), left  # the live one stays
    writer.discard()
    assert list(paths.recordings.iterdir()) == []


def test_the_drill_stores_a_long_answer_through_the_writer(redrill_home, monkeypatch):
    """A 15 s answer through the drill loop and the real store: encoded while spoken, and the stored
    file is exactly what write_opus makes of the stored answer."""
    from redrill.banks import load_catalog
    from redrill.config import Config
    from redrill.drill import Drill, StorePractice
    from redrill.paths import Paths
    from redrill.sound import opuswriter
    from redrill.store import open_store
    from test_drill import FakeMicrophone, FakeSpeaker, FakeUI, Log, WordsTranscriber, silence, timed

    results = []
    finish = opuswriter.OpusWriter.finish

    def noted_finish(self, target, samples):
        results.append((finish(self, target, samples), np.array(samples)))
        return results[-1][0]

    monkeypatch.setattr(opuswriter.OpusWriter, "finish", noted_finish)
    paths = Paths(redrill_home).ensure()
    store = open_store(paths)
    catalog = load_catalog(paths.banks, [])
    log = Log()
    signal = np.concatenate([silence(0.5), speechlike(15.0), silence(5.0)])
    drill = Drill(
        [catalog.get("tell-me-about-yourself")],
        speaker=FakeSpeaker(log),
        practice=StorePractice(store, catalog, paths, Config()),
        ui=FakeUI(log),
        recorder=FakeMicrophone(log, [signal]),
        transcriber_factory=lambda: WordsTranscriber(timed("I lead the billing team at a payments company")),
        interactive=False,
    )
    result = drill.run()
    attempt = store.get_attempt(result.reports[0].attempt_id)
    store.close()
    ((used, stored_samples),) = results
    assert used, "the writer was not used"
    assert attempt.audio_path is not None
    write_opus(paths.home / "reference.ogg", stored_samples)
    stored = load_audio(paths.home / attempt.audio_path).samples
    assert np.array_equal(stored, load_audio(paths.home / "reference.ogg").samples)
    assert len(stored) / RATE == pytest.approx(15.0 + 0.4, abs=0.1)
    assert not list(paths.recordings.glob(".encoding*"))
    assert read_tags(paths.home / attempt.audio_path)["REDRILL_QUESTION_ID"] == "tell-me-about-yourself"


@pytest.mark.parametrize("question_id", ["failure-story/follow-up", "a b:c", "..", "x/../../etc"])
def test_a_recording_of_any_question_id_is_stored_in_the_recordings_folder(redrill_home, question_id):
    """A follow-up question's id has a slash: its recording still goes into recordings/ itself, with
    a name redrill recognises as its own (and the question in its tags), encoded while spoken or not."""
    from redrill.banks import Question
    from redrill.config import Config
    from redrill.orphans import TAG_QUESTION_ID, recording_tags
    from redrill.owned import RECORDING_NAME
    from redrill.paths import Paths
    from redrill.pipeline import save_recording
    from redrill.store import open_store

    paths = Paths(redrill_home).ensure()
    store = open_store(paths)
    question = Question(id=question_id, text="What was your part in that?", target_seconds=(20, 60))
    samples = speechlike(16.0)
    tags = recording_tags(question.id, question.text, "microphone", datetime.now(timezone.utc))
    for writer in (None, OpusWriter(paths.recordings, hold_s=2.0, tags=tags)):
        if writer is not None:
            feed_in_blocks(writer, samples)
            wait_encoded(writer, 12.0)
        attempt = store.get_attempt(save_recording(store, paths, Config(), question, samples, writer=writer))
        assert attempt.audio_path is not None
        path = paths.home / attempt.audio_path
        assert path.parent == paths.recordings and RECORDING_NAME.match(path.name), attempt.audio_path
        assert read_tags(path)[TAG_QUESTION_ID] == question_id
        assert attempt.question_id == question_id
    store.close()
