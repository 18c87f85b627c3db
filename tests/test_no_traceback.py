"""Faults of the machine and its set-up end in a clear message, never a traceback.

A damaged model file, a data home that cannot be created, a full disk while recording, a settings
"file" that is a folder, a recordings "folder" that is a file, a closed standard input, an output
that cannot encode "·" or "✓", and a device (``/dev/zero``) given as a file. Each runs as a real
process where the fault lives outside Python (file descriptors, encodings, resource limits).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from redrill.paths import Paths

MEMORY_LIMIT = 2 * 1024**3  # a regression reading /dev/zero must fail in the test, not take the machine


def run_redrill(*args, home: Path | None, env: dict | None = None, stdin=subprocess.DEVNULL, **kw):
    """``python -m redrill ARGS`` as a real process (REDRILL_HOME unset when ``home`` is None)."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("REDRILL_MODEL", None)
    if home is None:
        full_env.pop("REDRILL_HOME", None)
    else:
        full_env["REDRILL_HOME"] = str(home)

    def limits():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    return subprocess.run(
        [sys.executable, "-m", "redrill", *map(str, args)],
        capture_output=True,
        env=full_env,
        stdin=stdin,
        timeout=120,
        preexec_fn=kw.pop("preexec_fn", limits),
        **kw,
    )


def clean(proc, *fragments, code=1) -> str:
    out = proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace")
    assert "Traceback" not in out, out
    assert proc.returncode == code, out
    for fragment in fragments:
        assert fragment in out, f"{fragment!r} not in:\n{out}"
    return out


# --- a damaged speech model -------------------------------------------------------------------


@pytest.mark.model
def test_corrupt_tokenizer_json_names_the_file_and_keeps_the_answer(cli, whisper_model_dir, tmp_path):
    from redrill.sound.audiofile import write_wav

    model = tmp_path / "model"
    shutil.copytree(whisper_model_dir, model)
    (model / "tokenizer.json").write_text('{"version": "1.0", "truncat')
    t = np.arange(16000 * 2) / 16000
    wav = write_wav(tmp_path / "answer.wav", (0.2 * np.sin(2 * np.pi * 220 * t)).astype(np.float32))
    result = cli("answer", "failure-story", "--audio", wav, "--model", model)
    assert result.exit_code == 1, result.output
    assert "tokenizer.json" in result.stderr and "damaged" in result.stderr, result.stderr
    assert "Your answer is saved as attempt #1" in result.stderr
    assert len(list(Paths(Path(os.environ["REDRILL_HOME"])).recordings.glob("*.ogg"))) == 1


# --- the data home ----------------------------------------------------------------------------


