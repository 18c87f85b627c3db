"""Nothing leaves the computer: only `redrill model pull` may use the network.

redrill runs as a real subprocess under a guard that replaces every way Python opens a network
connection (``socket.socket.connect``/``connect_ex``/``sendto``, ``socket.create_connection``,
``socket.getaddrinfo``) with one that writes the attempt to a log file and fails. Local sockets
(AF_UNIX, e.g. the sound server) are allowed: they do not leave the machine. Hugging Face's offline
switches are removed from the environment, so redrill itself must be what stays offline.

``model pull`` is run too, to prove the guard sees attempts: it must try, be refused, and fail
with a clean message.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

from fixtures_model import speech_wav

GUARD = r"""
import os, socket, sys, traceback

LOG = os.environ["REDRILL_TEST_NETLOG"]

def _record(what, target):
    with open(LOG, "a") as f:
        f.write(f"{what} {target!r}\n")
        f.write("".join(traceback.format_stack(limit=8)) + "\n")
    raise OSError(101, f"network blocked by the test: {what} {target!r}")

def _is_local(sock):
    return getattr(socket, "AF_UNIX", None) is not None and sock.family == socket.AF_UNIX

_connect, _connect_ex, _sendto = socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto

def connect(self, address):
    if _is_local(self):
        return _connect(self, address)
    _record("connect", address)

def connect_ex(self, address):
    if _is_local(self):
        return _connect_ex(self, address)
    _record("connect_ex", address)

def sendto(self, data, *args):
    if _is_local(self):
        return _sendto(self, data, *args)
    _record("sendto", args[-1] if args else None)

socket.socket.connect, socket.socket.connect_ex, socket.socket.sendto = connect, connect_ex, sendto
socket.create_connection = lambda address, *a, **k: _record("create_connection", address)
socket.getaddrinfo = lambda host, port, *a, **k: _record("getaddrinfo", (host, port))

