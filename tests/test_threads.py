"""The recognizer's OpenMP threads sleep while they wait (redrill/__init__.py sets OMP_WAIT_POLICY
before CTranslate2 loads), unless the user chose otherwise; scripts/bench_threads.py measures why."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def spin_count(code: str, **env: str) -> str:
    """GNU OpenMP's spin count as it reports it when CTranslate2 loads after ``code`` (0: sleeps at once)."""
    base = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    base.update(env, OMP_DISPLAY_ENV="VERBOSE")
    done = subprocess.run(
        [sys.executable, "-c", f"{code}; import ctranslate2"], env=base, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    lines = [line.split("=", 1)[1].strip(" '") for line in done.stderr.splitlines() if "GOMP_SPINCOUNT" in line]
    assert lines, f"OpenMP printed no settings; is ctranslate2 installed with its GNU OpenMP?\n{done.stderr}"
    return lines[0]


def test_the_recognizer_threads_sleep_while_they_wait_once_redrill_is_imported():
    assert spin_count("pass") != "0", "the library's own default should spin: the check below would prove nothing"
    assert spin_count("import redrill") == "0"
    assert spin_count("from redrill.transcription import whisper") == "0"


@pytest.mark.parametrize("policy", ["ACTIVE", "PASSIVE"])
def test_a_wait_policy_the_user_set_is_kept(policy):
    out = subprocess.run(
        [sys.executable, "-c", "import os, redrill; print(os.environ['OMP_WAIT_POLICY'])"],
        env={**os.environ, "OMP_WAIT_POLICY": policy},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout.strip() == policy
    assert (spin_count("import redrill", OMP_WAIT_POLICY=policy) == "0") == (policy == "PASSIVE")
