"""`redrill doctor`: every component checked, every failure named with the fix to apply.

One healthy run uses the real components (PulseAudio null sink as the microphone, espeak-ng, the
random-weight model). Each failure is then made for real where that is cheap (a damaged database,
a broken bank, open permissions, a lost recording, a leftover spool) or simulated at the point
where the library would fail (PortAudio missing at import, no input device, no espeak-ng).
"""

from __future__ import annotations

import builtins
import os
import stat
import subprocess
import sys

import pytest

from redrill import doctor
from redrill.paths import Paths
from redrill.scoring import Metrics
from redrill.store import open_store


def run_doctor(cli):
    """Run ``redrill doctor``; returns (result, {component: (mark, detail, fix)})."""
    result = cli("doctor")
    assert "Traceback" not in result.stdout + result.stderr
    found: dict[str, tuple[str, str, str]] = {}
    last = None
    for line in result.stdout.splitlines():
        if line.startswith(("ok   ", "note ", "FAIL ")):
            mark, rest = line[:4].strip(), line[5:]
            component, _, detail = rest.partition(": ")
            found[component] = (mark, detail, "")
            last = component
        elif line.startswith("      fix: ") and last:
            mark, detail, _ = found[last]
            found[last] = (mark, detail, line.removeprefix("      fix: "))
        elif not line.strip():  # the summary follows a blank line
            last = None
        elif last:  # a detail of several lines (every problem in a file)
            mark, detail, fix = found[last]
            found[last] = (mark, f"{detail}\n{line.strip()}", fix)
    return result, found


def only(monkeypatch, *checks):
    """Run just these checks (the others need a microphone, a voice and a model)."""
    monkeypatch.setattr(doctor, "CHECKS", list(checks))


STORE_CHECKS = (
    doctor.check_data_home,
    doctor.check_database,
    doctor.check_privacy,
    doctor.check_leftover_recordings,
    doctor.check_banks,
)


@pytest.mark.audio
def test_all_good_with_the_real_components(cli, pulse_server, whisper_model_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("REDRILL_MODEL", str(whisper_model_dir))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # this machine's own caches are not the point
    result, found = run_doctor(cli)
    assert result.exit_code == 0, result.stdout
    assert result.stdout.rstrip().endswith("All good.")
    expected = {
        "data home",
        "database",
        "privacy",
        "question banks",
        "settings",
        "PortAudio",
        "microphone",
        "voice (TTS)",
        "voice analysis",
        "speech model",
    }
    assert set(found) == expected, found
    assert all(mark == "ok" for mark, _, _ in found.values()), found
    assert "input device" in found["microphone"][1]


def test_voice_analysis_names_praat_or_how_to_install_it(cli, monkeypatch):
    import builtins

    only(monkeypatch, doctor.check_voice_analysis)
    result, found = run_doctor(cli)
    assert found["voice analysis"][0] == "ok" and "praat-parselmouth" in found["voice analysis"][1]
    real_import = builtins.__import__

    def no_praat(name, *args, **kwargs):
        if name == "parselmouth":
            raise ImportError("No module named 'parselmouth'", name="parselmouth")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_praat)
    result, found = run_doctor(cli)
    assert result.exit_code == 1
    assert found["voice analysis"][0] == "FAIL" and "pip install praat-parselmouth" in found["voice analysis"][2]


def test_no_model(cli, monkeypatch, redrill_home):
    only(monkeypatch, doctor.check_model)
    (redrill_home / "config.yaml").write_text("model: base.en\n")  # named, and never pulled
    result, found = run_doctor(cli)
    assert result.exit_code == 1 and "1 problem found." in result.stdout
    mark, detail, fix = found["speech model"]
    assert mark == "FAIL" and "base.en is not installed" in detail
    assert fix.startswith("redrill model pull base.en") and "--model DIR" in fix


def test_pending_and_lost_recordings(cli, redrill_home, monkeypatch):
    paths = Paths(redrill_home)
    store = open_store(paths)
    for name in ("kept.ogg", "lost.ogg"):
        (paths.recordings / name).write_bytes(b"OggS")
        store.add_attempt(
            question_id="failure-story",
            question_text="Q?",
            source="microphone",
            status="recorded",
            audio_path=f"recordings/{name}",
        )
    store.close()
    (paths.recordings / "lost.ogg").unlink()
    only(monkeypatch, *STORE_CHECKS)
    result, _found = run_doctor(cli)
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if "pending answers" in line]
    assert lines == [
        "note pending answers: 1 recorded answer(s) not yet transcribed",
        "FAIL pending answers: 1 unfinished answer(s) whose recording file is gone (attempt 2)",
    ]
    assert "fix: redrill transcribe --pending" in result.stdout
    assert "fix: redrill forget 2 --yes" in result.stdout


