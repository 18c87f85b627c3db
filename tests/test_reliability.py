"""Nothing lost: crashes, kills and concurrent redrills never cost the user an answer.

Every test here runs redrill as a real subprocess (``python -m redrill``) against a real SQLite
file, and kills it with SIGKILL where a user's machine could crash or run out of battery:

* during transcription: the answer's Opus file is already on disk (fsynced) and its attempt is
  ``recorded``; ``redrill transcribe --pending`` finishes it;
* during recording (PulseAudio null sink as the microphone): the crash-safety spool keeps what
  was captured, and the next ``redrill drill`` saves it as a pending attempt;
* several redrills writing at once (including the first run, which creates the schema) store
  every answer, with no "database is locked";
* an older database is backed up (user-only) and upgraded by whatever command runs first.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from fixtures_model import speech_wav

# The random-weight model with Whisper's own decoding (beam 5, no token cap) is the slow decode: about
# 1 s for every 10 s of speech on 2 cores, a window to kill it in the middle of transcription.
SLOW_DECODE = "beam_size: 5\n"
FAST_DECODE = "beam_size: 1\nmax_tokens_per_window: 20\n"


def redrill(*args, home: Path, env: dict | None = None, **popen) -> subprocess.Popen:
    """Start ``python -m redrill ARGS`` against ``home`` (not waiting for it)."""
    full_env = {**(env or os.environ), "REDRILL_HOME": str(home), "COLUMNS": "120"}
    full_env.pop("REDRILL_MODEL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "redrill", *map(str, args)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=full_env,
        **popen,
    )


def run(*args, home: Path, timeout: float = 120, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m redrill ARGS`` to the end."""
    proc = redrill(*args, home=home, env=env)
    out, err = proc.communicate(timeout=timeout)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def rows(
    home: Path, sql: str = "SELECT id, question_id, source, status, audio_path FROM attempts ORDER BY id"
) -> list[tuple]:
    """Read the database as another process would (no redrill code involved)."""
    db = sqlite3.connect(f"file:{home / 'redrill.db'}?mode=ro", uri=True, timeout=10)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def kill(proc: subprocess.Popen) -> None:
    """SIGKILL the redrill this test started (by its own pid) and reap it."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)


# --- (a) killed during transcription ----------------------------------------------------------


def test_sigkill_during_transcription_keeps_the_answer_for_transcribe_pending(
    whisper_model_dir, redrill_home, tmp_path
):
    from redrill.sound.audiofile import load_audio

    # Four times over (about 34 s, two windows): transcription takes several seconds even on a fast
    # machine, so the kill below lands in the middle of it.
    wav = speech_wav(
        " ".join(
            [
                "I rolled the migration back within an hour and then added a reconciliation test. "
                "Then I wrote a postmortem and shared it with the whole team."
            ]
            * 4
        ),
        tmp_path,
    )
    original = load_audio(wav)
    (redrill_home / "config.yaml").write_text(SLOW_DECODE)
    proc = redrill("answer", "failure-story", "--audio", wav, "--model", whisper_model_dir, home=redrill_home)
    assert proc.stderr is not None
    try:
        deadline = time.monotonic() + 30
        seen: list[tuple] = []
        while time.monotonic() < deadline and proc.poll() is None:
            if (redrill_home / "redrill.db").exists():
                try:
                    seen = rows(redrill_home)
                except sqlite3.OperationalError:  # schema still being created
                    seen = []
                if seen:
                    break
            time.sleep(0.05)
        assert seen, (
            f"the attempt was never stored: {proc.poll()} {proc.stderr.read() if proc.poll() is not None else ''}"
        )
        assert seen[0][3] == "recorded", "the attempt must be stored as recorded before transcription"
        time.sleep(1.0)  # well inside the transcription (about 4 s here on 2 fast cores)
        assert proc.poll() is None, "transcription finished before the kill: the test needs a slower decode"
    finally:
        kill(proc)
    assert proc.returncode == -signal.SIGKILL

    [(attempt_id, question_id, source, status, audio_path)] = rows(redrill_home)
    assert (question_id, source, status) == ("failure-story", "audio_file", "recorded")
    stored = redrill_home / audio_path
    assert stored.suffix == ".ogg" and stored.read_bytes()[:4] == b"OggS"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    # Intact: it decodes to exactly the answer's length, and no half-written temporary is left.
    assert load_audio(stored).seconds == pytest.approx(original.seconds, abs=0.002)
    assert [p.name for p in stored.parent.iterdir() if p.name.endswith(".tmp")] == []

    (redrill_home / "config.yaml").write_text(FAST_DECODE)
    done = run("transcribe", "--pending", "--model", whisper_model_dir, home=redrill_home)
    assert done.returncode == 0, done.stderr
    assert f"#{attempt_id} failure-story" in done.stdout
    assert rows(redrill_home)[0][3] == "scored"
    assert (redrill_home / audio_path).exists()


# --- (b) killed during recording --------------------------------------------------------------


@pytest.mark.audio
def test_sigkill_during_recording_keeps_what_was_captured(
    pulse_server, play_into_sink, whisper_model_dir, redrill_home, tmp_path
):
    from redrill.sound.audiofile import load_audio

    wav = speech_wav("I led the migration of our billing system and it shipped two weeks early.", tmp_path)
    spoken = load_audio(wav).seconds
    (redrill_home / "config.yaml").write_text(FAST_DECODE)
    drill_args = (
        "drill",
        "--count",
        "1",
        "--question",
        "tell-me-about-yourself",
        "--no-tts",
        "--model",
        whisper_model_dir,
    )
    # Silence ending the answer is set long, so the answer is still being recorded at the kill.
    proc = redrill(*drill_args, "--silence-seconds", "30", home=redrill_home, env=pulse_server.env)
    stdout = proc.stdout
    assert stdout is not None
    lines: list[str] = []
    recording = threading.Event()

    def read() -> None:
        for line in stdout:
            lines.append(line)
            if "Recording" in line:
                recording.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert recording.wait(30), f"redrill never started recording: {''.join(lines)}"
        started = time.monotonic()
        player = play_into_sink(wav, delay=0.3)
        player.join()
        time.sleep(0.8)  # the sink's latency: let the end of the answer reach the recorder
        recorded_for = time.monotonic() - started
        spools = list((redrill_home / "recordings").glob(".answer-*.spool"))
        assert len(spools) == 1, "no crash-safety spool while recording"
        assert proc.poll() is None, f"the drill ended before the kill: {''.join(lines)}"
    finally:
        kill(proc)
        reader.join(5)
    assert proc.returncode == -signal.SIGKILL
    assert rows(redrill_home) == [], "nothing is stored yet: the answer was still being recorded"

    # The next drill finds the spool, saves it as a pending attempt and removes the spool.
    (redrill_home / "config.yaml").write_text(FAST_DECODE + "no_speech_timeout: 1.5\n")
    again = run(*drill_args, home=redrill_home, env=pulse_server.env, timeout=60)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "recorded in a session that did not finish" in again.stdout and "attempt #1" in again.stdout
    [(attempt_id, question_id, source, status, audio_path)] = rows(redrill_home)
    assert (attempt_id, question_id, source, status) == (1, "tell-me-about-yourself", "microphone", "recorded")
    assert not list((redrill_home / "recordings").glob(".answer-*.spool"))
    samples = load_audio(redrill_home / audio_path).samples
    seconds = len(samples) / 16000
    # Everything from the start of recording to the kill: at least the whole spoken answer.
    assert spoken < seconds <= recorded_for + 2.0, (spoken, seconds, recorded_for)
    frame_rms = np.sqrt(np.mean(np.square(samples[: len(samples) // 320 * 320].reshape(-1, 320)), axis=1))
    loud_s = np.count_nonzero(frame_rms > 0.01) * 0.02
    assert loud_s > 0.5 * spoken, f"the recovered audio holds only {loud_s:.1f} s of sound"

    done = run("transcribe", "--pending", "--model", whisper_model_dir, home=redrill_home)
    assert done.returncode == 0, done.stderr
    status = rows(redrill_home, "SELECT status FROM attempts")
    assert status in ([("scored",)], []), status  # random-weight words may be none: then it is removed
    print(f"recording kill: spoken {spoken:.2f} s, recovered {seconds:.2f} s, of which {loud_s:.2f} s sound")


# --- (c) several redrills at once -------------------------------------------------------------

N_CONCURRENT = 8


@pytest.mark.parametrize("existing_db", [False, True], ids=["first-run", "existing-db"])
def test_concurrent_redrills_lose_nothing(redrill_home, existing_db):
    if existing_db:
        assert run("answer", "failure-story", "--text", "A first answer.", home=redrill_home).returncode == 0
    before = len(rows(redrill_home)) if existing_db else 0
    questions = ["failure-story", "tight-deadline"]
    procs = [
        redrill(
            "answer",
            questions[i % 2],
            "--text",
            f"Answer number {i}: I cut scope and shipped on time.",
            "--json",
            home=redrill_home,
        )
        for i in range(N_CONCURRENT)
    ]
    results = [(p, *p.communicate(timeout=120)) for p in procs]
    for proc, _out, err in results:
        assert proc.returncode == 0, err
        assert "locked" not in err and "Traceback" not in err
    stored = rows(redrill_home)
    assert len(stored) == before + N_CONCURRENT
    assert {r[3] for r in stored} == {"scored"}
    texts = rows(redrill_home, "SELECT transcript_json FROM attempts")
    for i in range(N_CONCURRENT):
        assert sum('"number"' in t[0] and f'"{i}:"' in t[0] for t in texts) == 1, f"answer {i} lost"
    # Every answer was also scheduled: one review per attempt.
    assert rows(redrill_home, "SELECT count(*) FROM reviews")[0][0] == before + N_CONCURRENT


# Run in a small interpreter of its own: forking the test process itself (which may hold loaded
# models) 480 times took 20 s instead of 3; so did importing the store in every child.
_OPENERS = """
import multiprocessing, sys
from pathlib import Path

