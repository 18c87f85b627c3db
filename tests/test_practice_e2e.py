"""End to end, spoken: a mock interview with a follow-up question and a warm-up, each answer played
into the virtual microphone (the PulseAudio null sink) while `redrill` records it, transcribed by
the real tiny.en weights (the follow-up depends on what was heard: "we" and never "I").

The commands run as subprocesses without a terminal, as a user's script would run them.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from fixtures_model import speech_wav

pytestmark = [pytest.mark.audio, pytest.mark.realmodel, pytest.mark.slow]

JOB = Path(__file__).parent / "jobs" / "backend-engineer.txt"
OPENER = "I am a backend engineer. I have built payment systems in Python and Go for eight years."
WE_ONLY = (
    "We disagreed about a retry loop in the review. We talked it through, we looked at the traces together, "
    "we agreed to add a test, and we merged the change after that."
)
MY_PART = "I wrote the benchmark myself, and it showed that the retries doubled the load."
# The warm-up checks which questions come and that each answer is scored: short answers will do.
WARMUP = ("I build payment systems in Python.", "I chose the simpler design.", "I found the bug in the logs.")


def run_spoken(pulse_server, play_into_sink, redrill_home, args, wavs, timeout=150):
    """Run ``redrill ARGS``; each time it starts recording, play the next WAV into the microphone.
    Returns (exit code, stdout, stderr)."""
    env = {**pulse_server.env, "REDRILL_HOME": str(redrill_home), "COLUMNS": "120"}
    env.pop("REDRILL_MODEL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "redrill", *map(str, args)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    stdout, stderr_pipe = proc.stdout, proc.stderr
    assert stdout is not None and stderr_pipe is not None  # both piped
    lines: list[str] = []
    queue = list(wavs)
    players = []

    def read():
        for line in stdout:
            lines.append(line)
            if "Recording" in line and queue:
                players.append(play_into_sink(queue.pop(0), delay=0.5))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        rc = proc.wait(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()  # only the redrill this test started
            proc.wait()
    reader.join(10)
    err = stderr_pipe.read()
    stdout.close()
    stderr_pipe.close()
    for player in players:
        player.join()
    return rc, "".join(lines), err


def test_spoken_mock_interview_with_a_follow_up_then_a_warmup(
    pulse_server, play_into_sink, real_tiny_dir, redrill_home, tmp_path, cli
):
    assert cli("prep", JOB, "--name", "acme", "--count", "4", "--yes").exit_code == 0
    wavs = [speech_wav(text, tmp_path, name=f"a{i}.wav") for i, text in enumerate((OPENER, WE_ONLY, MY_PART))]
    # espeak-ng's pauses inside these answers are under 0.4 s: 1.5 s of silence ends only the answer.
    common = ("--no-tts", "--model", real_tiny_dir, "--silence-seconds", "1.5")
    rc, out, err = run_spoken(
        pulse_server,
        play_into_sink,
        redrill_home,
        ["mock", "--prep", "acme", "--count", "2", "--follow-ups", *common],
        wavs,
    )
    assert rc == 0, f"exit {rc}\n{out}\n{err}"
    print(out[out.index("Mock interview #") :] if "Mock interview #" in out else out)  # the scorecard, with -s
    assert "Question 1/2 (tell-me-about-yourself" in out and "Question 2/2 (code-review-disagreement" in out
    assert "What was your part in that, personally?" in out, out
    assert out.count("Recorded ") == 3 and out.count("Feedback comes at the end") == 3, out + err
    assert "Mock interview #1 · prep set acme · 2 questions, 2 answered" in out
    assert "↳ What was your part in that, personally?" in out

    db = sqlite3.connect(redrill_home / "redrill.db")
    try:
        rows = db.execute(
            "SELECT id, question_id, source, status, follow_up_of, transcript_json FROM attempts ORDER BY id"
        ).fetchall()
        card = json.loads(db.execute("SELECT scorecard FROM mock_interviews").fetchone()[0])
    finally:
        db.close()
    assert [(r[1], r[2], r[3]) for r in rows] == [
        ("tell-me-about-yourself", "microphone", "scored"),
        ("code-review-disagreement", "microphone", "scored"),
        ("code-review-disagreement/follow-up", "microphone", "scored"),
    ]
    assert rows[2][4] == rows[1][0]
    heard = " ".join(w["word"] for w in json.loads(rows[2][5])["words"]).lower()
    assert "benchmark" in heard and "myself" in heard
    first, second = card["answers"]
    assert first["duration_s"] == pytest.approx(5.5, abs=2.0) and first["within_target"] is False  # short opener
    assert second["follow_up"]["attempt_id"] == rows[2][0] and second["follow_up"]["duration_s"] > 3
    assert card["overall"]["answered"] == 2 and card["overall"]["score"] is not None

    # Warm-up: the opener and the two weakest of the set (never practised counts as weakest).
    wavs = [speech_wav(text, tmp_path, name=f"w{i}.wav") for i, text in enumerate(WARMUP)]
    rc, out, err = run_spoken(pulse_server, play_into_sink, redrill_home, ["warmup", "--prep", "acme", *common], wavs)
    assert rc == 0, f"exit {rc}\n{out}\n{err}"
    assert "Question 1/3 (tell-me-about-yourself" in out
    assert "Question 2/3 (design-tradeoff" in out and "Question 3/3 (hard-production-bug" in out
    assert "Warm-up done: 3 of 3 answered" in out and out.count("ramble") >= 3