def test_unwritable_home_without_redrill_home_says_what_to_set(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the home folder would be")
    homes = [blocker / "home"]
    if os.geteuid() != 0:  # root writes anywhere; a read-only folder only stops other users
        locked = tmp_path / "locked-home"
        locked.mkdir(mode=0o500)
        homes.append(locked)
    for home in homes:
        env = {"HOME": str(home), "XDG_DATA_HOME": ""}
        proc = run_redrill("answer", "failure-story", "--text", "I rolled it back.", home=None, env=env)
        clean(proc, "cannot create the folder", "Set REDRILL_HOME (or --home) to a folder you can write to")


def test_settings_file_that_is_a_folder(redrill_home):
    (redrill_home / "config.yaml").mkdir()
    proc = run_redrill("answer", "failure-story", "--text", "I rolled it back.", home=redrill_home)
    clean(proc, "config.yaml", "is a folder, not a file")


def test_recordings_folder_that_is_a_file(redrill_home):
    (redrill_home / "recordings").write_text("oops")
    proc = run_redrill("answer", "failure-story", "--text", "I rolled it back.", home=redrill_home)
    clean(proc, "recordings is a file, but redrill keeps a folder there", "move the file aside")
    assert (redrill_home / "recordings").read_text() == "oops"


# --- a full disk while recording -------------------------------------------------------------

FULL_DISK_SPOOL = textwrap.dedent(
    """
    import json, resource, signal, sys
    import numpy as np
    from pathlib import Path
    from redrill.sound.spool import SpoolWriter
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # past the limit, writes fail (EFBIG) like a full disk
    resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))
    spool = SpoolWriter(Path(sys.argv[1]), "failure-story", "Q?", 48000)
    block = (0.1 * np.sin(np.arange(4800) / 48000 * 2 * np.pi * 300)).astype(np.float32)
    for _ in range(20):  # 2 s in 0.1 s blocks; about 0.3 s fit under the limit
        spool.write(block)
    spool.close()
    print(json.dumps({"error": spool.error, "written_s": spool.written_s, "path": str(spool.path)}))
    """
)


def test_a_full_disk_while_recording_keeps_what_was_captured(tmp_path):
    from redrill.sound.spool import recover_spools

    folder = tmp_path / "recordings"
    proc = subprocess.run([sys.executable, "-c", FULL_DISK_SPOOL, str(folder)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["error"] == "File too large", report
    assert 0.2 <= report["written_s"] <= 0.4, report
    [spool] = recover_spools(folder, min_seconds=0.1)
    assert abs(len(spool.samples) / 16000 - report["written_s"]) < 0.11  # every block before the failure


def test_a_full_disk_at_the_start_of_recording_is_a_clear_error(tmp_path):
    script = textwrap.dedent(
        """
        import resource, signal, sys
        from pathlib import Path
        from redrill.errors import RedrillError
        from redrill.sound.spool import SpoolWriter
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (10, 10))
        try:
            SpoolWriter(Path(sys.argv[1]), "failure-story", "Q?", 48000)
        except RedrillError as err:
            print(err)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "cannot record: there is no room to keep the recording safe" in proc.stdout
    assert "Free some disk space" in proc.stdout
    assert list(tmp_path.iterdir()) == []


def test_drill_tells_the_user_when_the_disk_fills_and_keeps_the_answer(tmp_path):
    """The spool stopped early: the answer (in memory) is still saved, and the user is told. When
    saving fails too, the spool is kept for the next drill and the session ends with where it is."""
    from test_drill import Q1, FakeUI, answer, make

    drill, _log, ui, mic, practice = make([Q1], [answer()], [40.0])
    real_record = mic.record

    def record(*a, **kw):
        rec = real_record(*a, **kw)
        rec.spool_error, rec.spool_seconds = "No space left on device", 1.4
        return rec

    mic.record = record
    result = drill.run()
    assert [r.attempt_id for r in result.reports] == [1]
    assert any("stopped after 1 s (No space left on device)" in m for m in ui.messages), ui.messages

    spool = tmp_path / ".answer-q-one.spool"
    spool.write_bytes(b"RDSPOOL1 captured")
    drill, _log, ui, mic, practice = make([Q1, Q1], [answer(), answer()], [40.0], ui=FakeUI(None))

    def full(question, samples, writer=None):
        from redrill.errors import RedrillError

        raise RedrillError("could not save the recording to x.ogg: No space left on device")

    practice.save_recording = full
    real_record = mic.record

    def record_with_spool(*a, **kw):
        rec = real_record(*a, **kw)
        rec._spool, rec.spool_path = None, spool
        return rec

    mic.record = record_with_spool
    result = drill.run()
    assert result.reports == [] and result.asked == 1, "the session goes on after a failed save"
    assert spool.exists(), "the crash-safety copy was deleted although the answer was not saved"
    [warning] = [m for m in ui.messages if m.startswith("WARN")]
    assert "No space left on device" in warning and str(spool) in warning and "redrill drill" in warning


# --- standard input closed or at its end -----------------------------------------------------


def close_stdin():
    os.close(0)


@pytest.mark.parametrize("closed", [True, False], ids=["stdin closed", "stdin at end"])
def test_debrief_and_typed_drill_without_standard_input(redrill_home, closed):
    kw = {"stdin": None, "preexec_fn": close_stdin} if closed else {"stdin": subprocess.DEVNULL}
    proc = run_redrill("debrief", home=redrill_home, **kw)
    clean(proc, "nothing was stored", "--from FILE")
    proc = run_redrill("drill", "--text", "--question", "failure-story", "--no-tts", home=redrill_home, **kw)
    clean(proc, "No answer typed, so nothing was stored", code=0)


# --- outputs that cannot encode "·", "•", "✓" -------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_plain_ascii_or_latin1_output_degrades_instead_of_crashing(redrill_home, encoding):
    env = {"PYTHONIOENCODING": encoding, "LC_ALL": "C", "LANG": "C", "COLUMNS": "120"}
    answer = "Um, I broke billing, uh, rolled it back within an hour and added a test."
    commands = [
        ("answer", "failure-story", "--text", answer),
        ("answer", "failure-story", "--text", answer + " Then we shipped."),
        ("show", "1"),
        ("history",),
        ("progress",),
        ("queue",),
        ("bank", "show", "failure-story"),
        ("bank", "list"),
        ("flag", "tell-me-about-yourself"),
        ("doctor",),
    ]
    for args in commands:
        proc = run_redrill(*args, home=redrill_home, env=env)
        out = proc.stdout + proc.stderr
        assert b"Traceback" not in out and b"UnicodeEncodeError" not in out, (args, out.decode(encoding, "replace"))
        assert proc.returncode in (0, 1) if args == ("doctor",) else proc.returncode == 0, (args, out)
        proc.stdout.decode(encoding)  # what was written is text in the terminal's own encoding
    report = run_redrill("show", "1", home=redrill_home, env=env).stdout.decode(encoding)
    assert "Attempt #1" in report and "words" in report, report
    # The report's ticks and boxes (✓ ✗ ☐ ☑), in ASCII.
    assert any(mark in report for mark in ("  + ", "  x ", "  [ ] ", "  [x] ")), report


# --- a device where a file was expected ------------------------------------------------------


@pytest.mark.parametrize(
    "args, fragment",
    [
        (("--bank", "/dev/zero", "bank", "list"), "/dev/zero: more than 1,000,000 bytes"),
        (("answer", "failure-story", "--transcript", "/dev/zero"), "/dev/zero: more than 20,000,000 bytes"),
        (("answer", "failure-story", "--text-file", "/dev/zero"), "/dev/zero: more than 100,000 bytes"),
        (("prep", "/dev/zero"), "/dev/zero: more than 400,000 bytes"),
    ],
    ids=["--bank", "--transcript", "--text-file", "prep"],
)
def test_dev_zero_as_a_file_is_refused_without_reading_it_all(redrill_home, args, fragment):
    proc = run_redrill(*args, home=redrill_home)
    clean(proc, fragment, "not a regular file")


def test_an_endless_job_description_on_standard_input_is_refused(redrill_home):
    with open("/dev/zero", "rb") as zeros:
        proc = run_redrill("prep", "-", home=redrill_home, stdin=zeros)
    clean(proc, "standard input: more than 400,000 bytes; a job description fits in 100,000")