def test_notes_alone_do_not_fail(cli, redrill_home, monkeypatch):
    paths = Paths(redrill_home)
    store = open_store(paths)
    (paths.recordings / "a.ogg").write_bytes(b"OggS")
    os.chmod(paths.recordings / "a.ogg", 0o600)
    store.add_attempt(
        question_id="failure-story",
        question_text="Q?",
        source="microphone",
        status="recorded",
        audio_path="recordings/a.ogg",
    )
    store.close()
    only(monkeypatch, *STORE_CHECKS)
    result, found = run_doctor(cli)
    assert result.exit_code == 0, result.stdout
    assert found["pending answers"] == (
        "note",
        "1 recorded answer(s) not yet transcribed",
        "redrill transcribe --pending",
    )


def test_database_that_is_not_a_database(cli, redrill_home, monkeypatch):
    db = redrill_home / "redrill.db"
    db.write_bytes(b"garbage, not SQLite" * 200)
    before = db.read_bytes()
    only(monkeypatch, doctor.check_database)
    result, found = run_doctor(cli)
    assert result.exit_code == 1
    mark, detail, fix = found["database"]
    assert mark == "FAIL" and f"{db} is not an SQLite database (it starts with 'garbage, not SQLite" in detail
    # No copy to restore: keep the file (it may be the user's) and say what moving it means.
    assert (
        f"mv {db} {db}.not-a-database" in fix and "starts a new, empty history" in fix and "recordings stay in" in fix
    )
    assert db.read_bytes() == before, "doctor must not touch a damaged database"


def test_database_damaged_inside(cli, redrill_home, monkeypatch):
    paths = Paths(redrill_home)
    store = open_store(paths)
    for i in range(300):
        store.add_attempt(
            question_id=f"q{i}",
            question_text="A question? " * 20,
            source="text",
            status="scored",
            metrics=Metrics(ramble_score=i),
        )
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    raw = bytearray(paths.database.read_bytes())
    page = 4096
    assert len(raw) > 8 * page
    raw[3 * page : 7 * page] = os.urandom(4 * page)  # the header and schema survive, the rows do not
    paths.database.write_bytes(bytes(raw))
    only(monkeypatch, doctor.check_database)
    result, found = run_doctor(cli)
    assert result.exit_code == 1, result.stdout
    mark, detail, fix = found["database"]
    assert mark == "FAIL" and ("damaged" in detail or "integrity check failed" in detail), detail
    assert f"sqlite3 {paths.database} .recover" in fix


def test_older_schema_backup_is_fine(cli, redrill_home, monkeypatch):
    from test_store import make_v1_database

    make_v1_database(redrill_home / "redrill.db")
    only(monkeypatch, *STORE_CHECKS)
    result, found = run_doctor(cli)
    assert result.exit_code == 0, result.stdout
    mark, detail, _ = found["database"]
    assert mark == "ok" and "1 attempts; copy from before the last upgrade kept: redrill.db.v1-backup-" in detail


def test_broken_user_bank(cli, redrill_home, monkeypatch):
    (redrill_home / "banks").mkdir()
    bank = redrill_home / "banks" / "mine.yaml"
    bank.write_text("name: Mine\nquestions:\n  - id: Bad Id\n    text: Why?\n")
    os.chmod(bank, 0o600)
    only(monkeypatch, doctor.check_banks)
    result, found = run_doctor(cli)
    assert result.exit_code == 1
    mark, detail, fix = found["question banks"]
    assert mark == "FAIL" and f"{bank}:3: questions[0].id: 'Bad Id' is not a valid id" in detail
    assert fix == "Fix the file named above, or remove it from the banks folder."


def test_missing_portaudio(cli, monkeypatch):
    real_import = builtins.__import__

    def no_portaudio(name, *args, **kwargs):
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_portaudio)
    only(monkeypatch, doctor.check_microphone)
    result, found = run_doctor(cli)
    assert result.exit_code == 1
    mark, detail, fix = found["PortAudio"]
    assert mark == "FAIL" and "PortAudio library is not installed" in detail
    assert fix.startswith("sudo apt-get install libportaudio2") and "redrill drill --text" in fix


def test_no_input_device(cli, monkeypatch):
    import sounddevice as sd

    monkeypatch.setattr(
        sd, "query_devices", lambda *a, **k: [{"name": "speakers", "max_input_channels": 0, "max_output_channels": 2}]
    )
    only(monkeypatch, doctor.check_microphone)
    result, found = run_doctor(cli)
    assert result.exit_code == 1
    assert found["PortAudio"][0] == "ok"
    mark, detail, fix = found["microphone"]
    assert (mark, detail) == ("FAIL", "no input device found")
    assert "redrill devices" in fix and "redrill drill --text" in fix


