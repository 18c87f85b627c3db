"""The question voice: voice matching, real pyttsx3 rendering, and real speech into the virtual device."""

from __future__ import annotations

import numpy as np
import pytest

from redrill.errors import RedrillError
from redrill.sound.playback import cue_samples, play_samples
from redrill.sound.speaker import NullSpeaker, TtsSpeaker, VoiceInfo, list_voices, match_voice

VOICES = [
    VoiceInfo("gmw/en", "English (Great Britain)"),
    VoiceInfo("gmw/en-us", "English (America)"),
    VoiceInfo("gmw/en-us-nyc", "English (America, New York City)"),
    VoiceInfo("roa/fr", "French"),
]


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if len(x) else 0.0


def test_match_voice_by_id_name_and_part():
    assert match_voice("gmw/en-us", VOICES).id == "gmw/en-us"
    assert match_voice("French", VOICES).id == "roa/fr"
    assert match_voice("en-us", VOICES).id == "gmw/en-us"  # the exact last part wins over en-us-nyc
    assert match_voice("nyc", VOICES).id == "gmw/en-us-nyc"
    assert match_voice("EN-US", VOICES).id == "gmw/en-us"


def test_match_voice_unknown_and_ambiguous_say_what_to_do():
    with pytest.raises(RedrillError) as err:
        match_voice("klingon", VOICES)
    assert "no voice matches 'klingon'" in str(err.value)
    assert "redrill devices --voices" in str(err.value)
    with pytest.raises(RedrillError) as err:
        match_voice("america", VOICES)
    assert "matches 2 voices" in str(err.value) and "gmw/en-us-nyc" in str(err.value)


def test_null_speaker_is_silent_and_remembers():
    speaker = NullSpeaker()
    speaker.say("Tell me about yourself.")
    speaker.cue()
    assert speaker.said == ["Tell me about yourself."]


def test_missing_espeak_names_the_install_command(monkeypatch):
    import ctypes.util

    from redrill.sound import speaker as tts

    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    # An engine started by an earlier test would be reused (espeak-ng is clearly there then):
    # look as a fresh process does.
    monkeypatch.setattr(tts, "_engines", [])
    with pytest.raises(RedrillError) as err:
        TtsSpeaker()
    assert "sudo apt-get install espeak-ng, or use --no-tts" in str(err.value)


def test_bad_rate_is_refused():
    with pytest.raises(RedrillError, match="positive number of words per minute"):
        TtsSpeaker(rate=0)


def test_real_voices_include_american_english():
    voices = list_voices()
    assert len(voices) > 10, "espeak-ng offers no voices: sudo apt-get install espeak-ng"
    assert match_voice("en-us", voices).id.endswith("en-us")


def test_render_twice_in_a_row_and_rate_changes_length():
    """Each utterance gets its own runAndWait: the second render must not be lost or stale."""
    slow = TtsSpeaker(voice="en-us", rate=110)
    a, rate_a = slow.render("Tell me about a time you failed.")
    b, _ = slow.render("Why do you want this job?")
    assert rate_a == 22050
    assert rms(a) > 0.02 and rms(b) > 0.02
    assert abs(len(a) - len(b)) > 0.1 * rate_a, "the second render repeated the first"
    fast, _ = TtsSpeaker(voice="en-us", rate=260).render("Tell me about a time you failed.")
    assert len(fast) < 0.75 * len(a)


def test_a_new_rate_is_taken_every_time_it_changes():
    """espeak-ng now and then kept the rate it had when a new one was set (1 render in 3 when two
    speakers took turns): each render must come out at its own speaker's rate."""
    slow, fast = TtsSpeaker(voice="en-us", rate=110), TtsSpeaker(voice="en-us", rate=260)
    text = "Tell me about a time you failed."
    lengths = [(speaker.rate, len(speaker.render(text)[0])) for _ in range(6) for speaker in (slow, fast)]
    slowest_fast = max(n for rate, n in lengths if rate == 260)
    fastest_slow = min(n for rate, n in lengths if rate == 110)
    assert slowest_fast < 0.75 * fastest_slow, lengths


