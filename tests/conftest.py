"""Shared test set-up: every test gets its own empty data home, so nothing touches the user's."""

from __future__ import annotations

import os
from typing import Any

import pytest

# CTranslate2's OpenMP threads spin while they wait for each other. The spoken end-to-end tests run
# redrill beside the sound server, the player and the recorder on a small machine; there a spinning
# thread takes the CPU from the one it waits for, and a 10 s answer took 25-46 s instead of 1 s to
# transcribe once anything else was busy (the test then proves nothing more, it only waits).
# redrill sets the same when it is imported (redrill/__init__.py); set here as well so that it holds
# before any test loads CTranslate2 by another path, and for every process the tests start; a value
# from the shell wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

# Fixture modules of the test suite (one per real component).
pytest_plugins: list[str] = ["fixtures_attempts", "fixtures_model", "fixtures_audio", "fixtures_terminal"]


@pytest.fixture(autouse=True)
def redrill_home(tmp_path_factory, monkeypatch):
    """Point REDRILL_HOME at a fresh folder and clear settings that could leak in from the shell."""
    home = tmp_path_factory.mktemp("redrill-home")
    monkeypatch.setenv("REDRILL_HOME", str(home))
    monkeypatch.delenv("REDRILL_MODEL", raising=False)
    # The command line keeps one rich console per process, sized from COLUMNS when it is made; each
    # test's commands get one made under that test's environment, whatever ran before it.
    import redrill.cli.app

    monkeypatch.setattr(redrill.cli.app, "_console", None)
    return home


@pytest.fixture
def runner():
    """A click CliRunner that keeps stdout and stderr apart."""
    from click.testing import CliRunner

    # click 8.1 mixes them unless told; the keyword is gone in 8.2, so its stubs cannot know both versions.
    keep_apart: dict[str, Any] = {"mix_stderr": False}
    try:
        return CliRunner(**keep_apart)
    except TypeError:  # click >= 8.2 always keeps them apart
        return CliRunner()


@pytest.fixture
def cli(runner):
    """Run ``redrill ARGS...`` in-process; returns the click Result."""
    from redrill.cli import main

    def invoke(*args, input=None, env=None):
        return runner.invoke(main, [str(a) for a in args], input=input, env=env, catch_exceptions=False)

    return invoke


# Markers follow from what a test uses, so the fast tier (`-m "not audio and not model and not
# realmodel and not browser and not slow"`) needs no sound device, model, browser or time.
FIXTURE_MARKS = {
    "pulse_server": "audio",
    "play_into_sink": "audio",
    "monitor_recorder": "audio",
    "speech_samples": "audio",
    "renders": "audio",  # espeak-ng and sox renderings (test_voice)
    "whisper_model_dir": "model",
    "fast_transcriber": "model",
    "real_tiny_dir": "realmodel",
    "real_base_dir": "realmodel",
    "practised": "slow",
}


# Modules whose tests run redrill (or pip) as separate processes: seconds each, so not in the fast tier.
PROCESS_MODULES = {"test_network", "test_packaging", "test_reliability"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        for fixture in getattr(item, "fixturenames", ()):
            mark = FIXTURE_MARKS.get(fixture)
            if mark is not None:
                item.add_marker(mark)
        if item.module is not None and item.module.__name__ in PROCESS_MODULES:
            item.add_marker("slow")
