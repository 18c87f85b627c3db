"""Settings are checked for range when config.yaml is read, before anything uses them.

A value of the right type but out of range used to reach the libraries: ``max_tokens_per_window: 0``
made a 14 s spoken answer "no speech" and deleted its recording, ``beam_size: 100000`` used 24 GB
and was killed, ``beam_size: 0`` gave a raw library error, ``long_pause_seconds: 0`` stored dozens
of "long pauses". Now each bad value is named with the file, line, key and the allowed range, and
an answer whose audio has speech is never deleted for having no words.
"""

from __future__ import annotations

import sqlite3

import pytest

from fixtures_model import speech_wav
from redrill.config import RANGES, Config, load_config
from redrill.errors import InputError

BAD = {
    "max_tokens_per_window: 0": ("max_tokens_per_window", "must be 10 to 224 tokens"),
    "max_tokens_per_window: 100000": ("max_tokens_per_window", "must be 10 to 224 tokens"),
    "beam_size: 0": ("beam_size", "must be 1 to 20"),
    "beam_size: -3": ("beam_size", "must be 1 to 20"),
    "beam_size: 100000": ("beam_size", "must be 1 to 20"),
    "long_pause_seconds: 0": ("long_pause_seconds", "must be 0.5 to 30 seconds"),
    "long_pause_seconds: -1.5": ("long_pause_seconds", "must be 0.5 to 30 seconds"),
    "long_pause_seconds: .nan": ("long_pause_seconds", "must be 0.5 to 30 seconds"),
    "silence_seconds: 0": ("silence_seconds", "must be 0.5 to 60 seconds"),
    "silence_seconds: .inf": ("silence_seconds", "must be 0.5 to 60 seconds"),
    "no_speech_timeout: 0": ("no_speech_timeout", "must be 1 to 600 seconds"),
    "rate: 5": ("rate", "must be 60 to 400 words per minute"),
    "opus_bitrate: 100": ("opus_bitrate", "must be 6000 to 510000 bits per second"),
    "opus_bitrate: 99999999": ("opus_bitrate", "must be 6000 to 510000 bits per second"),
    "pace_wpm: [0, 160]": ("pace_wpm", "must be [low, high] words per minute with 40 <= low < high <= 400"),
    "pace_wpm: [150, 150]": ("pace_wpm", "must be [low, high] words per minute with 40 <= low < high <= 400"),
    "pace_wpm: [130, 9000]": ("pace_wpm", "must be [low, high] words per minute with 40 <= low < high <= 400"),
    "device: gpu": ("device", "must be one of auto, cpu, cuda"),
    "compute_type: int4": ("compute_type", "must be one of auto, bfloat16, float16, float32, int16, int8"),
    "language: English": ("language", "must be a language code such as en, de or fr"),
    "language: ''": ("language", "must be a language code such as en, de or fr"),
    "model: ''": ("model", "must name a model (tiny.en, base.en, ...) or a model folder"),
    "input_device: -1": ("input_device", "must be a device number (0 or more) or a name from `redrill devices`"),
}


@pytest.mark.parametrize("line", sorted(BAD))
def test_each_out_of_range_value_names_file_line_key_and_range(tmp_path, line):
    path = tmp_path / "config.yaml"
    path.write_text(f"context_hints: true\n{line}\n")
    with pytest.raises(InputError) as info:
        load_config(path)
    key, allowed = BAD[line]
    [problem] = info.value.problems
    assert (problem.file, problem.line, problem.field) == (str(path), 2, key)
    assert allowed in problem.message, problem.message
    assert "Fix the settings file, or delete it to use the defaults." in str(info.value)


def test_every_numeric_setting_has_a_range():
    numeric = {f.name for f in Config.__dataclass_fields__.values() if f.type in ("int", "float", "int | None")}
    assert numeric <= set(RANGES), numeric - set(RANGES)