def test_render_does_not_print_on_stdout(capfd):
    TtsSpeaker(rate=250).render("Hello.")
    out, _ = capfd.readouterr()
    assert out == ""


def test_pyttsx3_really_speaks_into_the_virtual_device(pulse_server, monitor_recorder):
    speaker = TtsSpeaker(voice="en-us", rate=200)
    rec = monitor_recorder()
    speaker.say("Tell me about a time you disagreed with your manager.")
    heard = rec.stop()
    assert len(heard) > 16000, "nothing was recorded from the null sink monitor"
    loud = np.abs(heard) > 0.02
    assert rms(heard) > 0.01, f"the spoken question was silent (RMS {rms(heard):.4f})"
    # Speech, not a click: sound spread over more than a second.
    voiced_s = np.count_nonzero(loud) / 16000
    span_s = (np.nonzero(loud)[0][-1] - np.nonzero(loud)[0][0]) / 16000
    assert span_s > 1.5 and voiced_s > 0.3, (span_s, voiced_s)


def test_cue_tone_is_heard_at_880_hz(pulse_server, monitor_recorder):
    rec = monitor_recorder()
    TtsSpeaker().cue()
    heard = rec.stop()
    assert rms(heard) > 0.01
    spectrum = np.abs(np.fft.rfft(heard))
    peak_hz = np.argmax(spectrum) * 16000 / len(heard)
    assert abs(peak_hz - 880) < 15, peak_hz


def test_cue_samples_fade_in_and_out():
    tone = cue_samples(16000)
    assert abs(tone[0]) < 1e-3 and abs(tone[-1]) < 0.02
    assert 0.1 < np.max(np.abs(tone)) <= 0.25 + 1e-6


def test_no_output_device_gives_a_clear_error(monkeypatch):
    import sounddevice as sd

    def no_device(*args, **kwargs):
        raise sd.PortAudioError("Error querying device -1")

    monkeypatch.setattr(sd, "query_devices", no_device)
    with pytest.raises(RedrillError) as err:
        play_samples(cue_samples(), 16000)
    assert "no sound output device" in str(err.value) and "--no-tts" in str(err.value)


def test_speaking_in_a_fresh_process_prints_nothing_and_leaves_stdout_working():
    """pyttsx3's driver prints "Audio saved to ..." from espeak's thread; none of it may reach the
    user, and stdout must still work afterwards (a subprocess sees what a user's terminal sees)."""
    import subprocess
    import sys

    code = (
        "from redrill.sound.speaker import TtsSpeaker\n"
        "s = TtsSpeaker(rate=300)\n"
        "for text in ('Tell me about a time you failed.', 'Why this company?', 'Any questions for us?'):\n"
        "    s.render(text)\n"
        "print('still here')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True).stdout
    assert out == "still here\n"


def test_a_lost_utterance_is_rendered_again_on_a_fresh_engine(monkeypatch, tmp_path):
    """pyttsx3 now and then drops an utterance: the first try reports it lost, a fresh engine retries."""
    from redrill.sound import speaker as tts

    tries, resets = [], []
    outcomes = iter([tts.LOST, None])

    def render_once(self, text, wav, *, stall_s=None):
        tries.append(stall_s)
        return next(outcomes)

    monkeypatch.setattr(tts.TtsSpeaker, "_render_once", render_once)
    monkeypatch.setattr(tts, "_reset_engine", lambda: resets.append(1))
    speaker = tts.TtsSpeaker()
    speaker._render_to("Why this company?", tmp_path / "q.wav")
    assert tries == [tts.STALL_S, None] and resets == [1]
    # lost twice: a clear error, never a hang
    outcomes = iter([tts.LOST, tts.LOST])
    with pytest.raises(RedrillError, match="produced no audio"):
        speaker._render_to("Why this company?", tmp_path / "q.wav")
