"""Shared test set-up: every test gets its own empty data home, so nothing touches the user's."""

from __future__ import annotations

import pytest

# Fixture modules of the test suite (one per real component).
pytest_plugins: list[str] = ["fixtures_attempts", "fixtures_model", "fixtures_audio", "fixtures_terminal"]


@pytest.fixture(autouse=True)
def redrill_home(tmp_path_factory, monkeypatch):
    """Point REDRILL_HOME at a fresh folder and clear settings that could leak in from the shell."""
    home = tmp_path_factory.mktemp("redrill-home")
    monkeypatch.setenv("REDRILL_HOME", str(home))
    monkeypatch.delenv("REDRILL_MODEL", raising=False)
    return home


@pytest.fixture
def runner():
    """A click CliRunner that keeps stdout and stderr apart."""
    from click.testing import CliRunner

    try:
        return CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2 always keeps them apart
        return CliRunner()


@pytest.fixture
def cli(runner):
    """Run ``redrill ARGS...`` in-process; returns the click Result."""
    from redrill.cli import main

    def invoke(*args, input=None, env=None):
        return runner.invoke(main, [str(a) for a in args], input=input, env=env, catch_exceptions=False)

    return invoke
