"""The question voice: questions read aloud with text-to-speech (pyttsx3).

The speaker is an adapter the drill loop receives (the ``Speaker`` contract in ``redrill.adapters``):
:class:`TtsSpeaker` for real use, :class:`NullSpeaker` for ``--no-tts`` and tests. Both have
``say(text)`` (blocks until the question has been spoken) and ``cue()`` (the short beep that says
"answer now").

pyttsx3 2.99 on Linux (espeak-ng driver) has bugs this module is built around:

* ``runAndWait()`` may return before the speech is finished, so we wait for the engine's
  ``finished-utterance`` callback on a :class:`threading.Event`, with a timeout, instead.
* Only the last item queued before one ``runAndWait()`` is processed, and after ``save_to_file()``
  a later ``say()`` writes the file again instead of speaking. So each utterance gets its own
  ``runAndWait()`` and we only ever use ``save_to_file()`` (never ``say()``) on our engine.
* ``say()`` plays through ``os.system("aplay ...")``: the C ``system()`` ignores Ctrl-C in the
  whole process while it runs, and ``aplay`` only knows the ALSA default device. Rendering to a WAV
  file and playing it ourselves (sounddevice) keeps Ctrl-C working and lets the user pick a device.

pyttsx3, sounddevice and numpy are imported inside the functions that need them.
"""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from redrill.errors import RedrillError
from redrill.samplerate import SAMPLE_RATE
from redrill.sound.playback import cue_tone, play_samples, read_wav

if TYPE_CHECKING:
    import numpy as np

INSTALL_TTS = "sudo apt-get install espeak-ng, or use --no-tts"
# Rendering is many times faster than real time; this only guards against a hung engine.
RENDER_TIMEOUT_BASE_S = 15.0
LOST_AFTER_S = 2.0  # no WAV this long after finished-utterance: the driver lost the utterance
# A sentence renders in well under a second; no finished-utterance after this long on a first try
# means the engine stalled on it, and it is rendered again on a fresh engine.
STALL_S = 6.0
# How long a new utterance waits for the engine to be idle and take its rate (_set_voice_and_rate).
SETTLE_S = 1.0
LOST = "lost"
RENDER_TIMEOUT_PER_WORD_S = 0.5


class NullSpeaker:
    """A silent speaker for ``--no-tts``: the question is only shown on screen, no tone."""

    def __init__(self) -> None:
        self.said: list[str] = []

    def say(self, text: str) -> None:
        """Remember the text (for tests); make no sound."""
        self.said.append(text)

    def cue(self) -> None:
        """No tone: with --no-tts redrill makes no sound at all."""


@dataclass(frozen=True)
class VoiceInfo:
    """One text-to-speech voice: ``id`` is what ``--voice`` accepts (a part of it is enough)."""

    id: str
    name: str
    languages: tuple[str, ...] = ()
    gender: str | None = None


_engine_lock = threading.Lock()
_engines: list = []  # [current]; replaced engines are kept in _retired (see _reset_engine)
_retired: list = []
_atexit_registered: list = []


def _new_engine():
    """A fresh pyttsx3 engine, or a RedrillError that says how to install espeak-ng."""
    if sys.platform.startswith("linux"):
        import ctypes.util

        if not (ctypes.util.find_library("espeak-ng") or ctypes.util.find_library("espeak")):
            raise RedrillError(f"cannot read questions aloud: espeak-ng is not installed ({INSTALL_TTS})")
    try:
        from pyttsx3.engine import Engine

        # Engine() rather than pyttsx3.init(): init() hands back a cached engine that may be
        # mid-loop after a timeout; a fresh one starts clean.
        engine = Engine()
        # The engine counts as busy until its first run loop, so settings made before the first
        # utterance wait in its queue; the espeak-ng driver needs no loop to take a setting, and
        # _set_voice_and_rate can then check that the rate was taken.
        with contextlib.suppress(AttributeError):
            engine.proxy.setBusy(False)
        return engine
    except Exception as exc:  # the drivers fail with OSError, RuntimeError, ImportError, ...
        raise RedrillError(
            f"cannot read questions aloud: the speech engine failed to start ({exc}); {INSTALL_TTS}"
        ) from None


def _release_engines() -> None:
    # Drop the engines while the interpreter is still whole: pyttsx3's DriverProxy.__del__ run
    # during interpreter shutdown prints a traceback (its module globals are already gone).
    with _engine_lock:
        _engines.clear()
        _retired.clear()
    import gc

    gc.collect()


