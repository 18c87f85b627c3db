"""No sound-library noise on the terminal: ALSA's "underrun occurred" (printed by the C library
straight to file descriptor 2 while sound plays on a busy machine) must not reach the screen.

The playback runs in a subprocess on the virtual sound device while three threads keep the
interpreter busy (as loading the speech model does while a question is read aloud), which makes
PortAudio's Python callback late and ALSA report underruns. The same run with the capture switched
off shows that the noise is really there to be hidden; it plays beside the captured runs, under
the same load.
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


def play_while_busy(env, modes: list[str]) -> list[subprocess.CompletedProcess]:
    """Run one playback per mode, all at once (each is a separate process on the same sound server)."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", PLAY_WHILE_BUSY, mode],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for mode in modes
    ]
    results = []
    try:
        for proc in procs:
            out, err = proc.communicate(timeout=60)
            results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()  # only the players this test started
                proc.communicate()
    return results


def test_alsa_underruns_while_playing_stay_off_the_terminal(pulse_server):
    # The uncaptured run and three captured ones play side by side, under the same load: each run
    # waits out its playback, and one at a time they took four times as long.
    raw, *captured = play_while_busy(pulse_server.env, ["raw", "captured", "captured", "captured"])
    assert raw.returncode == 0, raw.stderr
    assert "underrun occurred" in raw.stderr, "the test's premise: a busy interpreter makes ALSA complain"
    for run in captured:
        assert run.returncode == 0 and run.stdout.strip() == "played", run.stderr
        assert run.stderr == "", run.stderr
