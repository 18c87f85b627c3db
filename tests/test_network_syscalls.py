"""Nothing leaves the computer, proved at the system-call level.

tests/test_network.py patches Python's socket module; native libraries (onnxruntime, ctranslate2,
PortAudio, libcurl inside a wheel) never go through it. Here every redrill command runs as a real
process in an empty network namespace (``unshare -n``: no interface but a loopback that is down),
under ``strace -f -e trace=network``, with a fresh ``HOME``. The test then asserts, per command:

* no ``connect``/``sendto``/``sendmsg`` to anything but a local socket (AF_UNIX, AF_NETLINK): a
  DNS lookup or an HTTPS connection from any code, Python or native, shows up here even though it
  fails in the namespace;
* no file created anywhere under ``HOME`` outside redrill's data home (telemetry queues, device
  ids, caches).

The commands cover every entry of ``redrill --help`` (a test checks the list against the CLI), with
real data: a debrief, typed answers, a spoken drill through a virtual microphone, a 50-second
answer from a file transcribed by the real tiny.en model, and pending answers finished later.
``model pull`` is the one command allowed online; it runs as the control that the guard sees
connection attempts, and so does a plain ``connect()`` to a test address before anything else runs.

Needs strace and unshare (util-linux), and permission to create a network namespace (root, or
unprivileged user namespaces): without them the test fails saying so, it does not skip.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from fixtures_model import speech_wav

pytestmark = [pytest.mark.slow, pytest.mark.realmodel, pytest.mark.audio]

LOCAL_FAMILIES = {"AF_UNIX", "AF_LOCAL", "AF_NETLINK"}
# Python's own offline switches for Hugging Face: removed, so redrill itself must stay offline.
# The libraries' own telemetry switches too: redrill must set them itself.
OFFLINE_SWITCHES = (
    "HF_HUB_OFFLINE",
    "TRANSFORMERS_OFFLINE",
    "HF_DATASETS_OFFLINE",
    "REDRILL_MODEL",
    "ORT_DISABLE_TELEMETRY",
    "HF_HUB_DISABLE_TELEMETRY",
    "DO_NOT_TRACK",
)
# A 50 s answer: the traced command then lives several seconds (4.5-7 s on 2 cores), time for a
# background thread a library starts at load to try to reach out while the answer is transcribed.
# It is not a proof for a thread that waits longer than the command lives; that is why the
# libraries' own switches are also checked to be set (test_network.py).
LONG_ANSWER = (
    "When I was leading the billing migration at my last company, we moved every customer account from the old "
    "invoicing system to a new event driven service. I was responsible for the cut over plan. On the night of the "
    "switch, a currency rounding bug doubled some invoices. I noticed it from the alerts within twenty minutes, "
    "rolled the migration back within an hour, and wrote to the affected customers myself the next morning. "
    "Afterwards I added property based tests for money arithmetic, a dry run mode that compares old and new "
    "invoices for a full billing cycle, and a checklist that the whole team now uses before any data migration. "
    "The result was that the next two migrations went out with no customer visible errors, and the dry run "
    "caught three more rounding differences before they shipped."
)

JOB_AD = Path(__file__).parent / "jobs" / "backend-engineer.txt"
NET_CALL = re.compile(r"^(\d+)\s+(?:<\.\.\. )?(connect|sendto|sendmsg|sendmmsg|socket)\b(.*)$")


def _install_hint(tool: str, package: str) -> str:
    return f"{tool} is not installed: sudo apt-get install {package} (./setup.sh test installs it)"


@dataclass
class Sandbox:
    """Runs commands in an empty network namespace under strace, with a fresh HOME."""

    root: Path
    unshare: list[str]
    strace: str
    env: dict
    logs: list[Path] = field(default_factory=list)

    @property
    def home(self) -> Path:
        return Path(self.env["HOME"])

    def wrap(self, argv: list[str], name: str) -> tuple[list[str], Path]:
        log = self.root / "strace" / f"{len(self.logs):02d}-{re.sub(r'[^a-z0-9]+', '-', name.lower())}.log"
        log.parent.mkdir(exist_ok=True)
        self.logs.append(log)
        # --seccomp-bpf: the kernel stops the process only at the traced (network) calls, not at
        # every system call; strace sees the same calls, and each run takes about a fifth less time.
        trace = ["-f", "--seccomp-bpf", "-qq", "-e", "trace=network", "-e", "signal=none", "-o", str(log)]
        cmd = [*self.unshare, self.strace, *trace]
        return [*cmd, "--", *argv], log

    def run(self, argv: list[str], *, name: str, input: str | None = None, timeout: float = 300, env=None):
        cmd, log = self.wrap(argv, name)
        proc = subprocess.run(
            cmd,
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env=env or self.env,
            cwd=self.root / "work",
            timeout=timeout,
        )
        return proc, network_calls(log)

    def redrill(self, *args, **kw):
        return self.run([sys.executable, "-m", "redrill", *map(str, args)], name=" ".join(map(str, args))[:40], **kw)


def network_calls(log: Path) -> tuple[list[str], list[str]]:
    """(calls that reach beyond this machine, sockets opened that are not local) from a strace log."""
    remote, sockets = [], []
    for line in log.read_text(errors="replace").splitlines():
        m = NET_CALL.match(line)
        if not m:
            continue
        call, rest = m.group(2), m.group(3)
        if call == "socket":
            domain = re.match(r"\((\w+)", rest)
            if domain and domain.group(1) not in LOCAL_FAMILIES:
                sockets.append(line)
            continue
        families = set(re.findall(r"sa_family=(\w+)", rest))
        if families - LOCAL_FAMILIES:
            remote.append(line)
    return remote, sockets


def _namespace_prefix(unshare: str) -> list[str]:
    return [unshare, "--net"] if os.geteuid() == 0 else [unshare, "--map-root-user", "--net"]


@pytest.fixture
def sandbox(tmp_path) -> Sandbox:
    """The guard, checked to work: it must see glibc's own resolver try to reach a name server."""
    strace, unshare = shutil.which("strace"), shutil.which("unshare")
    if strace is None:
        pytest.fail(_install_hint("strace", "strace"))
    if unshare is None:
        pytest.fail(_install_hint("unshare", "util-linux"))
    prefix = _namespace_prefix(unshare)
    probe = subprocess.run([*prefix, "true"], capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        pytest.fail(
            f"cannot create an empty network namespace ({' '.join(prefix)} true: {probe.stderr.strip()}). The "
            "network test needs it: run the tests as root, or allow unprivileged user namespaces "
            "(sysctl kernel.unprivileged_userns_clone=1; in a container: --cap-add SYS_ADMIN or a seccomp profile "
            "that allows unshare)."
        )
    home = tmp_path / "home"
    home.mkdir()
    (tmp_path / "work").mkdir()
    env = {k: v for k, v in os.environ.items() if k not in OFFLINE_SWITCHES and not k.startswith(("XDG_", "REDRILL_"))}
    env.update({"HOME": str(home), "COLUMNS": "120", "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"})
    box = Sandbox(tmp_path, prefix, strace, env)
    # The control: a connection attempt in the namespace fails, and strace sees it.
    control = "import socket; print(socket.socket().connect_ex(('192.0.2.1', 443)))"
    proc, (remote, _sockets) = box.run([sys.executable, "-c", control], name="control connect")
    assert remote and proc.stdout.strip() == "101", f"the guard did not see a connection attempt: {proc.stdout}"
    return box


@pytest.fixture(scope="session")
def long_answer_wav(tmp_path_factory) -> Path:
    return speech_wav(LONG_ANSWER, tmp_path_factory.mktemp("long-answer"), name="long-answer.wav")


# Every command the CLI offers, and the runs below that exercise it ("model pull" is the one that
# may go online: it runs as a control).
COVERED = {
    "answer",
    "bank",
    "debrief",
    "devices",
    "doctor",
    "drill",
    "export",
    "flag",
    "followup",
    "forget",
    "history",
    "interviews",
    "mastered",
    "mock",
    "model",
    "paths",
    "play",
    "prep",
    "progress",
    "queue",
    "report",
    "rescore",
    "show",
    "transcribe",
    "warmup",
}


def test_the_network_test_covers_every_command():
    from redrill.cli import COMMANDS

    assert set(COMMANDS) == COVERED, (
        f"add the new command(s) to the system-call network test: {set(COMMANDS) ^ COVERED}"
    )


# Files other programs' libraries keep for every program that uses them, holding nothing of the
# user's: matplotlib's list of the system's fonts (report), and the sound server's client cookie
# (libpulse, when PortAudio talks to PulseAudio).
SHARED_CACHES = (r"\.cache/matplotlib/fontlist-v[0-9.]+\.json", r"\.config/pulse/cookie")


def _files_outside(home: Path, data_home: Path) -> list[str]:
    found = []
    for root, _dirs, files in os.walk(home):
        for name in files:
            path = Path(root) / name
            if data_home not in path.parents:
                found.append(str(path.relative_to(home)))
    return sorted(found)


def _spoken_drill(sandbox: Sandbox, pulse_server, play_into_sink, wav: Path):
    """``redrill drill`` recording from the virtual microphone, the answer played into it."""
    env = {**sandbox.env, "PULSE_SERVER": pulse_server.socket}
    cmd, log = sandbox.wrap(
        [
            sys.executable,
            "-m",
            "redrill",
            "drill",
            "--question",
            "tell-me-about-yourself",
            "--no-tts",
            "--silence-seconds",
            "3",
        ],
        "drill spoken",
    )
    proc = subprocess.Popen(
        cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True
    )
    stdout, stderr_pipe = proc.stdout, proc.stderr
    assert stdout is not None and stderr_pipe is not None
    lines: list[str] = []
    recording = threading.Event()

    def read():
        for line in stdout:
            lines.append(line)
            if "Recording" in line:
                recording.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert recording.wait(60), f"the drill never started recording: {''.join(lines)}"
        player = play_into_sink(wav, delay=0.3)
        rc = proc.wait(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()  # only the process this test started
            proc.wait()
    reader.join(5)
    stderr = stderr_pipe.read()
    stdout.close()
    stderr_pipe.close()
    player.join()
    out = "".join(lines)
    assert rc == 0 and "Session done: 1 answer scored." in out, f"exit {rc}\n{out}\n{stderr}"
    return network_calls(log)


def test_no_command_reaches_the_network_or_writes_outside_the_data_home(
    sandbox, long_answer_wav, pulse_server, play_into_sink, tmp_path
):
    box = sandbox
    data_home = box.home / ".local" / "share" / "redrill"  # the default data home, from a fresh HOME
    work = tmp_path / "work"
    short_wav = speech_wav("I rolled it back within the hour.", work, name="short-answer.wav")
    (work / "debrief.yaml").write_text(
        "interview: {company: Acme, role: Backend engineer, date: 2026-11-20}\n"
        "went_well: [the system design round]\n"
        "questions:\n"
        "  - id: failure-story\n    rating: bombed\n    wish_i_said: [I rolled it back within the hour]\n"
        "  - text: Why do you want to leave your job?\n    rating: shaky\n"
    )
    (work / "bank.yaml").write_text(
        "name: Mine\nquestions:\n  - id: my-own-question\n    text: What would you do in your first month?\n"
    )
    findings: dict[str, tuple[list[str], list[str]]] = {}
    outputs: dict[str, str] = {}

    timings: dict[str, float] = {}

    def run(*args, expect=(0,), input=None, timeout=300, env=None):
        at = time.monotonic()
        proc, calls = box.redrill(*args, input=input, timeout=timeout, env=env)
        name = " ".join(map(str, args))
        timings[name] = time.monotonic() - at
        findings[name] = calls
        outputs[name] = proc.stdout + proc.stderr
        assert "Traceback" not in proc.stderr, f"redrill {name}:\n{proc.stderr}"
        assert proc.returncode in expect, f"redrill {name}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        return proc

    started = time.monotonic()
    run("paths")
    data_home.mkdir(parents=True, mode=0o700)
    data_home.joinpath("config.yaml").write_text("model: tiny.en\nbeam_size: 1\n")
    run("doctor", expect=(0, 1))
    run("bank", "list")
    run("bank", "show", "failure-story")
    run("bank", "validate", work / "bank.yaml")
    run("debrief", "--from", work / "debrief.yaml")
    run("interviews")
    run("followup", "1")
    run("flag", "tight-deadline")
    run("mastered", "tell-me-about-yourself")
    run("queue")
    run("drill", "--text", "--no-tts", "--question", "failure-story", input="I broke billing and rolled it back.\n\n")
    run("answer", "failure-story", "--text", "I rolled it back within the hour and added a test.")
    # The long answer, transcribed by the real tiny.en model with the voice-activity detector.
    run("answer", "failure-story", "--audio", long_answer_wav, "--json")
    # Stored but not transcribed (the named model is not installed), then finished in one long run.
    run("answer", "tight-deadline", "--audio", long_answer_wav, "--model", "base.en", expect=(1,))
    run("answer", "tight-deadline", "--audio", short_wav, "--model", "base.en", expect=(1,))
    run("transcribe", "--pending")
    run("rescore")
    run("history")
    run("show", "3")
    run("progress")
    run("report")
    run("export", "--format", "csv")
    run("export", "--format", "json")
    run("model", "list")
    run("devices", expect=(0, 1))
    run("devices", "--voices", expect=(0, 1))
    # Played on the virtual sound device (a local socket) while still in the empty namespace.
    pulse_env = {**box.env, "PULSE_SERVER": pulse_server.socket}
    run("play", "5", env=pulse_env, timeout=120)
    # A live session: recording, voice-activity detection and transcription while the user speaks.
    findings["drill (spoken, virtual microphone)"] = _spoken_drill(box, pulse_server, play_into_sink, short_wav)
    run("forget", "1", "--yes")
    # Practising for the next interview: a prep set from a job ad, a mock interview, a warm-up.
    run("prep", JOB_AD, "--yes", "--name", "acme")
    run("mock", "--text", "--no-tts", "--count", "2", input="I led the billing migration.\n\nI cut scope.\n\n")
    run("warmup", "--text", "--no-tts", input="I build payment systems.\n\nI rolled back.\n\nI cut scope.\n\n")
    elapsed = time.monotonic() - started

    # The control: the one command allowed online tries, and the guard sees it.
    proc, (pull_remote, _s) = box.redrill("model", "pull", "small.en", timeout=120)
    assert pull_remote, "model pull made no connection attempt that strace saw: the guard is blind"
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr

    import sqlite3

    db = sqlite3.connect(data_home / "redrill.db")
    try:
        statuses = db.execute("SELECT id, status, source FROM attempts ORDER BY id").fetchall()
    finally:
        db.close()
    # The answers really went through the recognizer (not a failure that ended early).
    assert [s for s in statuses if s[2] in ("audio_file", "microphone")] == [
        (3, "scored", "audio_file"),
        (4, "scored", "audio_file"),
        (5, "scored", "audio_file"),
        (6, "scored", "microphone"),
    ], statuses
    leaks = {name: remote[:3] + [f"... {len(remote)} in all"] for name, (remote, _s) in findings.items() if remote}
    assert leaks == {}, "connection attempts beyond this machine:\n" + "\n".join(
        f"redrill {name}:\n  " + "\n  ".join(lines) for name, lines in leaks.items()
    )
    outside = [p for p in _files_outside(box.home, data_home) if not any(re.fullmatch(a, p) for a in SHARED_CACHES)]
    assert outside == [], f"files written under HOME outside the data home: {outside}"
    longest = sorted(timings.items(), key=lambda kv: -kv[1])[:3]
    print(f"network syscalls: {len(findings)} runs in {elapsed:.0f} s (longest: {longest}); no remote connection")
