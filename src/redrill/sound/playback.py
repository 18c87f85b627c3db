"""Sound out: the cue tone, and playback of recordings and rendered speech (sounddevice).

Playback blocks until the sound has been heard, reports progress for a progress bar, and turns
every device failure into a clear :class:`~redrill.errors.RedrillError`. sounddevice and numpy are
imported inside the functions that need them.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import TYPE_CHECKING

from redrill.errors import RedrillError
from redrill.samplerate import SAMPLE_RATE

if TYPE_CHECKING:
    import numpy as np


INSTALL_PORTAUDIO = "install libportaudio2 (sudo apt-get install libportaudio2)"


CUE_HZ = 880.0


CUE_SECONDS = 0.18


def cue_samples(rate: int = SAMPLE_RATE) -> np.ndarray:
    """A soft 880 Hz beep with 20 ms fades (no click at either end)."""
    import numpy as np

    n = int(CUE_SECONDS * rate)
    t = np.arange(n, dtype=np.float32) / rate
    tone = 0.25 * np.sin(2 * np.pi * CUE_HZ * t)
    fade = min(n // 2, int(0.02 * rate))
    ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
    tone[:fade] *= ramp
    tone[n - fade :] *= ramp[::-1]
    return tone.astype(np.float32)


def cue_tone(device: int | str | None = None) -> None:
    """Play the cue beep after the question, so the user knows recording starts now."""
    play_samples(cue_samples(), SAMPLE_RATE, device=device)


def _sounddevice():
    from redrill.sound.devices import capture_stderr

    try:
        with capture_stderr():
            import sounddevice as sd
    except OSError:
        raise RedrillError(f"cannot play sound: the PortAudio library is missing; {INSTALL_PORTAUDIO}") from None
    from redrill.sound.devices import refresh_portaudio

    with capture_stderr():
        refresh_portaudio(sd)
    return sd


def play_samples(samples: np.ndarray, rate: int, *, device: int | str | None = None, on_progress=None) -> None:
    """Play mono float samples and return when they have been heard.

    Falls back to the device's own rate when it refuses ``rate``. Ctrl-C stops playback at once and
    is re-raised. With no output device, a RedrillError says how to go on without sound.
    ``on_progress(played_s, total_s)`` (optional) is called about ten times a second while playing.
    The sound libraries' stderr is captured from opening the stream until it is closed (ALSA's
    "underrun occurred" and the like), shown only when playing fails.
    """
    import numpy as np

    from redrill.sound.devices import capture_stderr

    sd = _sounddevice()
    data = np.ascontiguousarray(np.asarray(samples, dtype=np.float32).reshape(-1))
    try:
        info = sd.query_devices(device, kind="output")
    except (ValueError, sd.PortAudioError) as exc:
        raise RedrillError(
            f"no sound output device ({exc}); check your speakers or sound server, or use --no-tts "
            "(questions are then shown on screen only)"
        ) from None
    try:
        sd.check_output_settings(device=device, samplerate=rate, channels=1, dtype="float32")
    except (ValueError, sd.PortAudioError):
        from redrill.sound.audiofile import resample

        target = int(info["default_samplerate"])
        data, rate = resample(data, rate, target), target
    # ALSA reports buffer underruns while the sound plays, not only when the stream opens: the
    # libraries' stderr is captured from opening the stream until it is closed (shown on failure).
    with capture_stderr():
        try:
            sd.play(data, rate, device=device)
            # Wait on our own clock: sd.wait() can hang when a sound server drops the stream.
            total = len(data) / rate
            started = time.monotonic()
            deadline = started + total + 2.0
            stream = sd.get_stream()
            shown = 0.0
            while stream.active and time.monotonic() < deadline:
                time.sleep(0.02)
                now = time.monotonic()
                if on_progress is not None and now - shown >= 0.1:
                    shown = now
                    on_progress(min(total, now - started), total)
            if on_progress is not None:
                on_progress(total, total)
            # What is still in the device buffer must come out before the microphone opens.
            time.sleep(min(0.3, float(getattr(stream, "latency", 0.0) or 0.0)))
        except KeyboardInterrupt:
            sd.stop()
            raise
        except sd.PortAudioError as exc:
            raise RedrillError(
                f"cannot play sound on the output device: {exc}; check your speakers, or use --no-tts"
            ) from None
        finally:
            with contextlib.suppress(Exception):
                sd.stop()


def play_file(path: Path, *, device: int | str | None = None, on_progress=None) -> float:
    """Decode an audio file (any format) and play it; returns its length in seconds.
    ``on_progress`` as in :func:`play_samples`."""
    from redrill.sound.audiofile import load_audio

    audio = load_audio(path)
    play_samples(audio.samples, SAMPLE_RATE, device=device, on_progress=on_progress)
    return audio.seconds


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """A 16-bit PCM WAV file (what espeak-ng writes) as mono float32 samples and its rate."""
    import wave

    import numpy as np

    with wave.open(str(path), "rb") as wav:
        rate, channels, width = wav.getframerate(), wav.getnchannels(), wav.getsampwidth()
        raw = wav.readframes(wav.getnframes())
    if width != 2:
        raise RedrillError(f"{path}: expected 16-bit samples, got {8 * width}-bit")
    data = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1)
    return data.astype(np.float32), rate
