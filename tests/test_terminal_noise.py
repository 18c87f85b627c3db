"""No sound-library noise on the terminal: ALSA's "underrun occurred" (printed by the C library
straight to file descriptor 2 while sound plays on a busy machine) must not reach the screen.

The playback runs in a subprocess on the virtual sound device while three threads keep the
interpreter busy (as loading the speech model does while a question is read aloud), which makes
PortAudio's Python callback late and ALSA report underruns. The same run with the capture switched
off shows that the noise is really there to be hidden.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.audio

PLAY_WHILE_BUSY = """
import contextlib, sys, threading
import numpy as np
from redrill.sound import devices, playback

if sys.argv[1] == "raw":
    @contextlib.contextmanager
    def nothing():
        yield devices.CapturedStderr()

    devices.capture_stderr = nothing
busy = True

def burn():
    while busy:
        sum(i * i for i in range(10000))

for _ in range(3):
    threading.Thread(target=burn, daemon=True).start()
t = np.arange(32000) / 16000
playback.play_samples((0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 16000)
busy = False
print("played")
"""


def play_while_busy(env, mode: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", PLAY_WHILE_BUSY, mode], env=env, capture_output=True, text=True, timeout=60
    )


def test_alsa_underruns_while_playing_stay_off_the_terminal(pulse_server):
    raw = play_while_busy(pulse_server.env, "raw")
    assert raw.returncode == 0, raw.stderr
    assert "underrun occurred" in raw.stderr, "the test's premise: a busy interpreter makes ALSA complain"
    for _ in range(3):
        run = play_while_busy(pulse_server.env, "captured")
        assert run.returncode == 0 and run.stdout.strip() == "played", run.stderr
        assert run.stderr == "", run.stderr
