"""Recording answers: endpointing on synthetic signals, crash-safe spools, device errors, and real
recording from the PulseAudio null sink's monitor."""

from __future__ import annotations

import builtins
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redrill.errors import RedrillError
from redrill.sound.devices import list_input_devices
from redrill.sound.endpointing import (
    INTERRUPTED,
    MAX_LENGTH,
    NO_SPEECH,
    SILENCE,
    STOPPED,
    Endpointer,
    Endpointing,
    Progress,
)
from redrill.sound.microphone import Recorder, finish_recording
from redrill.sound.spool import SpoolWriter, recover_spools

RATE = 16000


def tone(seconds: float, amp: float = 0.2, hz: float = 220.0, rate: int = RATE) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amp * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def quiet(seconds: float, amp: float = 0.0, rate: int = RATE, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (amp * rng.standard_normal(int(seconds * rate))).astype(np.float32)


def run(signal_: np.ndarray, settings_: Endpointing = Endpointing(), block: int = 1024, rate: int = RATE):
    """Feed a signal block by block until the endpointer decides; returns it and the reason."""
    ep = Endpointer(rate, settings_)
    reason = None
    for i in range(0, len(signal_), block):
        reason = ep.feed(signal_[i : i + block])
        if reason:
            break
    return ep, reason


def test_answer_ends_after_silence_once_speech_started():
    ep, reason = run(np.concatenate([quiet(1.0), tone(2.0), quiet(6.0)]), Endpointing(silence_seconds=4))
    assert reason == SILENCE
    assert ep.first_speech_s == pytest.approx(1.0, abs=0.03)
    assert ep.last_speech_s == pytest.approx(3.0, abs=0.03)
    assert ep.elapsed_s == pytest.approx(7.0, abs=0.07)


def test_a_three_second_pause_inside_the_answer_does_not_end_it():
    sig = np.concatenate([quiet(0.5), tone(1.5), quiet(3.0), tone(1.0), quiet(5.0)])
    ep, reason = run(sig, Endpointing(silence_seconds=4))
    assert reason == SILENCE
    assert ep.last_speech_s == pytest.approx(6.0, abs=0.03)


def test_no_speech_within_the_timeout():
    ep, reason = run(quiet(20.0, amp=0.001), Endpointing(no_speech_timeout=5))
    assert reason == NO_SPEECH
    assert ep.elapsed_s == pytest.approx(5.0, abs=0.03)
    assert not ep.speech_started
    assert ep.keep_span(len(quiet(5.0)), NO_SPEECH) == (0, 0)


def test_max_length_ends_a_long_answer():
    ep, reason = run(tone(30.0), Endpointing(max_seconds=10))
    assert reason == MAX_LENGTH
    assert ep.elapsed_s == pytest.approx(10.0, abs=0.03)


def test_clicks_do_not_start_speech():
    sig = quiet(6.0, amp=0.0005)
    for at in (1.0, 2.5, 4.0):  # three 20 ms clicks
        i = int(at * RATE)
        sig[i : i + 320] = 0.5
    ep, reason = run(sig, Endpointing(no_speech_timeout=5))
    assert reason == NO_SPEECH and not ep.speech_started


def test_noise_floor_adapts_to_a_steady_fan():
    """A fan at RMS 0.02 (louder than min_level) is room noise, and speech over it still ends the answer."""
    fan = quiet(12.0, amp=0.02, seed=1)
    sig = fan.copy()
    sig[int(2 * RATE) : int(4 * RATE)] += tone(2.0, amp=0.3)
    ep, reason = run(sig, Endpointing(silence_seconds=3))
    assert reason == SILENCE
    assert ep.first_speech_s == pytest.approx(2.0, abs=0.05)
    assert ep.last_speech_s == pytest.approx(4.0, abs=0.05)
    assert 0.01 < ep.noise_floor < 0.04


def test_quiet_room_noise_is_not_speech():
    _ep, reason = run(quiet(6.0, amp=0.002), Endpointing(no_speech_timeout=5))
    assert reason == NO_SPEECH


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=1, max_value=5000))
def test_block_size_does_not_change_the_decision(block):
    sig = np.concatenate([quiet(0.7), tone(1.2), quiet(0.9), tone(0.4), quiet(2.5)])
    ep, reason = run(sig, Endpointing(silence_seconds=2), block=block)
    assert reason == SILENCE
    assert ep.first_speech_s == pytest.approx(0.7, abs=0.021)
    assert ep.last_speech_s == pytest.approx(3.2, abs=0.021)


