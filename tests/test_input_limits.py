"""Inputs that are too big, not files, or not what they seem.

* a 10 MB ``--text-file`` (or ``--text``) is refused at once with the limit, instead of 24 s and
  1.3 GB of scoring;
* ``--audio /dev/stdin`` reads a piped recording (bounded by the 30-minute cap) instead of calling
  it empty; a terminal as ``--audio`` is refused;
* a stereo recording with one channel's polarity inverted is heard (one channel is used) instead
  of cancelling to silence in the downmix.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from fixtures_model import speech_wav
from redrill.sound.audiofile import load_audio


def run_redrill(*args, home: Path, **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "REDRILL_HOME": str(home)}
    env.pop("REDRILL_MODEL", None)
    return subprocess.run([sys.executable, "-m", "redrill", *map(str, args)], env=env, timeout=180, **kw)


# --- typed answers that are far too long -------------------------------------------------------


def test_a_huge_text_file_is_refused_at_once(cli, redrill_home, tmp_path):
    huge = tmp_path / "answer.txt"
    sentence = "I led the migration and it shipped two weeks early. "
    huge.write_text(sentence * (10_000_000 // len(sentence)))
    started = time.perf_counter()
    result = cli("answer", "failure-story", "--text-file", huge)
    took = time.perf_counter() - started
    assert result.exit_code == 1, result.output
    assert f"{huge}: file is 9,999," in result.stderr and "the limit is 100,000 (about 18,000 words)" in result.stderr
    assert took < 5, f"refusing took {took:.1f} s"
    assert not (redrill_home / "redrill.db").exists() or cli("history", "--json").output.strip() == "[]"

    long_typed = cli("answer", "failure-story", "--text", sentence * 2000)
    assert long_typed.exit_code == 1 and "the limit is 100,000 (about 18,000 words)" in long_typed.stderr

    fine = tmp_path / "fine.txt"
    fine.write_text(sentence * 100)  # a long but real answer still scores
    assert cli("answer", "failure-story", "--text-file", fine).exit_code == 0


# --- audio from a pipe -------------------------------------------------------------------------


@pytest.mark.realmodel
def test_audio_from_a_pipe_is_read_and_transcribed(redrill_home, real_tiny_dir, tmp_path):
    wav = speech_wav("I rolled back the billing release within an hour and added a test.", tmp_path)
    data = wav.read_bytes()
    proc = run_redrill(
        "answer", "failure-story", "--audio", "/dev/stdin", "--model", real_tiny_dir, "--json",
        home=redrill_home, input=data, capture_output=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr.decode()
    assert b"empty" not in proc.stderr
    import json

    report = json.loads(proc.stdout)
    assert report["metrics"]["words"] >= 8 and report["metrics"]["duration_s"] > 2
    [stored] = list((redrill_home / "recordings").glob("*.ogg"))
    assert abs(load_audio(stored).seconds - load_audio(wav).seconds) < 0.05  # the whole answer was kept


def test_a_terminal_as_audio_is_refused_with_what_to_do(redrill_home):
    leader, follower = pty.openpty()
    try:
        proc = run_redrill(
            "answer", "failure-story", "--audio", "/dev/stdin", home=redrill_home,
            stdin=follower, capture_output=True,
        )  # fmt: skip
    finally:
        os.close(leader)
        os.close(follower)
    err = proc.stderr.decode()
    assert proc.returncode == 1 and "Traceback" not in err, err
    assert "/dev/stdin is a terminal, not an audio file" in err and "< answer.wav" in err


# --- a stereo file with one channel inverted --------------------------------------------------


def stereo_wav(path: Path, left: np.ndarray, right: np.ndarray, rate: int) -> Path:
    frames = np.stack([left, right], axis=1)
    pcm = (np.clip(frames, -1, 1) * 32767).round().astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return path


@pytest.fixture
def speech(tmp_path):
    """Real espeak-ng speech at its own rate (22050 Hz), as float samples, and the mono reference."""
    wav = speech_wav("I rolled back the billing release within an hour and added a test.", tmp_path)
    with wave.open(str(wav)) as f:
        rate = f.getframerate()
        samples = np.frombuffer(f.readframes(f.getnframes()), "<i2").astype(np.float32) / 32767
    return samples, rate, load_audio(wav).samples


def test_an_inverted_channel_does_not_cancel_the_answer(speech, tmp_path):
    samples, rate, mono = speech
    loaded = load_audio(stereo_wav(tmp_path / "inverted.wav", samples, -samples, rate)).samples
    rms = float(np.sqrt(np.mean(loaded**2)))
    assert rms > 0.8 * float(np.sqrt(np.mean(mono**2))), "the downmix cancelled the answer"
    n = min(len(loaded), len(mono))
    assert np.corrcoef(loaded[:n], mono[:n])[0, 1] > 0.99


def ffmpeg_downmix(path: Path) -> np.ndarray:
    """What FFmpeg's own stereo-to-mono resampler gives (how every stereo file was read before)."""
    import av

    out = []
    with av.open(str(path)) as container:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=16000)
        for frame in container.decode(container.streams.audio[0]):
            out += [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
        out += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(out)


@pytest.mark.parametrize("kind", ["same", "one silent channel", "independent"])
def test_ordinary_stereo_is_mixed_as_ffmpeg_mixes_it(speech, tmp_path, kind):
    samples, rate, _ = speech
    other = {
        "same": samples,
        "one silent channel": np.zeros_like(samples),
        "independent": np.roll(samples, rate // 3) * 0.8,
    }[kind]
    wav = stereo_wav(tmp_path / "stereo.wav", samples, other, rate)
    ours, theirs = load_audio(wav).samples, ffmpeg_downmix(wav)
    n = min(len(ours), len(theirs))
    assert abs(len(ours) - len(theirs)) <= 2
    assert np.max(np.abs(ours[:n] - theirs[:n])) < 2e-3


@pytest.mark.realmodel
def test_an_inverted_channel_answer_is_transcribed(cli, speech, real_tiny_dir, tmp_path):
    samples, rate, _ = speech
    wav = stereo_wav(tmp_path / "inverted.wav", samples, -samples, rate)
    result = cli("answer", "failure-story", "--audio", wav, "--model", real_tiny_dir, "--json")
    assert result.exit_code == 0, result.output
    assert "no speech" not in result.output
    from redrill.paths import Paths
    from redrill.store import open_store

    store = open_store(Paths(Path(os.environ["REDRILL_HOME"])))
    transcript = store.get_attempt(1).transcript
    assert transcript is not None
    words = " ".join(w["word"] for w in transcript["words"]).lower()
    store.close()
    assert "billing" in words and "rolled back" in words, words
