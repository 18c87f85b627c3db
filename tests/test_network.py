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
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures_model import speech_wav

GUARD = r'''
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
'''

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
    proc, attempts = guarded(redrill_home, tmp_path, "answer", "failure-story", "--audio", wav, "--model", whisper_model_dir, "--json")
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
    proc, attempts = guarded(redrill_home, tmp_path, "answer", "failure-story", "--audio", wav)
    assert attempts == "", f"looking for a missing model went to the network:\n{attempts}"
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "redrill model pull base.en" in proc.stderr and "redrill transcribe --pending" in proc.stderr


def test_doctor_and_text_commands_use_no_network(redrill_home, tmp_path):
    for args in (("doctor",), ("answer", "failure-story", "--text", "I rolled it back."), ("progress",), ("report",), ("export",), ("model", "list")):
        proc, attempts = guarded(redrill_home, tmp_path, *args)
        assert attempts == "", f"`redrill {' '.join(args)}` tried to use the network:\n{attempts}"
        assert "Traceback" not in proc.stderr, proc.stderr
        assert proc.returncode in (0, 1), (args, proc.stderr)
        if args[0] == "doctor":
            assert "speech model" in proc.stdout or "model" in proc.stdout, proc.stdout


def test_model_pull_is_the_one_command_that_goes_online_and_fails_cleanly(redrill_home, tmp_path):
    proc, attempts = guarded(redrill_home, tmp_path, "model", "pull", "tiny.en", timeout=60)
    assert attempts, "model pull made no connection attempt: the guard does not see the network"
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Error: could not download tiny.en" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert not (redrill_home / "models" / "tiny.en").exists(), "a failed pull left a partial model"
