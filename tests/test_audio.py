"""Audio in and out with real files: espeak-ng speech encoded by PyAV in the formats users bring."""

from __future__ import annotations

import os
import stat
import wave

import numpy as np
import pytest

from fixtures_model import speech_wav
from redrill.errors import RedrillError
from redrill.sound.audiofile import load_audio, resample, write_opus, write_wav

TEXT = "Tell me about a time you disagreed with your manager. Well, um, I think the clearest case was last spring."


def envelope(samples: np.ndarray, rate: int = 16000, frame_s: float = 0.02) -> np.ndarray:
    n = int(rate * frame_s)
    usable = len(samples) // n * n
    return np.sqrt((samples[:usable].reshape(-1, n) ** 2).mean(axis=1))


def best_envelope_correlation(a: np.ndarray, b: np.ndarray, max_lag_frames: int = 5) -> float:
    """Codecs add a few ms of delay; compare loudness envelopes at the best small lag."""
    ea, eb = envelope(a), envelope(b)
    best = -1.0
    for lag in range(-max_lag_frames, max_lag_frames + 1):
        x, y = (ea[lag:], eb) if lag >= 0 else (ea, eb[-lag:])
        n = min(len(x), len(y))
        best = max(best, float(np.corrcoef(x[:n], y[:n])[0, 1]))
    return best


def encode(path, samples16k: np.ndarray, codec: str, rate: int, fmt: str | None = None):
    """Write speech in another format with PyAV (what a phone or browser recording looks like)."""
    import av

    data = resample(samples16k, 16000, rate) if rate != 16000 else samples16k
    with av.open(str(path), "w", format=fmt) as container:
        stream = container.add_stream(codec, rate=rate, layout="mono")
        frame = av.AudioFrame.from_ndarray(data[None, :].astype(np.float32), format="flt", layout="mono")
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return path


@pytest.fixture(scope="module")
def speech(tmp_path_factory) -> np.ndarray:
    folder = tmp_path_factory.mktemp("speech")
    return load_audio(speech_wav(TEXT, folder)).samples


def test_espeak_wav_decodes_to_16k_mono(speech, tmp_path):
    wav = speech_wav(TEXT, tmp_path)
    with wave.open(str(wav)) as w:
        native_seconds = w.getnframes() / w.getframerate()
    audio = load_audio(wav)
    assert audio.samples.dtype == np.float32 and audio.samples.ndim == 1
    assert audio.seconds == pytest.approx(native_seconds, abs=0.01)
    assert audio.seconds == len(audio.samples) / 16000
    assert not audio.truncated and audio.original_seconds == audio.seconds
    assert 0.05 < np.abs(audio.samples).max() <= 1.0


@pytest.mark.parametrize(
    "name, codec, rate, fmt",
    [
        ("answer.mp3", "libmp3lame", 44100, None),
        ("answer.m4a", "aac", 44100, "ipod"),
        ("answer.webm", "libopus", 48000, "webm"),
        ("answer.ogg", "libopus", 48000, "ogg"),
        ("answer.flac", "flac", 22050, None),
    ],
)
def test_common_formats_load(speech, tmp_path, name, codec, rate, fmt):
    path = encode(tmp_path / name, speech, codec, rate, fmt)
    audio = load_audio(path)
    assert audio.seconds == pytest.approx(len(speech) / 16000, abs=0.1)
    assert best_envelope_correlation(speech, audio.samples) > 0.95


def test_stereo_is_mixed_to_mono(speech, tmp_path):
    import av

    path = tmp_path / "stereo.wav"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("pcm_s16le", rate=16000, layout="stereo")
        both = np.stack([speech, speech]).astype(np.float32)
        frame = av.AudioFrame.from_ndarray(both.T.reshape(1, -1).copy(), format="flt", layout="stereo")
        frame.sample_rate = 16000
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    audio = load_audio(path)
    assert len(audio.samples) == len(speech)
    assert np.corrcoef(audio.samples, speech)[0, 1] > 0.99


def test_opus_round_trip_is_exact_in_length_small_and_private(speech, tmp_path):
    minute = np.tile(speech, int(np.ceil(60 * 16000 / len(speech))))[: 60 * 16000]
    target = tmp_path / "recordings" / "answer-1.opus"
    size = write_opus(target, minute, bitrate=24000)

    assert size == target.stat().st_size
    assert size <= 200_000, f"{size} bytes for one minute"
    assert size >= 120_000  # ~24 kbit/s really is what was asked for
    back = load_audio(target)
    assert len(back.samples) == len(minute)  # exact: pause timings must not drift
    assert np.corrcoef(back.samples, minute)[0, 1] > 0.98
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert os.listdir(target.parent) == ["answer-1.opus"]  # no temp file left behind