import runpy
sys.argv = ["redrill", *sys.argv[1:]]
runpy.run_module("redrill", run_name="__main__", alter_sys=True)
"""

OFFLINE_SWITCHES = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE", "REDRILL_MODEL")


def guarded(home: Path, tmp_path: Path, *args, timeout: float = 120) -> tuple[subprocess.CompletedProcess, str]:
    """Run redrill ARGS with the network guard; returns the result and the log of attempts."""
    guard = tmp_path / "netguard.py"
    guard.write_text(GUARD)
    log = tmp_path / "net-attempts.log"
    log.write_text("")
    env = {k: v for k, v in os.environ.items() if k not in OFFLINE_SWITCHES}
    env.update({"REDRILL_HOME": str(home), "REDRILL_TEST_NETLOG": str(log), "COLUMNS": "120"})
    proc = subprocess.run(
        [sys.executable, str(guard), *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=timeout,
    )
    return proc, log.read_text()


def test_transcribing_an_answer_uses_no_network(redrill_home, tmp_path, whisper_model_dir):
    wav = speech_wav("I rolled the migration back within an hour and then added a test.", tmp_path)
    (redrill_home / "config.yaml").write_text("beam_size: 1\nmax_tokens_per_window: 20\n")
    proc, attempts = guarded(
        redrill_home, tmp_path, "answer", "failure-story", "--audio", wav, "--model", whisper_model_dir, "--json"
    )
    assert attempts == "", f"redrill tried to use the network:\n{attempts}"
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["metrics"]["words"] > 0
    db = sqlite3.connect(redrill_home / "redrill.db")
    try:
        assert db.execute("SELECT status, source FROM attempts").fetchall() == [("scored", "audio_file")]
    finally:
        db.close()


def test_missing_model_fails_fast_without_network(redrill_home, tmp_path):
    wav = speech_wav("Hello there.", tmp_path)
    proc, attempts = guarded(redrill_home, tmp_path, "answer", "failure-story", "--audio", wav, "--model", "base.en")
    assert attempts == "", f"looking for a missing model went to the network:\n{attempts}"
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "redrill model pull base.en" in proc.stderr and "redrill transcribe --pending" in proc.stderr


def test_doctor_and_text_commands_use_no_network(redrill_home, tmp_path):
    for args in (
        ("doctor",),
        ("answer", "failure-story", "--text", "I rolled it back."),
        ("progress",),
        ("report",),
        ("export",),
        ("model", "list"),
    ):
        proc, attempts = guarded(redrill_home, tmp_path, *args)
        assert attempts == "", f"`redrill {' '.join(args)}` tried to use the network:\n{attempts}"
        assert "Traceback" not in proc.stderr, proc.stderr
        assert proc.returncode in (0, 1), (args, proc.stderr)
        if args[0] == "doctor":
            assert "speech model" in proc.stdout or "model" in proc.stdout, proc.stdout


def test_prep_and_mock_use_no_network(redrill_home, tmp_path):
    """Key phrases come from YAKE on this computer; nothing about the job goes anywhere."""
    job = Path(__file__).parent / "jobs" / "data-analyst.txt"
    # With the test sound server up (an earlier test started it), mock and warmup read each question
    # aloud into it in real time: the fastest reading rate speaks them all the same, in half the time.
    (redrill_home / "config.yaml").write_text("rate: 400\n")
    for args in (
        ("prep", job, "--yes", "--name", "analyst"),
        ("mock", "--text", "--prep", "analyst"),
        ("warmup", "--text"),
    ):
        proc, attempts = guarded(redrill_home, tmp_path, *args)
        assert attempts == "", f"`redrill {' '.join(map(str, args))}` tried to use the network:\n{attempts}"
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, (args, proc.stderr)
    assert (
        "Saved prep set 'analyst'"
        in guarded(redrill_home, tmp_path, "prep", job, "--yes", "--name", "analyst")[0].stdout
    )


def test_model_pull_is_the_one_command_that_goes_online_and_fails_cleanly(redrill_home, tmp_path):
    proc, attempts = guarded(redrill_home, tmp_path, "model", "pull", "tiny.en", timeout=60)
    assert attempts, "model pull made no connection attempt: the guard does not see the network"
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Error: could not download tiny.en" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert not (redrill_home / "models" / "tiny.en").exists(), "a failed pull left a partial model"


def test_importing_redrill_switches_library_telemetry_off_before_anything_loads_it():
    """onnxruntime reads ORT_DISABLE_TELEMETRY once, when first imported: the switch must already be
    set by then, whatever the shell exported (the system-call test proves the effect)."""
    env = {**os.environ, "ORT_DISABLE_TELEMETRY": "0", "HF_HUB_DISABLE_TELEMETRY": "0"}
    code = (
        "import os, sys; import redrill; from redrill.transcription import whisper; "
        "print(os.environ['ORT_DISABLE_TELEMETRY'], os.environ['HF_HUB_DISABLE_TELEMETRY'], 'onnxruntime' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.split() == ["1", "1", "False"]


# --- nothing readable by other users ----------------------------------------------------------


def test_every_file_real_commands_create_is_user_only(redrill_home, tmp_path, whisper_model_dir):
    """With a permissive umask, the data home is 0700 inside and out and every file 0600: the
    database and its -wal/-shm files, the Opus recordings, the user's bank, exports and reports."""
    from redrill.store import Store

    wav = speech_wav("I rolled the migration back within an hour and then added a test.", tmp_path)
    debrief = tmp_path / "debrief.yaml"
    debrief.write_text(
        "interview: {company: Acme}\nwent_well: [intro]\nquestions:\n  - text: Why leave your job?\n    rating: bombed\n"
    )
    (tmp_path / "work").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "REDRILL_MODEL"}
    env.update({"REDRILL_HOME": str(redrill_home), "COLUMNS": "120"})

    def run(*args):
        proc = subprocess.run(
            [sys.executable, "-m", "redrill", *map(str, args)],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path / "work",
            timeout=120,
            preexec_fn=lambda: os.umask(0o000),  # the worst case: nothing private by default
        )
        assert proc.returncode == 0, (args, proc.stderr)

    run("paths")  # creates the home
    (redrill_home / "config.yaml").write_text("beam_size: 1\nmax_tokens_per_window: 20\n")
    os.chmod(redrill_home / "config.yaml", 0o600)
    reader = Store(redrill_home / "redrill.db")  # another open connection keeps -wal and -shm on disk
    try:
        run("debrief", "--from", debrief)
        run("answer", "failure-story", "--audio", wav, "--model", whisper_model_dir)
        run("answer", "why-leave-your-job", "--text", "I want to build payments at a bigger scale.")
        run("export", "--format", "json", "--out", redrill_home / "exports" / "attempts.json")
        run("report", "--out", redrill_home / "exports" / "report.html")
        names = {p.name for p in redrill_home.iterdir()}
        assert {"redrill.db", "redrill.db-wal", "redrill.db-shm"} <= names, names
        modes = {}
        for root, dirs, files in os.walk(redrill_home):
            for name in dirs + files:
                path = Path(root) / name
                modes[str(path.relative_to(redrill_home))] = stat.S_IMODE(path.stat().st_mode)
    finally:
        reader.close()
    assert stat.S_IMODE(redrill_home.stat().st_mode) == 0o700
    assert any(p.startswith("recordings/") and p.endswith(".ogg") for p in modes), modes
    assert "banks/my-questions.yaml" in modes and "exports/report.html" in modes and "exports/attempts.json" in modes
    exposed = {p: f"{m:o}" for p, m in modes.items() if m & 0o077}
    assert exposed == {}, f"readable by others: {exposed}"
