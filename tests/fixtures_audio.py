"""A real, virtual sound device for the audio tests: a private PulseAudio server with a null sink.

Whatever is played into the null sink comes back out of its monitor source, which is the default
input, so a test can play speech "into the microphone" and record what a speaker said.
``norewinds=1`` is essential: without it the monitor recording is garbled.

* ``pulse_server`` (session): starts the server in a temporary folder, waits until ``pactl info``
  answers, points PULSE_SERVER at it (for subprocesses and, by re-initialising PortAudio, for this
  process) and stops only its own process at the end. Missing pulseaudio fails the test with the
  install command: the tests this serves are about real audio and must not silently skip.
* ``play_into_sink(wav, delay)``: plays a WAV file into the null sink after a delay, in the
  background (paplay).
* ``MonitorRecorder``: records the null sink's monitor in the background (parec), as 16 kHz mono.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

SINK = "nullsink"
INSTALL_PULSE = "install pulseaudio (sudo apt-get install pulseaudio)"


@dataclass(frozen=True)
class PulseServer:
    """A running private PulseAudio server."""

    pid: int
    socket: str  # the PULSE_SERVER value
    env: dict  # environment for pactl/paplay/parec and for redrill subprocesses
    folder: Path

    @property
    def sink(self) -> str:
        return SINK

    @property
    def monitor(self) -> str:
        return f"{SINK}.monitor"


def _tool(name: str, package: str) -> str:
    exe = shutil.which(name)
    if exe is None:
        pytest.fail(f"{name} is not installed: install {package} (sudo apt-get install {package})")
    return exe


@pytest.fixture(scope="session")
def pulse_server(tmp_path_factory):
    """A private PulseAudio server with a null sink; PULSE_SERVER points at it for the session."""
    exe = shutil.which("pulseaudio")
    if exe is None:
        pytest.fail(f"pulseaudio is not installed: {INSTALL_PULSE}; the audio tests need a virtual sound device")
    pactl = _tool("pactl", "pulseaudio-utils")
    folder = tmp_path_factory.mktemp("pulse")
    run = folder / "run"
    run.mkdir(mode=0o700)
    (folder / "cfg").mkdir()
    sock = run / "pa.sock"
    server_address = f"unix:{sock}"
    env = {
        **os.environ,
        "HOME": str(folder),
        "XDG_RUNTIME_DIR": str(run),
        "XDG_CONFIG_HOME": str(folder / "cfg"),
        "PULSE_SERVER": server_address,
    }
    log = folder / "pa.log"
    proc = subprocess.Popen(
        [
            exe,
            "--daemonize=no",
            "-n",
            "--exit-idle-time=-1",
            "--use-pid-file=no",
            f"--log-target=file:{log}",
            f"--load=module-native-protocol-unix auth-anonymous=1 socket={sock}",
            f"--load=module-null-sink sink_name={SINK} norewinds=1",
        ],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 15
    while True:
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            pytest.fail(
                f"pulseaudio exited at start (code {proc.returncode}): {err.strip()} {log.read_text() if log.exists() else ''}"
            )
        ok = subprocess.run([pactl, "info"], env=env, capture_output=True, timeout=10).returncode == 0
        if ok:
            break
        if time.monotonic() > deadline:
            proc.terminate()
            pytest.fail(f"pulseaudio did not answer `pactl info` within 15 s; see {log}")
        time.sleep(0.05)
    saved = {k: os.environ.get(k) for k in ("PULSE_SERVER", "XDG_RUNTIME_DIR")}
    os.environ["PULSE_SERVER"] = server_address
    os.environ["XDG_RUNTIME_DIR"] = str(run)
    _reinit_portaudio()
    try:
        yield PulseServer(pid=proc.pid, socket=server_address, env=env, folder=folder)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        proc.terminate()  # only the server we started, by its own PID
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        if proc.stderr:
            proc.stderr.close()
        _reinit_portaudio()


def _reinit_portaudio() -> None:
    """PortAudio reads PULSE_SERVER once, at initialisation: start it again in this process."""
    try:
        import sounddevice as sd
    except OSError:
        pytest.fail("the PortAudio library is missing: install libportaudio2 (sudo apt-get install libportaudio2)")
    from redrill.sound import devices

    sd._terminate()
    sd._initialize()
    devices._pulse_server_at_init[:] = [os.environ.get("PULSE_SERVER")]


class Player:
    """A WAV file played into the null sink after a delay, in a background thread."""

    def __init__(self, server: PulseServer, wav: Path, delay: float):
        self.server, self.wav, self.delay = server, Path(wav), delay
        self.started_at: float | None = None
        self.result: subprocess.CompletedProcess | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        time.sleep(self.delay)
        self.started_at = time.monotonic()
        self.result = subprocess.run(
            [_tool("paplay", "pulseaudio-utils"), f"--device={self.server.sink}", str(self.wav)],
            env=self.server.env,
            capture_output=True,
            timeout=120,
        )

    def join(self, timeout: float = 60) -> None:
        """Wait until the file has been played; fail if paplay failed."""
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "paplay did not finish"
        assert self.result is not None and self.result.returncode == 0, self.result and self.result.stderr


@pytest.fixture
def play_into_sink(pulse_server):
    """``play_into_sink(wav, delay=0.0)``: start playing a WAV into the null sink; returns a Player."""
    players: list[Player] = []

    def play(wav: Path, delay: float = 0.0) -> Player:
        player = Player(pulse_server, wav, delay)
        players.append(player)
        return player

    yield play
    for player in players:
        player._thread.join(60)


class MonitorRecorder:
    """Records the null sink's monitor (what is being played) with parec, 16 kHz mono."""

    RATE = 16000

    def __init__(self, server: PulseServer):
        self.proc = subprocess.Popen(
            [
                _tool("parec", "pulseaudio-utils"),
                f"--device={server.monitor}",
                "--format=s16le",
                f"--rate={self.RATE}",
                "--channels=1",
                "--raw",
                "--latency-msec=20",
            ],
            env=server.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._chunks: list[bytes] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        stdout = self.proc.stdout
        assert stdout is not None
        for chunk in iter(lambda: stdout.read(3200), b""):
            self._chunks.append(chunk)

    def stop(self) -> np.ndarray:
        """Stop recording (only our parec) and return the samples as float32."""
        time.sleep(0.3)  # the sink's latency: let the tail of the sound arrive
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self._reader.join(10)
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe:
                pipe.close()
        raw = b"".join(self._chunks)
        raw = raw[: len(raw) - len(raw) % 2]
        return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0


@pytest.fixture
def monitor_recorder(pulse_server):
    """``monitor_recorder()``: start recording what is played into the null sink."""
    started: list[MonitorRecorder] = []

    def start() -> MonitorRecorder:
        rec = MonitorRecorder(pulse_server)
        started.append(rec)
        time.sleep(0.2)  # parec connects before anything is played
        return rec

    yield start
    for rec in started:
        if rec.proc.poll() is None:
            rec.stop()