def test_the_edges_of_each_range_are_accepted(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(
        "max_tokens_per_window: 10\nbeam_size: 20\nlong_pause_seconds: 0.5\nsilence_seconds: 60\n"
        "no_speech_timeout: 1\nrate: 400\nopus_bitrate: 6000\npace_wpm: [40, 400]\ndevice: cuda\n"
        "compute_type: int8_float16\nlanguage: haw\ninput_device: 0\n"
    )
    config = load_config(path)
    assert (config.max_tokens_per_window, config.beam_size, config.pace_wpm) == (10, 20, (40, 400))


def test_all_bad_values_are_listed_at_once(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("beam_size: 0\nlong_pause_seconds: 0\nmax_tokens_per_window: 0\n")
    with pytest.raises(InputError) as info:
        load_config(path)
    assert [(p.line, p.field) for p in info.value.problems] == [
        (1, "beam_size"),
        (2, "long_pause_seconds"),
        (3, "max_tokens_per_window"),
    ]


def test_a_bad_setting_is_a_clean_error_on_any_command(cli, redrill_home):
    config = redrill_home / "config.yaml"
    config.write_text("beam_size: 100000\n")
    result = cli("answer", "failure-story", "--text", "I rolled it back.")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert f"{config}:1: beam_size: must be 1 to 20 (the number of transcriptions Whisper keeps open" in result.stderr


@pytest.mark.realmodel
def test_max_tokens_zero_no_longer_deletes_a_spoken_answer(cli, redrill_home, tmp_path, real_tiny_dir):
    """The reported case: a pending 14 s spoken answer, then `max_tokens_per_window: 0`."""
    wav = speech_wav(
        "When our billing migration failed I rolled it back within the hour, told the customers myself, "
        "and added tests so that the same rounding bug could never ship again.",
        tmp_path,
    )
    stored = cli("answer", "failure-story", "--audio", wav, "--model", "base.en")  # not installed: kept pending
    assert stored.exit_code == 1 and "saved as attempt #1" in stored.stderr, stored.stderr
    db = sqlite3.connect(redrill_home / "redrill.db")
    try:
        [(audio_path, seconds)] = db.execute("SELECT audio_path, audio_seconds FROM attempts").fetchall()
    finally:
        db.close()
    assert seconds > 10
    (redrill_home / "config.yaml").write_text(f"model: {real_tiny_dir}\nmax_tokens_per_window: 0\n")
    result = cli("transcribe", "--pending")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert "max_tokens_per_window: must be 10 to 224 tokens" in result.stderr, result.stderr
    assert "removed" not in result.stdout
    assert (redrill_home / audio_path).is_file(), "the recording was deleted"
    # Fixed settings: the same answer is transcribed and scored.
    (redrill_home / "config.yaml").write_text(f"model: {real_tiny_dir}\nmax_tokens_per_window: 100\n")
    result = cli("transcribe", "--pending")
    assert result.exit_code == 0, result.stderr
    assert "#1 failure-story" in result.stdout


def test_speech_that_the_recognizer_heard_no_words_in_is_kept(redrill_home, tmp_path):
    """Safety net under the ranges: audio with speech in it (by the voice-activity detector) and no
    words (a model or setting that produced none) is kept for another try, never deleted."""
    import numpy as np

    from redrill import pipeline
    from redrill.banks import load_catalog
    from redrill.errors import NoSpeechError, RedrillError
    from redrill.paths import Paths
    from redrill.store import open_store
    from redrill.transcript import Transcript

    paths = Paths(redrill_home)
    store = open_store(paths)
    catalog = load_catalog(paths.banks)
    question = catalog.get("failure-story")
    samples = np.zeros(16000 * 14, np.float32)
    attempts = pipeline.AttemptPipeline(store, Config(), paths=paths)
    attempt_id = pipeline.save_recording(store, paths, Config(), question, samples)
    audio_path = store.get_attempt(attempt_id).audio_path
    assert audio_path is not None
    audio = paths.home / audio_path
    heard_nothing = Transcript(words=(), timed=True, audio_seconds=14.0, speech=((0.4, 6.2), (7.0, 13.5)))
    with pytest.raises(RedrillError) as info:
        attempts.finish(catalog, attempt_id, None, transcript=heard_nothing)
    assert not isinstance(info.value, NoSpeechError)
    assert "no words in 12 s of speech" in str(info.value) and "kept" in str(info.value)
    attempt = store.get_attempt(attempt_id)
    assert (attempt.status, attempt.transcript) == ("recorded", None)  # transcribed afresh next time
    assert attempt.error is not None and "no words" in attempt.error and audio.is_file()
    # Silence (no speech found by the detector either) is still not kept.
    silent = pipeline.save_recording(store, paths, Config(), question, samples)
    silent_path = store.get_attempt(silent).audio_path
    assert silent_path is not None
    silent_audio = paths.home / silent_path
    with pytest.raises(NoSpeechError):
        attempts.finish(
            catalog, silent, None, transcript=Transcript(words=(), timed=True, audio_seconds=14.0, speech=())
        )
    assert not silent_audio.exists()
    store.close()