def test_keep_span_trims_to_speech_with_air():
    sig = np.concatenate([quiet(1.0), tone(2.0), quiet(6.0)])
    ep, reason = run(sig, Endpointing(silence_seconds=4))
    total = int(ep.elapsed_s * RATE)
    start, end = ep.keep_span(total, reason)
    assert start / RATE == pytest.approx(1.0 - 0.15, abs=0.03)
    assert end / RATE == pytest.approx(3.0 + 0.25, abs=0.03)
    rec = finish_recording([sig[:total]], RATE, ep, reason)
    assert rec.seconds == pytest.approx(2.4, abs=0.05)
    assert rec.speech_found and rec.reason == SILENCE


def test_enter_with_no_detected_speech_keeps_everything_for_the_transcriber():
    ep, _ = run(quiet(3.0, amp=0.001), Endpointing())
    assert ep.keep_span(3 * RATE, STOPPED) == (0, 3 * RATE)
    assert ep.keep_span(3 * RATE, INTERRUPTED) == (0, 0)


def test_bad_settings_name_the_option():
    with pytest.raises(RedrillError, match="silence-seconds must be a positive number"):
        Endpointing(silence_seconds=0)


# --- spools -----------------------------------------------------------------------------------


def test_spool_survives_sigkill_and_is_recovered(tmp_path):
    """A recording process killed with SIGKILL mid-answer leaves a spool with every block it wrote."""
    folder = tmp_path / "recordings"
    script = textwrap.dedent(
        f"""
        import os, signal
        import numpy as np
        from pathlib import Path
        from redrill.sound.spool import SpoolWriter
        spool = SpoolWriter(Path({str(folder)!r}), "tell-me-about-yourself", "Tell me about yourself.", 48000)
        t = np.arange(4800) / 48000
        for i in range(20):  # 2 s in 0.1 s blocks
            spool.write((0.1 * np.sin(2 * np.pi * 300 * t)).astype(np.float32))
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    spools = recover_spools(folder)
    assert len(spools) == 1
    question_id, samples, path = spools[0][:3]
    assert question_id == "tell-me-about-yourself"
    assert spools[0].question_text == "Tell me about yourself."
    assert len(samples) == 2 * 16000  # resampled 48 kHz -> 16 kHz, nothing lost
    assert 0.06 < float(np.sqrt(np.mean(samples[1000:-1000] ** 2))) < 0.08
    assert path.exists()


def test_spools_of_a_running_redrill_are_left_alone(tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        spool = SpoolWriter(tmp_path, "q", "", 16000)
        spool.write(tone(1.0))
        spool.close()
        # Pretend the spool belongs to the still-running process (the header is rewritten whole:
        # the two process numbers can differ in length once the system's numbers wrap around).
        import json
        import struct

        from redrill.sound.spool import SPOOL_MAGIC, read_spool

        header, samples = read_spool(spool.path)
        new_header = json.dumps({**header, "pid": sleeper.pid}).encode()
        spool.path.write_bytes(SPOOL_MAGIC + struct.pack("<I", len(new_header)) + new_header + samples.tobytes())
        assert recover_spools(tmp_path) == []
    finally:
        sleeper.kill()
        sleeper.wait()
    assert len(recover_spools(tmp_path)) == 1


def test_tiny_or_damaged_spools_are_skipped(tmp_path):
    (tmp_path / ".answer-x-1.spool").write_bytes(b"garbage")
    spool = SpoolWriter(tmp_path, "q", "", 16000)
    spool.write(tone(0.1))
    spool.close()
    assert recover_spools(tmp_path) == []
    assert recover_spools(tmp_path / "missing") == []


# --- device errors ----------------------------------------------------------------------------


def test_missing_portaudio_says_what_to_install(monkeypatch):
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(RedrillError) as err:
        Recorder().check()
    assert "install libportaudio2 (sudo apt-get install libportaudio2)" in str(err.value)
    assert "redrill drill --text" in str(err.value)


def test_no_default_input_device(monkeypatch):
    import sounddevice as sd

    def query(device=None, kind=None):
        raise sd.PortAudioError("Error querying device -1")

    monkeypatch.setattr(sd, "query_devices", query)
    with pytest.raises(RedrillError) as err:
        Recorder().check()
    assert str(err.value).startswith("no microphone found")
    assert "`redrill devices` lists devices; --text works without one" in str(err.value)


def test_unknown_device_name_lists_what_is_there(pulse_server):
    with pytest.raises(RedrillError) as err:
        Recorder(device="no-such-mic").check()
    message = str(err.value)
    assert message.startswith("no microphone found") and "no-such-mic" in message
    assert "default" in message  # the devices that do exist are named


def test_list_input_devices_sees_the_virtual_device(pulse_server):
    names = [d.name for d in list_input_devices()]
    assert "default" in names or "pulse" in names
    assert any(d.is_default for d in list_input_devices())


# --- real recording from the virtual device ---------------------------------------------------


@pytest.fixture
def spoken_answer(tmp_path):
    """An espeak-ng answer with a 3.0 s silence inside; returns (wav path, speech start, speech end)."""
    from fixtures_model import join_with_silences, speech_wav, trim_silence
    from redrill.sound.audiofile import load_audio, write_wav

    a = trim_silence(load_audio(speech_wav("I led the migration of our billing system.", tmp_path)).samples)
    b = trim_silence(load_audio(speech_wav("It shipped two weeks early.", tmp_path)).samples)
    samples, silences = join_with_silences([a, b], [3.0], lead=0.3, tail=0.3)
    wav = write_wav(tmp_path / "answer.wav", samples, 16000)
    return wav, 0.3, len(samples) / 16000 - 0.3, silences[0]


def test_real_recording_ends_on_silence(pulse_server, play_into_sink, spoken_answer, tmp_path):
    wav, speech_start, speech_end, _gap = spoken_answer
    recorder = Recorder(settings=Endpointing(silence_seconds=4.0, no_speech_timeout=10), spool_dir=tmp_path / "rec")
    seen: list[Progress] = []
    player = play_into_sink(wav, delay=0.8)
    rec = recorder.record("q1", "Question?", on_progress=seen.append)
    player.join()
    assert rec.reason == SILENCE, rec
    assert rec.speech_found and rec.first_speech_s is not None and rec.last_speech_s is not None
    spoken = speech_end - speech_start
    assert rec.last_speech_s - rec.first_speech_s == pytest.approx(spoken, abs=0.3)
    assert rec.seconds == pytest.approx(spoken + 0.4, abs=0.4)
    assert seen and seen[-1].speech_started and max(p.level_db for p in seen) > -30
    assert rec.spool_path is not None and rec.spool_path.exists()
    rec.discard_spool()
    assert not rec.spool_path.exists()


@pytest.fixture
def first_sentence(tmp_path):
    """The answer's first sentence alone (about 3 s): recording is stopped while it is being said,
    and each playback is waited out before the next."""
    from fixtures_model import join_with_silences, speech_wav, trim_silence
    from redrill.sound.audiofile import load_audio, write_wav

    a = trim_silence(load_audio(speech_wav("I led the migration of our billing system.", tmp_path)).samples)
    samples, _ = join_with_silences([a], [], lead=0.3, tail=0.3)
    assert len(samples) / 16000 > 2.5, "the sentence must still be playing when recording is stopped"
    return write_wav(tmp_path / "first-sentence.wav", samples, 16000)


def test_real_recording_stops_on_enter_and_on_ctrl_c(pulse_server, play_into_sink, first_sentence, tmp_path):
    wav = first_sentence
    recorder = Recorder(settings=Endpointing(silence_seconds=4.0), spool_dir=tmp_path)
    player = play_into_sink(wav, delay=0.3)
    started = time.monotonic()

    def enter_after_two_seconds():
        return time.monotonic() - started > 2.0

    rec = recorder.record("q1", should_stop=enter_after_two_seconds)
    assert rec.reason == STOPPED and rec.has_answer
    assert 1.5 < rec.recorded_s < 3.0
    player.join()

    def ctrl_c(progress):
        if progress.elapsed_s > 1.5:
            raise KeyboardInterrupt

    player = play_into_sink(wav, delay=0.2)
    rec = recorder.record("q1", on_progress=ctrl_c)
    player.join()
    assert rec.reason == INTERRUPTED
    assert rec.has_answer, "what was said before Ctrl-C must be kept"
    assert rec.spool_path is not None and rec.spool_path.exists()