def test_portaudio_that_cannot_list_devices(cli, monkeypatch):
    import sounddevice as sd

    def broken(*a, **k):
        raise sd.PortAudioError("Error querying device -1 [Errno 13]")

    monkeypatch.setattr(sd, "query_devices", broken)
    only(monkeypatch, doctor.check_microphone)
    result, found = run_doctor(cli)
    assert result.exit_code == 1
    mark, detail, fix = found["microphone"]
    assert mark == "FAIL" and "[Errno 13]" in detail, "brackets in a message must be shown, not eaten as markup"
    assert "sound server" in fix


def test_missing_espeak_ng(cli, monkeypatch):
    import ctypes.util
    import shutil

    real_find, real_which = ctypes.util.find_library, shutil.which
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None if "espeak" in name else real_find(name))
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None if name == "say" else real_which(name, *a, **k))
    only(monkeypatch, doctor.check_voice)
    result, found = run_doctor(cli)
    assert result.exit_code == 1
    mark, detail, fix = found["voice (TTS)"]
    assert mark == "FAIL" and "espeak-ng is not installed" in detail
    assert fix.startswith("sudo apt-get install espeak-ng") and "--no-tts" in fix


def test_data_home_readable_by_others(cli, redrill_home, monkeypatch):
    open_store(Paths(redrill_home)).close()
    os.chmod(redrill_home, 0o755)
    only(monkeypatch, *STORE_CHECKS)
    result, found = run_doctor(cli)
    mark, detail, fix = found["data home"]
    assert mark == "note" and "was readable by others (mode 755); redrill made it private (mode 700)" in detail
    assert f"chmod 700 {redrill_home}" in fix
    assert stat.S_IMODE(redrill_home.stat().st_mode) == 0o700
    assert result.exit_code == 0  # fixed on the spot: nothing left to fail


def test_files_readable_by_others(cli, redrill_home, monkeypatch):
    paths = Paths(redrill_home)
    open_store(paths).close()
    recording = paths.recordings / "copied-in.ogg"
    recording.write_bytes(b"OggS")
    os.chmod(recording, 0o644)
    os.chmod(paths.database, 0o644)
    only(monkeypatch, doctor.check_privacy)
    result, found = run_doctor(cli)
    assert result.exit_code == 1
    mark, detail, fix = found["privacy"]
    assert mark == "FAIL" and "readable by others" in detail
    assert "recordings/copied-in.ogg (644)" in detail and "redrill.db (644)" in detail
    assert fix == f"chmod -R go-rwx {redrill_home}"


def test_leftover_spool_from_a_killed_recording(cli, redrill_home, monkeypatch):

    paths = Paths(redrill_home).ensure()
    # Written by another process that has ended since, like a redrill killed mid-answer.
    code = (
        "import numpy as np, sys; from pathlib import Path; from redrill.sound.spool import SpoolWriter; "
        "s = SpoolWriter(Path(sys.argv[1]), 'failure-story', 'Tell me about a failure.', 16000); "
        "s.write(0.1 * np.sin(np.arange(32000) / 5).astype(np.float32)); s.close()"
    )
    subprocess.run([sys.executable, "-c", code, str(paths.recordings)], check=True, timeout=60)
    [spool] = list(paths.recordings.glob(".answer-*.spool"))
    only(monkeypatch, *STORE_CHECKS)
    result, found = run_doctor(cli)
    mark, detail, fix = found["unsaved recordings"]
    assert mark == "note" and detail == "1 answer(s) (2 s) recorded by a session that did not finish"
    assert fix.startswith("redrill drill") and "redrill transcribe --pending" in fix
    assert result.exit_code == 0
    assert spool.exists(), "doctor only reports; the drill saves"


def test_telemetry_queue_left_by_onnxruntime(cli, monkeypatch, tmp_path):
    """A device id and event queue written before redrill switched onnxruntime's telemetry off."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    only(monkeypatch, doctor.check_telemetry_queue)
    result, found = run_doctor(cli)
    assert found == {} and result.exit_code == 0
    queue = tmp_path / "cache" / "Microsoft" / "DeveloperTools" / ".onnxruntime"
    queue.mkdir(parents=True)
    (queue / "deviceid").write_text("0f6c7a1e-0000-4000-8000-000000000000")
    result, found = run_doctor(cli)
    assert result.exit_code == 0, result.stdout  # a note: redrill works, the user may want to delete it
    mark, detail, fix = found["telemetry"]
    assert mark == "note" and str(queue) in detail and "queued usage events" in detail
    assert fix.startswith(f"rm -r {queue}") and "ORT_DISABLE_TELEMETRY=1" in fix


def test_a_crashing_check_is_reported_and_the_rest_still_run(cli, monkeypatch):
    def check_exploding(app):
        raise ValueError("boom")

    only(monkeypatch, check_exploding, doctor.check_banks)
    result, found = run_doctor(cli)
    assert result.exit_code == 1
    assert found["exploding"] == ("FAIL", "check failed: ValueError: boom", "Please report this.")
    assert found["question banks"][0] == "ok"


def test_every_check_has_a_docstring():
    for check in doctor.CHECKS:
        assert check.__doc__, check.__name__
