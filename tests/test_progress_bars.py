"""The stderr progress bars of `answer --audio`, `transcribe` and `rescore`: shown only for long runs."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

import redrill.cli.app
from redrill.cli.answer import CountProgress, TranscriptionProgress


@pytest.fixture
def screen(monkeypatch) -> io.StringIO:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100, color_system=None)
    monkeypatch.setattr(redrill.cli.app, "err_console", lambda: console)
    return out


def test_short_runs_show_no_bar(screen):
    with TranscriptionProgress("Transcribing a.wav") as progress:
        progress(10.0, 30.0)
    with CountProgress("Rescoring") as progress:
        progress(5, 19)
    assert screen.getvalue() == ""


def test_a_long_recording_shows_its_name_as_written_and_the_time_done(screen):
    with TranscriptionProgress("Transcribing take[2].wav") as progress:
        for done in (0.0, 60.0, 119.6):
            progress(done, 119.6)
        assert progress._bar is not None
        assert progress._bar.tasks[0].completed == pytest.approx(119.6)
    shown = screen.getvalue()
    assert "Transcribing take[2].wav" in shown
    assert "2:00 of 2:00" in shown
    assert "time left" in shown


def test_a_long_rescore_counts_the_attempts(screen):
    with CountProgress("Rescoring") as progress:
        for done in range(0, 26):
            progress(done, 25)
        assert progress._bar is not None
        assert progress._bar.tasks[0].completed == 25
    shown = screen.getvalue()
    assert "Rescoring" in shown
    assert "25/25" in shown
