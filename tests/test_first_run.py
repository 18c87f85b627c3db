"""The first `redrill drill` (no interview logged, nothing practised): a short onboarding, the
debrief or a few questions of one bank, never a random question out of every bank."""

from __future__ import annotations

import pytest


@pytest.fixture
def at_terminal(monkeypatch):
    """The drill believes standard input is a terminal (the onboarding only asks at one)."""
    from redrill.cli import drill

    monkeypatch.setattr(drill, "is_interactive", lambda: True)


def test_without_a_terminal_it_says_how_to_start_and_asks_nothing(cli):
    result = cli("drill", "--text", "--no-tts")
    assert result.exit_code == 1
    assert "nothing to drill yet" in result.stderr
    assert "redrill debrief" in result.stderr and "--tag TAG or --question ID" in result.stderr
    assert "Question 1/" not in result.output


def test_pick_a_bank_and_a_handful_of_its_questions(cli, at_terminal):
    answers = (
        "I planned a migration that failed and rolled it back.\n\nn\nWe disagreed on scope and agreed a plan.\n\nn\n"
    )
    result = cli("drill", "--text", "--no-tts", input="b\n1\n2\n" + answers)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Welcome to redrill." in out and "What first?" in out
    assert "Type d, b or q, then Enter (Enter alone: d)" in out
    assert (
        "Behavioral core (15 questions)" in out
        and "How many questions? Type a number (1-15), then Enter (Enter alone: 3)" in out
    )
    asked = [line for line in out.splitlines() if line.startswith("Question ")]
    assert asked == [
        "Question 1/2 (failure-story, aim for 1:00-2:00)",
        "Question 2/2 (conflict-with-colleague, aim for 1:00-2:00)",
    ]
    assert "Session done: 2 answers scored." in out


def test_the_debrief_comes_first_then_its_weak_questions(cli, at_terminal):
    debrief = "\n".join(
        [
            "d",  # log the interview
            "Acme",  # company
            "Backend engineer",  # role
            "",  # date: today
            "onsite",  # stage
            "something you were responsible for did not work",  # find the question
            "1",  # pick it
            "bombed",
            "rolled back within an hour",  # a point I wish I had made
            "",
            "",  # no more questions
            "clear intro",  # went well
            "",
            "",  # nothing to change
        ]
    )
    typed = "I planned a migration that failed; I rolled back within an hour.\n\nq\n"
    result = cli("drill", "--text", "--no-tts", input=debrief + "\n" + typed)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Debrief: a few minutes while it's fresh" in out
    asked = [line for line in out.splitlines() if line.startswith("Question 1/")]
    assert asked == ["Question 1/1 (failure-story, aim for 1:00-2:00)"]
    assert "Session done: 1 answer scored." in out


def test_quit_at_the_start_does_nothing(cli, at_terminal):
    result = cli("drill", "--text", "--no-tts", input="q\n")
    assert result.exit_code == 0 and "Question 1/" not in result.output
    assert cli("history", "--json").output.strip() == "[]"


def test_once_something_was_practised_the_drill_starts_at_once(cli, at_terminal):
    assert cli("answer", "failure-story", "--text", "I rolled back the migration and added a check.").exit_code == 0
    result = cli("drill", "--text", "--no-tts", "--count", "1", input="I changed how we test.\n\nq\n")
    assert result.exit_code == 0, result.output
    assert "Welcome to redrill." not in result.output and "Question 1/1" in result.output