def test_odd_lengths_round_trip_exactly(tmp_path):
    rng = np.random.default_rng(1)
    for n in (1, 319, 320, 321, 16001):
        samples = (rng.standard_normal(n) * 0.1).astype(np.float32)
        write_opus(tmp_path / f"{n}.opus", samples)
        assert len(load_audio(tmp_path / f"{n}.opus").samples) == n


def test_a_failed_save_keeps_the_old_file_and_leaves_no_temp(speech, tmp_path, monkeypatch):
    import av

    target = tmp_path / "answer.opus"
    write_opus(target, speech)
    before = target.read_bytes()

    def broken_open(*args, **kwargs):
        raise av.error.PermissionError(13, "Permission denied")

    monkeypatch.setattr(av, "open", broken_open)
    with pytest.raises(RedrillError, match=f"could not save the recording to {target}"):
        write_opus(target, speech[:16000])
    assert target.read_bytes() == before
    assert os.listdir(tmp_path) == ["answer.opus"]


def test_empty_recording_is_not_saved(tmp_path):
    with pytest.raises(RedrillError, match="the recording is empty"):
        write_opus(tmp_path / "a.opus", np.zeros(0, np.float32))


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"", "is empty (0 bytes)"),
        (b"hello, this is a text file and not a recording\n" * 20, "could not read audio from"),
        (bytes(range(256)) * 40, "could not read audio from"),
    ],
)
def test_bad_files_name_the_file(tmp_path, content, expected):
    path = tmp_path / "answer.wav"
    path.write_bytes(content)
    with pytest.raises(RedrillError) as err:
        load_audio(path)
    assert str(path) in str(err.value)
    assert expected in str(err.value)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(RedrillError, match=r"audio file not found: .*nope\.m4a"):
        load_audio(tmp_path / "nope.m4a")
    with pytest.raises(RedrillError, match="is a folder"):
        load_audio(tmp_path)


def test_cut_off_wav_with_no_samples_names_the_file(speech, tmp_path):
    path = write_wav(tmp_path / "full.wav", speech)
    header_only = tmp_path / "header-only.wav"
    header_only.write_bytes(path.read_bytes()[:44])
    with pytest.raises(RedrillError) as err:
        load_audio(header_only)
    assert str(header_only) in str(err.value)


@pytest.mark.slow
def test_hour_long_audio_is_capped(tmp_path):
    # 3601 s of quiet 8 kHz 8-bit audio: 29 MB on disk, written in a moment.
    path = tmp_path / "hour.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(8000)
        w.writeframes(np.full(3601 * 8000, 128, np.uint8).tobytes())
    audio = load_audio(path)  # default cap: one hour
    assert audio.truncated
    assert audio.seconds == 3600.0
    assert len(audio.samples) == 3600 * 16000
    assert audio.original_seconds == pytest.approx(3601.0, abs=0.1)


def test_small_cap_and_length_from_counting(speech, tmp_path):
    # ADTS AAC has no duration in its header, so the rest is counted.
    path = encode(tmp_path / "answer.aac", speech, "aac", 16000, "adts")
    audio = load_audio(path, max_seconds=1.5)
    assert audio.truncated and audio.seconds == 1.5
    assert audio.original_seconds == pytest.approx(len(speech) / 16000, abs=0.2)
    assert not load_audio(path).truncated


def test_resample_keeps_length_and_pitch_and_removes_aliases():
    t = np.arange(48000 * 2) / 48000
    tone = np.sin(2 * np.pi * 440 * t).astype(np.float32)
    out = resample(tone, 48000)
    assert len(out) == 32000 and out.dtype == np.float32
    ref = np.sin(2 * np.pi * 440 * np.arange(32000) / 16000)
    assert np.corrcoef(out[200:-200], ref[200:-200])[0, 1] > 0.999
    assert len(resample(tone[:44100], 44100)) == 16000
    too_high = np.sin(2 * np.pi * 9000 * t).astype(np.float32)  # above 8 kHz Nyquist
    assert np.sqrt(np.mean(resample(too_high, 48000) ** 2)) < 0.02
    assert np.array_equal(resample(tone[:100], 16000), tone[:100])


def test_write_wav_round_trip(speech, tmp_path):
    path = write_wav(tmp_path / "a.wav", speech, 16000)
    back = load_audio(path).samples
    assert len(back) == len(speech)
    assert np.abs(back - speech).max() < 1e-3