def _wav_ready(wav: Path) -> bool:
    """True once the driver has written a WAV with audio in it (more than its 44-byte header)."""
    try:
        return wav.stat().st_size > 44
    except OSError:
        return False


def _engine():
    """The process's one pyttsx3 engine.

    One, because espeak-ng is a process-wide singleton: when a second engine is garbage collected
    its driver unregisters *the* synthesis callback, and the surviving engine never finishes again.
    """
    with _engine_lock:
        if not _engines:
            _engines.append(_new_engine())
            if not _atexit_registered:
                import atexit

                atexit.register(_release_engines)
                _atexit_registered.append(True)
        return _engines[0]


def _reset_engine():
    """Replace a hung engine. The old one is kept alive on purpose (see :func:`_engine`)."""
    with _engine_lock:
        _retired.extend(_engines)
        _engines[:] = [_new_engine()]
        return _engines[0]


def _claim_callback(engine) -> None:
    """Point espeak-ng's synthesis callback at this engine's driver (someone may have cleared it)."""
    driver = getattr(getattr(engine, "proxy", None), "_driver", None)
    if driver is not None and type(driver).__module__.endswith("drivers.espeak"):
        from pyttsx3.drivers import _espeak

        _espeak.SetSynthCallback(driver._onSynth)


def list_voices() -> list[VoiceInfo]:
    """Every voice the text-to-speech engine offers, sorted by id."""
    engine = _engine()
    voices = []
    for v in engine.getProperty("voices") or []:
        langs = tuple(str(x) for x in (getattr(v, "languages", None) or ()) if x)
        voices.append(
            VoiceInfo(
                id=str(v.id),
                name=str(getattr(v, "name", "") or v.id),
                languages=langs,
                gender=getattr(v, "gender", None),
            )
        )
    return sorted(voices, key=lambda v: v.id)


def match_voice(wanted: str, voices: list[VoiceInfo]) -> VoiceInfo:
    """The voice meant by ``wanted``: an exact id or name, else the one whose id or name contains it.

    ``en-us`` matches ``gmw/en-us``. Ambiguous or unknown values raise a RedrillError listing
    candidates.
    """
    key = wanted.strip().casefold()
    for v in voices:
        if key in (v.id.casefold(), v.name.casefold()):
            return v
    # "en-us" should pick gmw/en-us, not gmw/en-us-nyc: prefer the id whose last part is exact.
    tail = [v for v in voices if v.id.casefold().rsplit("/", 1)[-1] == key]
    if len(tail) == 1:
        return tail[0]
    found = [v for v in voices if key in v.id.casefold() or key in v.name.casefold()]
    if len(found) == 1:
        return found[0]
    if not found:
        raise RedrillError(
            f"no voice matches '{wanted}'. Some voices: {', '.join(v.id for v in voices[:8])}"
            f"{' ...' if len(voices) > 8 else ''}. `redrill devices --voices` lists them all."
        )
    raise RedrillError(
        f"'{wanted}' matches {len(found)} voices: {', '.join(v.id for v in found[:8])}"
        f"{' ...' if len(found) > 8 else ''}. Give more of the id."
    )


def _set_voice_and_rate(engine, voice: str | None, rate: int, wait_s: float = SETTLE_S) -> None:
    """Set espeak-ng's voice and rate (espeak-wide settings) for the next utterance.

    The engine marks itself idle only after it has reported the utterance before as finished, and a
    setting made while it is busy waits in its queue: so first wait (at most ``wait_s``) until it is
    idle. Then a rate set is now and then not taken: espeak-ng keeps the rate it had, and the text is
    read at the earlier speed (20 of 60 renders here when two speakers' rates took turns on 2 busy
    cores), so the rate is set again until espeak-ng reports it (none of 160 wrong).
    """
    proxy = getattr(engine, "proxy", None)
    busy = getattr(proxy, "isBusy", None)
    until = time.monotonic() + wait_s
    while busy is not None and busy() and time.monotonic() < until:
        time.sleep(0.005)
    # Voice first: choosing a voice resets espeak's rate to the voice's default.
    if voice:
        engine.setProperty("voice", voice)
    engine.setProperty("rate", rate)
    driver = getattr(proxy, "_driver", None)
    if driver is None or not type(driver).__module__.endswith("drivers.espeak"):
        return
    from pyttsx3.drivers import _espeak

    while _espeak.GetParameter(_espeak.RATE) != rate and time.monotonic() < until:
        engine.setProperty("rate", rate)
        time.sleep(0.01)