from redrill.store import Store  # imported once, before the forks

def open_new(path, barrier, results):
    barrier.wait()  # all at the same instant: the race is in the first moments of a new file
    try:
        with Store(Path(path)):
            pass
        results.put("ok")
    except Exception as exc:  # the test reports whatever any opener met
        results.put(repr(exc))

if __name__ == "__main__":
    folder, rounds, openers = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    ctx = multiprocessing.get_context("fork")
    for n in range(rounds):
        barrier, results = ctx.Barrier(openers), ctx.Queue()
        path = folder / f"round{n}" / "redrill.db"
        procs = [ctx.Process(target=open_new, args=(str(path), barrier, results)) for _ in range(openers)]
        for proc in procs:
            proc.start()
        for _ in procs:
            print(results.get(timeout=60))
        for proc in procs:
            proc.join(timeout=60)
"""


def test_many_redrills_opening_a_new_database_at_once_all_succeed(tmp_path):
    """The new file's first moments (switch to WAL, first migration) raced: about one opener in 80
    got "database is locked" or called the new file another program's. 100 rounds of 8 openers."""
    script = tmp_path / "openers.py"
    script.write_text(_OPENERS)
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path), "100", str(N_CONCURRENT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    met = done.stdout.splitlines()
    assert len(met) == 100 * N_CONCURRENT, done.stdout[-2000:]
    failures = [m for m in met if m != "ok"]
    assert not failures, f"{len(failures)} of {len(met)} openers failed, first: {failures[0]}"


# --- upgrades ---------------------------------------------------------------------------------


def test_any_command_upgrades_an_older_database_after_backing_it_up(redrill_home):
    from redrill.store import SCHEMA_VERSION
    from test_store import make_v1_database

    make_v1_database(redrill_home / "redrill.db")
    result = run("history", home=redrill_home)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    [backup] = list(redrill_home.glob("redrill.db.v1-backup-*"))
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    old = sqlite3.connect(backup)
    try:
        assert old.execute("PRAGMA user_version").fetchone()[0] == 1
        assert old.execute("SELECT count(*) FROM attempts").fetchone()[0] == 1
    finally:
        old.close()
    assert rows(redrill_home, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert rows(redrill_home, "SELECT question_id, metrics_json FROM attempts") == [
        ("failure-story", '{"ramble_score": 42}')
    ]
    assert rows(redrill_home, "SELECT company FROM interviews") == [("Acme",)]
    # Running again does not back up again.
    assert run("history", home=redrill_home).returncode == 0
    assert len(list(redrill_home.glob("redrill.db.v1-backup-*"))) == 1


def test_one_lost_recording_does_not_block_the_other_pending_answers(cli, redrill_home, whisper_model_dir, tmp_path):
    wav = speech_wav("I rolled the migration back within an hour and then added a reconciliation test.", tmp_path)
    (redrill_home / "config.yaml").write_text(FAST_DECODE + "model: base.en\n")  # named, and never pulled
    for _ in range(2):  # no such model: both answers are kept as pending
        assert cli("answer", "failure-story", "--audio", wav).exit_code == 1
    [(first, *_, lost_path), (second, *_)] = rows(redrill_home)
    (redrill_home / lost_path).unlink()
    result = cli("transcribe", "--pending", "--model", whisper_model_dir)
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert f"#{first}: audio file not found" in result.stderr
    assert f"1 of 2 recordings could not be finished (#{first}; reasons above)" in result.stderr
    assert f"#{second} failure-story" in result.stdout
    assert rows(redrill_home, "SELECT id, status FROM attempts") == [(first, "recorded"), (second, "scored")]