class TtsSpeaker:
    """Reads questions aloud with pyttsx3 and plays them through sounddevice.

    ``voice`` is a voice id or a part of one (``en-us``); ``rate`` is words per minute;
    ``device`` is the sounddevice output device (None: the system default).
    """

    def __init__(self, voice: str | None = None, rate: int = 175, device: int | str | None = None):
        if rate <= 0:
            raise RedrillError(f"the speaking rate must be a positive number of words per minute (got {rate})")
        self.rate = int(rate)
        self.device = device
        _engine()  # fail now, with the fix, if there is no speech engine
        self.voice: str | None = None
        if voice:
            self.voice = match_voice(voice, list_voices()).id

    def render(self, text: str) -> tuple[np.ndarray, int]:
        """The speech for ``text`` as mono float32 samples and their sample rate."""
        import numpy as np

        if not text.strip():
            return np.zeros(0, np.float32), SAMPLE_RATE
        with tempfile.TemporaryDirectory(prefix="redrill-tts-") as tmp:
            wav = Path(tmp) / "question.wav"
            self._render_to(text, wav)
            return read_wav(wav)

    def _render_to(self, text: str, wav: Path) -> None:
        """Render ``text`` into ``wav``. pyttsx3 now and then loses an utterance (no event, or an
        event but no file): such an utterance is rendered once more on a fresh engine."""
        problem = self._render_once(text, wav, stall_s=STALL_S)
        if problem == LOST:
            _reset_engine()
            problem = self._render_once(text, wav)
        if problem is not None:
            _reset_engine()  # a hung engine keeps its run loop "started"; a new one is the only way out
            raise RedrillError(f"the speech engine produced no audio; {INSTALL_TTS}" if problem == LOST else problem)

    def _render_once(self, text: str, wav: Path, *, stall_s: float | None = None) -> str | None:
        """One try: None when ``wav`` holds the speech, else LOST or what went wrong.

        With ``stall_s``, an engine that has not finished by then counts as having lost the
        utterance (so it can be tried again) instead of being waited for until the full timeout.
        """
        done = threading.Event()
        engine = _engine()
        _claim_callback(engine)
        _set_voice_and_rate(engine, self.voice, self.rate)
        token = engine.connect("finished-utterance", lambda name=None, completed=True: done.set())
        failure: list[BaseException] = []

        def run() -> None:
            try:
                engine.save_to_file(text, str(wav))
                engine.runAndWait()
            except BaseException as exc:  # reported to the caller below
                failure.append(exc)
                done.set()

        worker = threading.Thread(target=run, name="redrill-tts", daemon=True)
        timeout = RENDER_TIMEOUT_BASE_S + RENDER_TIMEOUT_PER_WORD_S * len(text.split())
        lost = False
        try:
            # The espeak driver prints "Audio saved to ..." on stdout, from espeak's own thread and
            # possibly after runAndWait returned (a known pyttsx3 bug), but always before the
            # finished-utterance event. So stdout is redirected here, by this one thread only,
            # from before the worker starts until that event: redirecting in the worker as well
            # would let the two restore each other's buffers and leave stdout swallowed.
            with contextlib.redirect_stdout(io.StringIO()):
                worker.start()
                finished = done.wait(timeout if stall_s is None else min(stall_s, timeout))
                lost = not finished and stall_s is not None and not failure
                # The event can come a moment before the WAV is on disk, or for an utterance the
                # driver then drops: give the file LOST_AFTER_S to appear.
                lost_at = time.monotonic() + LOST_AFTER_S
                while finished and not failure and not _wav_ready(wav):
                    if time.monotonic() >= lost_at:
                        lost = True
                        break
                    time.sleep(0.02)
        finally:
            with contextlib.suppress(Exception):
                engine.disconnect(token)
        if failure:
            return f"the speech engine failed: {failure[0]}; {INSTALL_TTS}"
        if lost:
            return LOST
        if not finished:
            return f"the speech engine did not finish within {timeout:.0f} s; try again, or use --no-tts"
        worker.join(1.0)
        return None

    def say(self, text: str) -> None:
        """Speak ``text`` and return when it has been played (Ctrl-C stops it and is re-raised)."""
        samples, rate = self.render(text)
        if len(samples):
            play_samples(samples, rate, device=self.device)

    def cue(self) -> None:
        """The short "answer now" beep."""
        cue_tone(device=self.device)


__all__ = ["NullSpeaker", "TtsSpeaker", "VoiceInfo", "list_voices", "match_voice"]
